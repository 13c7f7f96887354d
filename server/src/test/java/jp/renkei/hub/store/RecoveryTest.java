package jp.renkei.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import java.nio.file.Files;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.search.IndexExtractor;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.bson.Document;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Journal states a crash can leave behind, set up directly in the store, and what start-up
 * recovery and readers make of them.
 */
class RecoveryTest {

    private final FhirContext fhir = FhirContext.forR4Cached();
    private EmbeddedMongo mongo;
    private MongoClient client;
    private MongoDatabase db;
    private ResourceStore store;

    @BeforeEach
    void start() throws Exception {
        mongo = new EmbeddedMongo(
                new StoreProperties.Embedded(Files.createTempDirectory("renkei-recovery"), false, 16));
        client = MongoClients.create(mongo.connectionString());
        db = client.getDatabase("recovery");
        SearchParameterRegistry registry = new SearchParameterRegistry(fhir);
        store = new ResourceStore(
                db,
                mongo,
                fhir,
                registry,
                new IndexExtractor(fhir, registry, ZoneId.of("Asia/Tokyo")),
                (id, resource) -> new AccessLabels(java.util.List.of(id), null, null));
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    private StoredResource createPatient(String family) {
        Patient patient = new Patient();
        patient.addName().setFamily(family);
        return store.write(List.of(new WriteRequest("Patient", "p1", patient, null, "Organization/org-test")))
                .get(0);
    }

    /** Version 2 of p1 as an uncommitted transaction T would have inserted it. */
    private Document insertUncommittedVersion2(String tx) {
        Document v1 = store.history("Patient").find(new Document("_id", "p1/1")).first();
        Document v2 = new Document(v1).append("_id", "p1/2").append("v", 2L).append("tx", tx);
        store.history("Patient").insertOne(v2);
        return v2;
    }

    private Document unit(String tx, String state) {
        return new Document("_id", tx)
                .append("state", state)
                .append(
                        "entries",
                        List.of(new Document("t", "Patient").append("id", "p1").append("v", 2L)))
                .append("at", new Date());
    }

    @Test
    void aSingleWriteThatLostItsRaceToATransactionDoesNotCompleteThatTransaction() {
        createPatient("山田");
        insertUncommittedVersion2("z-transaction");
        store.journal().insertOne(unit("z-transaction", "pending"));
        // The loser crashed before removing its own journal entry, which names the same version.
        // Its id sorts first, so recovery meets it before the transaction it lost to.
        store.journal().insertOne(unit("a-loser", "single"));

        store.recover();

        assertThat(store.read("Patient", "p1").version()).isEqualTo(1);
        assertThat(store.readVersion("Patient", "p1", 2)).isNull();
        assertThat(store.history("Patient").find(new Document("_id", "p1/2")).first())
                .isNull();
        assertThat(store.journal().countDocuments()).isZero();
    }

    @Test
    void aCommittedTransactionIsCompletedAtStartUp() {
        createPatient("山田");
        insertUncommittedVersion2("T");
        store.journal().insertOne(unit("T", "committed"));

        store.recover();

        assertThat(store.read("Patient", "p1").version()).isEqualTo(2);
        assertThat(store.history("Patient")
                        .find(new Document("_id", "p1/2"))
                        .first()
                        .get("tx"))
                .isNull();
    }

    @Test
    void aCommittedUnitCompletedAtStartUpIsHandedToNotificationsAndARolledBackOneIsNot() {
        createPatient("山田");
        insertUncommittedVersion2("T");
        store.journal().insertOne(unit("T", "committed"));

        store.recover();

        assertThat(store.changeFeed().pending())
                .containsExactly(new ChangeFeed.Change(
                        "T",
                        store.changeFeed().pending().get(0).at(),
                        List.of(new ChangeFeed.Entry("Patient", "p1", 2))));
        store.changeFeed().done(List.of("T"));
        Document v3 = new Document(store.history("Patient")
                        .find(new Document("_id", "p1/1"))
                        .first())
                .append("_id", "p1/3")
                .append("v", 3L)
                .append("tx", "U");
        store.history("Patient").insertOne(v3);
        store.journal()
                .insertOne(new Document("_id", "U")
                        .append("state", "pending")
                        .append(
                                "entries",
                                List.of(new Document("t", "Patient")
                                        .append("id", "p1")
                                        .append("v", 3L)))
                        .append("at", new Date()));

        store.recover();

        assertThat(store.changeFeed().pending()).isEmpty();
    }

    @Test
    void aVersionWhoseUnitFinishedWhileItWasBeingReadCountsAsCommitted() {
        createPatient("山田");
        Document seenByReader = insertUncommittedVersion2("T");
        // The unit then finished: tx cleared and journal entry removed (it never existed here).
        store.history("Patient").updateOne(new Document("_id", "p1/2"), new Document("$unset", new Document("tx", "")));

        assertThat(store.committed("Patient", seenByReader)).isTrue();
    }

    @Test
    void aVersionWhoseUnitWasRolledBackWhileItWasBeingReadDoesNotCount() {
        createPatient("山田");
        Document seenByReader = insertUncommittedVersion2("T");
        store.history("Patient").deleteOne(new Document("_id", "p1/2"));

        assertThat(store.committed("Patient", seenByReader)).isFalse();
    }
}
