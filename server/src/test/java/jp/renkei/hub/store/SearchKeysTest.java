package jp.renkei.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The bounded search-key buckets against the embedded store through the real driver. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchKeysTest {

    private EmbeddedMongo mongo;
    private MongoClient client;
    private MongoCollection<Document> collection;
    private SearchKeys keys;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("renkei-keys");
        mongo = new EmbeddedMongo(new StoreProperties.Embedded(dir, false, 16));
        client = MongoClients.create(mongo.connectionString());
        collection = client.getDatabase("keys").getCollection("search_keys");
        keys = new SearchKeys(collection, new SearchParameterRegistry(FhirContext.forR4Cached()));
    }

    @AfterAll
    void stop() {
        client.close();
        mongo.close();
    }

    private static Document patientIndex(String patient) {
        return new Document("patient", List.of(patient)).append("subject", List.of(patient));
    }

    @Test
    void aKeyWithMoreIdsThanOneBucketSpillsIntoOverflowBucketsAndFindsThemAll() {
        int count = SearchKeys.BUCKET_SIZE * 2 + 10;
        for (int i = 0; i < count; i++) {
            keys.update("Observation", "obs-" + i, null, patientIndex("Patient/many"));
        }

        Set<String> found = keys.lookup("Observation", "patient", List.of("Patient/many"));

        assertThat(found).hasSize(count).contains("obs-0", "obs-" + (count - 1));
        String head = SearchKeys.key("Observation", "patient", "Patient/many");
        Document headDoc = collection.find(new Document("_id", head)).first();
        assertThat(headDoc.getInteger("n")).isEqualTo(count);
        assertBucketsBounded(head, 3);
        assertThat(headDoc.get("ids")).isNull();
    }

    @Test
    void concurrentWritersToOneKeyLoseNoIdAndKeepBucketsBounded() throws Exception {
        int writers = 8;
        int perWriter = 50;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> IntStream.range(0, perWriter)
                    .forEach(i ->
                            keys.update("Condition", "c-" + writer + "-" + i, null, patientIndex("Patient/busy")))));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertThat(keys.lookup("Condition", "patient", List.of("Patient/busy"))).hasSize(writers * perWriter);
        String head = SearchKeys.key("Condition", "patient", "Patient/busy");
        assertThat(collection.find(new Document("_id", head)).first().getInteger("n"))
                .isEqualTo(writers * perWriter);
        assertBucketsBounded(head, (writers * perWriter + SearchKeys.BUCKET_SIZE - 1) / SearchKeys.BUCKET_SIZE);
    }

    private void assertBucketsBounded(String head, int expectedBuckets) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= expectedBuckets + 1; i++) {
            ids.add(head + "#" + i);
        }
        List<Document> buckets =
                collection.find(new Document("_id", new Document("$in", ids))).into(new ArrayList<>());
        assertThat(buckets).hasSize(expectedBuckets);
        for (Document bucket : buckets) {
            assertThat(bucket.getList("ids", String.class)).hasSizeBetween(1, SearchKeys.BUCKET_SIZE);
        }
    }

    @Test
    void changingOrRemovingAReferenceMovesTheIdBetweenKeysInEveryBucket() {
        for (int i = 0; i < SearchKeys.BUCKET_SIZE + 10; i++) {
            keys.update("Encounter", "e-" + i, null, patientIndex("Patient/a"));
        }
        String last = "e-" + (SearchKeys.BUCKET_SIZE + 9); // lives in an overflow bucket

        keys.update("Encounter", last, patientIndex("Patient/a"), patientIndex("Patient/b"));
        keys.update("Encounter", "e-0", patientIndex("Patient/a"), null);

        Set<String> ofA = keys.lookup("Encounter", "patient", List.of("Patient/a"));
        assertThat(ofA).hasSize(SearchKeys.BUCKET_SIZE + 8).doesNotContain(last, "e-0");
        assertThat(keys.lookup("Encounter", "subject", List.of("Patient/b"))).containsExactly(last);
        assertThat(keys.lookup("Encounter", "patient", List.of("Patient/a", "Patient/b")))
                .hasSize(SearchKeys.BUCKET_SIZE + 9);
    }

    @Test
    void identifiersAreBucketedOnlyInTheirSystemValueForm() {
        Document index = new Document("identifier", List.of("urn:oid:1.2.392.100495.20.3.51|0001", "0001", "urn:x|"));
        assertThat(keys.keysOf("Patient", index))
                .containsExactly(SearchKeys.key("Patient", "identifier", "urn:oid:1.2.392.100495.20.3.51|0001"));
    }
}
