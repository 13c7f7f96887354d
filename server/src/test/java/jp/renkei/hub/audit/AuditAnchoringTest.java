package jp.renkei.hub.audit;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.sign.DeploymentCa;
import jp.renkei.hub.store.StoreProperties;
import org.bson.Document;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The audit chain anchored by sealed checkpoints (issue 17, point 4), against a hub with its deployment CA and audit
 * seal, restarted on the same data and anchor directory: the review's attack (change one stored AuditEvent, recompute
 * every later link and the head with plain SHA-256) is found by {@code $verify-audit-chain}, by the scheduled check and
 * at start-up, and the changed event is refused when read; checkpoints deleted from the store are found against the
 * copy outside it, a rewritten one by its seal, a truncated chain against the sealed length; an untouched chain
 * stays intact across a restart. The destructive scenario runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditAnchoringTest {

    private static final char[] PASSWORD = "test-only-pki".toCharArray();

    private Path root;
    private Path data;
    private Path anchors;
    private String[] properties;
    private HubInstance hub;
    private MongoDatabase db;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("renkei-anchoring");
        data = root.resolve("data");
        anchors = root.resolve("anchors");
        Path caDir = root.resolve("ca");
        DeploymentCa ca = DeploymentCa.create(caDir, "Test Renkei CA", Duration.ofDays(30), PASSWORD);
        Instant now = Instant.now();
        ca.issueOrganization("renkei-hub", "Renkei ハブ", now.minusSeconds(60), now.plus(Duration.ofDays(10)), PASSWORD);
        ca.issueAuditSeal("Renkei audit seal", now.minusSeconds(60), now.plus(Duration.ofDays(10)), PASSWORD);
        // Sealing only when a test asks (checkpointNow); the whole chain checked every 2 s, as a short schedule.
        properties = new String[] {"renkei.sign.required=true", "renkei.sign.trust-anchors=" + caDir.resolve("ca.crt"),
                "renkei.sign.crls=" + caDir.resolve("ca.crl"), "renkei.sign.seals=" + caDir.resolve("issued"),
                "renkei.sign.seal-password=" + new String(PASSWORD), "renkei.audit.anchor-dir=" + anchors,
                "renkei.audit.node=node-a", "renkei.audit.checkpoint-every=1000000", "renkei.audit.checkpoint-interval=1h",
                "renkei.audit.verify-interval=2s"};
        open();
    }

    private void open() {
        hub = new HubInstance(data, properties);
        db = hub.bean(MongoClient.class).getDatabase(hub.bean(StoreProperties.class).database());
    }

    private void restart() {
        hub.close();
        open();
    }

    @AfterAll
    void stop() {
        hub.close();
        HubInstance.deleteStore(root);
    }

    private AuditAnchoring anchoring() {
        return hub.bean(AuditAnchoring.class);
    }

    /** Audited requests (each leaves one AuditEvent). */
    private void requests(int count) {
        for (int i = 0; i < count; i++) {
            assertThat(hub.send("GET", "/Patient/nobody-" + i, null, null).statusCode()).isEqualTo(404);
        }
    }

    private Parameters verify() {
        HttpResponse<String> response = hub.send("GET", "/$verify-audit-chain", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        return json.parseResource(Parameters.class, response.body());
    }

    private static int integer(Parameters parameters, String name) {
        return ((IntegerType) parameters.getParameter(name).getValue()).getValue();
    }

    private static String text(Parameters parameters, String name) {
        return parameters.getParameter(name).getValue().primitiveValue();
    }

    private long head() {
        return db.getCollection("audit_chain_head").find(eq("_id", "head")).first().getLong("seq");
    }

    private Document link(long seq) {
        return db.getCollection("audit_chain").find(eq("_id", seq)).first();
    }

    /** The security alerts recorded about the chain, their outcome descriptions. */
    private List<String> alerts() {
        List<String> alerts = new ArrayList<>();
        for (Document event : db.getCollection("AuditEvent").find()) {
            AuditEvent parsed = json.parseResource(AuditEvent.class, event.getString("body"));
            if ("110113".equals(parsed.getType().getCode())) {
                alerts.add(parsed.getOutcomeDesc());
            }
        }
        return alerts;
    }

    @Test
    @Order(1)
    void anUntamperedChainStaysIntactAcrossARestart() throws Exception {
        requests(12);
        anchoring().checkpointNow();
        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(result.getParameterBool("anchored")).isTrue();
        assertThat(result.getParameterBool("anchorsAgree")).isTrue();
        assertThat(integer(result, "sealedThrough")).isGreaterThanOrEqualTo(12);
        assertThat(anchors.resolve("checkpoints-node-a.jsonl")).isNotEmptyFile();
        String sealedEvent = link(3).getString("event");
        assertThat(hub.send("GET", "/AuditEvent/" + sealedEvent, null, null).statusCode()).isEqualTo(200);

        restart();
        AuditAnchoring.Status atStartup = anchoring().startupCheck().get(60, TimeUnit.SECONDS);
        assertThat(atStartup.intact()).as(atStartup.problem()).isTrue();
        requests(3);
        anchoring().checkpointNow();
        result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(result.getParameterBool("anchorsAgree")).isTrue();
        assertThat(hub.send("GET", "/AuditEvent/" + sealedEvent, null, null).statusCode()).isEqualTo(200);
        assertThat(alerts()).isEmpty();
    }

    @Test
    @Order(2)
    void checkpointsDeletedFromTheStoreAreFoundAgainstTheCopyOutsideIt() {
        requests(5);
        anchoring().checkpointNow();
        var checkpoints = db.getCollection("audit_checkpoints");
        Document newest = checkpoints.find(eq("_id", 0L)).first();
        checkpoints.deleteOne(eq("_id", 0L));
        try {
            Parameters result = verify();
            assertThat(result.getParameterBool("intact")).isFalse();
            assertThat(result.getParameterBool("anchorsAgree")).isFalse();
            assertThat(integer(result, "firstBrokenLink")).isEqualTo(1);
            assertThat(text(result, "problem")).contains("kept outside the store").contains("missing from the store");
        } finally {
            checkpoints.replaceOne(eq("_id", 0L), newest, new ReplaceOptions().upsert(true));
        }
        assertThat(verify().getParameterBool("intact")).isTrue();

        // Nor can a checkpoint be rewritten to match rewritten links: its seal no longer holds.
        String hashes = newest.getString("hashes");
        checkpoints.updateOne(eq("_id", 0L), Updates.set("hashes", (hashes.charAt(0) == '0' ? "1" : "0") + hashes.substring(1)));
        try {
            Parameters result = verify();
            assertThat(result.getParameterBool("intact")).isFalse();
            assertThat(text(result, "problem")).contains("in the store fails its seal check");
        } finally {
            checkpoints.replaceOne(eq("_id", 0L), newest);
        }
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    @Test
    @Order(3)
    void aTruncatedChainIsFoundAgainstItsSealedLength() {
        requests(4);
        anchoring().checkpointNow();
        long head = head();
        var links = db.getCollection("audit_chain");
        var heads = db.getCollection("audit_chain_head");
        List<Document> removed = new ArrayList<>();
        for (long seq = head - 2; seq <= head; seq++) {
            removed.add(links.findOneAndDelete(eq("_id", seq)));
        }
        Document oldHead = heads.find(eq("_id", "head")).first();
        heads.replaceOne(eq("_id", "head"), new Document("_id", "head").append("seq", head - 3).append("hash", link(head - 3).getString("hash")));
        try {
            AuditAnchoring.Status status = anchoring().verify();
            assertThat(status.intact()).isFalse();
            assertThat(status.firstBroken()).isEqualTo(head - 2);
            assertThat(status.problem()).contains("links were removed");
        } finally {
            links.insertMany(removed);
            heads.replaceOne(eq("_id", "head"), oldHead);
        }
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    @Test
    @Order(4)
    void theReviewersRechainedTamperIsFoundEverywhereAndTheEventIsRefusedWhenRead() throws Exception {
        requests(10);
        anchoring().checkpointNow();
        long k = head() - 4;
        String tampered = link(k).getString("event");
        String untouched = link(k + 1).getString("event");
        var events = db.getCollection("AuditEvent");
        String body = events.find(eq("_id", tampered)).first().getString("body");
        events.updateOne(eq("_id", tampered), Updates.set("body", body.replace("\"rest\"", "\"rest \"")));
        rechain(k);
        // The plain chain is consistent again: on the code before anchoring, $verify-audit-chain said intact.

        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isFalse();
        assertThat(integer(result, "firstBrokenLink")).isEqualTo(k);
        assertThat(text(result, "problem")).contains("AuditEvent/" + tampered).contains("was changed after it was sealed");

        HttpResponse<String> read = hub.send("GET", "/AuditEvent/" + tampered, null, null);
        assertThat(read.statusCode()).isEqualTo(500);
        assertThat(read.body()).contains("改ざんの疑い").contains("AuditEvent/" + tampered);
        assertThat(hub.send("GET", "/AuditEvent/" + untouched, null, null).statusCode()).isEqualTo(200);
        Bundle search = json.parseResource(Bundle.class, hub.send("GET", "/AuditEvent?_count=500", null, null).body());
        assertThat(search.getEntry()).anySatisfy(e -> assertThat(json.encodeResourceToString(e.getResource()))
                .contains("OperationOutcome").contains("AuditEvent/" + tampered));

        AuditAnchoring.Status scheduled = anchoring().nextScheduledCheck().get(60, TimeUnit.SECONDS);
        assertThat(scheduled.firstBroken()).isEqualTo(k);
        assertThat(alerts()).anySatisfy(a -> assertThat(a).contains("link " + k).contains("AuditEvent/" + tampered));

        int before = alerts().size();
        restart();
        AuditAnchoring.Status atStartup = anchoring().startupCheck().get(60, TimeUnit.SECONDS);
        assertThat(atStartup.firstBroken()).isEqualTo(k);
        assertThat(atStartup.problem()).contains("was changed after it was sealed");
        assertThat(alerts()).hasSizeGreaterThan(before);

        // The attacker also deletes the store's checkpoints: the copy outside the store still tells.
        db.getCollection("audit_checkpoints").deleteMany(new Document());
        AuditAnchoring.Status status = anchoring().verify();
        assertThat(status.intact()).isFalse();
        assertThat(status.anchorsAgree()).isFalse();
        assertThat(status.problem()).contains("kept outside the store");
    }

    /** What the reviewer did: every link from {@code from} on and the head recomputed with plain SHA-256. */
    private void rechain(long from) throws Exception {
        var links = db.getCollection("audit_chain");
        var events = db.getCollection("AuditEvent");
        String prev = link(from - 1).getString("hash");
        long head = head();
        for (long seq = from; seq <= head; seq++) {
            String event = events.find(eq("_id", link(seq).getString("event"))).first().getString("body");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prev.getBytes(StandardCharsets.US_ASCII));
            sha.update(event.getBytes(StandardCharsets.UTF_8));
            String hash = HexFormat.of().formatHex(sha.digest());
            links.updateOne(eq("_id", seq), Updates.combine(Updates.set("prev", prev), Updates.set("hash", hash)));
            prev = hash;
        }
        db.getCollection("audit_chain_head").replaceOne(eq("_id", "head"), new Document("_id", "head").append("seq", head).append("hash", prev));
    }
}
