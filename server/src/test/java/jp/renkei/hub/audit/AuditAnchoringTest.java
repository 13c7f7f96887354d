package jp.renkei.hub.audit;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.sign.DeploymentCa;
import jp.renkei.hub.store.AuditChainStore;
import jp.renkei.hub.store.AuditCheckpointStore;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The audit chain anchored by sealed checkpoints (issue 17, point 4), against a hub with its deployment CA and audit
 * seal, restarted on the same data and anchor directory. Sealing runs by itself every 5 events (the interval and the
 * full check are an hour apart, so the tests decide when else); a test changing the anchors behind the hub's back
 * while a round may be due waits for sealing to be quiet first ({@code awaitSealing}): a round reads the store, then
 * writes it. The review's attack (change one stored AuditEvent,
 * recompute every later link and the head with plain SHA-256) is found by {@code $verify-audit-chain}, at start-up and
 * by the scheduled check, and the changed event is refused when read; the read check's bypasses, deleted or rewritten
 * checkpoints, a truncated chain, copies cut short or unwritable, an expired seal, a checkpoint of another deployment,
 * and a rewritten chain whose anchors were all deleted are each found or refused. The destructive scenarios run last,
 * then a backlog sealed late on purpose, which stays marked so as its block grows (on data of its own).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(OutputCaptureExtension.class)
class AuditAnchoringTest {

    private static final char[] PASSWORD = "test-only-pki".toCharArray();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path root;
    private Path data;
    private Path anchors;
    private Path caDir;
    private DeploymentCa ca;
    private String[] properties;
    private HubInstance hub;
    private MongoDatabase db;
    private final IParser json = HubInstance.fhirContext().newJsonParser();
    /** The first link the running hub appended after the rewrite: it follows the link as the hub last wrote it. */
    private long appendedAfterRewrite;

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("renkei-anchoring");
        data = root.resolve("data");
        anchors = root.resolve("anchors");
        caDir = root.resolve("ca");
        ca = DeploymentCa.create(caDir, "Test Renkei CA", Duration.ofDays(90), PASSWORD);
        Instant now = Instant.now();
        ca.issueOrganization("renkei-hub", "Renkei ハブ", now.minusSeconds(60), now.plus(Duration.ofDays(60)), PASSWORD);
        ca.issueAuditSeal("Renkei audit seal", now.minusSeconds(60), now.plus(Duration.ofDays(60)), PASSWORD);
        properties = properties("renkei.audit.anchor-dir=" + anchors);
        open();
    }

    private String[] properties(String... more) {
        List<String> all = new ArrayList<>(List.of(
                "renkei.sign.required=true",
                "renkei.sign.trust-anchors=" + caDir.resolve("ca.crt"),
                "renkei.sign.crls=" + caDir.resolve("ca.crl"),
                "renkei.sign.seals=" + caDir.resolve("issued"),
                "renkei.sign.seal-password=" + new String(PASSWORD),
                "renkei.audit.node=node-a",
                "renkei.audit.checkpoint-every=5",
                "renkei.audit.checkpoint-interval=1h",
                "renkei.audit.verify-interval=1h"));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** A hub of its own (docs/architecture.md §10): its PKI and anchors, restarted on its data, its chain rewritten. */
    private void open() {
        hub = new HubInstance(data, properties);
        db = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database());
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

    /** Audited requests (each leaves one AuditEvent naming the patient asked for). */
    private void requests(int count) {
        for (int i = 0; i < count; i++) {
            assertThat(hub.send("GET", "/Patient/nobody-" + i, null, null).statusCode())
                    .isEqualTo(404);
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

    private static List<String> notes(Parameters parameters) {
        return parameters.getParameter().stream()
                .filter(p -> p.getName().equals("note"))
                .map(p -> p.getValue().primitiveValue())
                .toList();
    }

    private long head() {
        return db.getCollection("audit_chain_head")
                .find(eq("_id", "head"))
                .first()
                .getLong("seq");
    }

    private Document link(long seq) {
        return db.getCollection("audit_chain").find(eq("_id", seq)).first();
    }

    private MongoCollection<Document> checkpoints() {
        return db.getCollection("audit_checkpoints");
    }

    /** The checkpoint of a block as stored: its pointer and the checkpoint it names. */
    private List<Document> stored(long block) {
        Document pointer = checkpoints().find(eq("_id", Long.toString(block))).first();
        return pointer == null
                ? List.of()
                : List.of(
                        pointer,
                        checkpoints()
                                .find(eq("_id", block + "/" + pointer.getLong("to")))
                                .first());
    }

    private void restore(List<Document> documents) {
        documents.forEach(d -> checkpoints().replaceOne(eq("_id", d.get("_id")), d, new ReplaceOptions().upsert(true)));
    }

    private Path copies() {
        return anchors.resolve("checkpoints-node-a.jsonl");
    }

    private long lines() throws Exception {
        return Files.exists(copies())
                ? Files.readAllLines(copies(), StandardCharsets.ISO_8859_1).size()
                : 0;
    }

    /** The outcome descriptions of the Security Alerts of this subtype (audit-chain-break, audit-anchoring). */
    private List<String> alerts(String subtype) {
        List<String> alerts = new ArrayList<>();
        for (Document event : db.getCollection("AuditEvent").find()) {
            AuditEvent parsed = json.parseResource(AuditEvent.class, event.getString("body"));
            if ("110113".equals(parsed.getType().getCode())
                    && parsed.getSubtype().stream().anyMatch(c -> subtype.equals(c.getCode()))) {
                alerts.add(parsed.getOutcomeDesc());
            }
        }
        return alerts;
    }

    private static int occurrences(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    private String tamper(String eventId) {
        var events = db.getCollection("AuditEvent");
        String body = events.find(eq("_id", eventId)).first().getString("body");
        String changed = body.replace("\"rest\"", "\"rest \"");
        events.updateOne(eq("_id", eventId), Updates.set("body", changed));
        return changed;
    }

    @Test
    @Order(1)
    void anUntamperedChainIsSealedAsItGrowsAndStaysIntactAcrossARestart() throws Exception {
        requests(12);
        anchoring().awaitSealing();
        // sealed by itself: every 5 events, the interval being an hour
        assertThat(hub.bean(Anchors.class).checkpoints().sealedThrough()).isGreaterThanOrEqualTo(5);
        anchoring().checkpointNow();
        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(result.getParameterBool("anchored")).isTrue();
        assertThat(result.getParameterBool("anchorsAgree")).isTrue();
        assertThat(integer(result, "sealedThrough")).isGreaterThanOrEqualTo(12);
        assertThat(notes(result)).isEmpty();
        assertThat(copies()).isNotEmptyFile();
        String sealedEvent = link(3).getString("event");
        assertThat(hub.send("GET", "/AuditEvent/" + sealedEvent, null, null).statusCode())
                .isEqualTo(200);

        restart();
        AuditAnchoring.Status atStartup = anchoring().startupCheck().get(60, TimeUnit.SECONDS);
        assertThat(atStartup.intact()).as(atStartup.problem()).isTrue();
        // A node that finds the chain sealed does not seal again on every event (review #7): 4 events, then one round.
        anchoring().checkpointNow();
        long before = lines();
        requests(4);
        anchoring().checkpointNow();
        assertThat(lines() - before).isEqualTo(1);
        result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(result.getParameterBool("anchorsAgree")).isTrue();
        assertThat(hub.send("GET", "/AuditEvent/" + sealedEvent, null, null).statusCode())
                .isEqualTo(200);
        assertThat(alerts("audit-chain-break")).isEmpty();
        assertThat(alerts("audit-anchoring")).isEmpty();
    }

    @Test
    @Order(2)
    void checkingWhileEventsArriveAndAreSealedNeverReportsABreak() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            writers.add(pool.submit(() -> requests(40)));
        }
        Future<?> sealer = pool.submit(() -> {
            while (writing.get()) {
                anchoring().checkpointNow();
            }
        });
        List<String> problems = new ArrayList<>();
        int checks = 0;
        try {
            while (writers.stream().anyMatch(f -> !f.isDone()) || checks < 20) {
                AuditAnchoring.Status status = anchoring().verify();
                checks++;
                if (!status.intact()) {
                    problems.add(status.problem());
                }
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
        } finally {
            writing.set(false);
            sealer.get();
            pool.shutdown();
        }
        assertThat(problems).as(checks + " checks").isEmpty();
        assertThat(alerts("audit-chain-break")).isEmpty();
    }

    @Test
    @Order(3)
    void checkpointsDeletedFromTheStoreAreFoundAgainstTheCopyOutsideItAndNeverSealedAgain() throws Exception {
        requests(5);
        anchoring().checkpointNow();
        List<Document> block = stored(0);
        block.forEach(d -> checkpoints().deleteOne(eq("_id", d.get("_id"))));
        try {
            Parameters result = verify();
            assertThat(result.getParameterBool("intact")).isFalse();
            assertThat(result.getParameterBool("anchorsAgree")).isFalse();
            assertThat(integer(result, "firstBrokenLink")).isEqualTo(1);
            assertThat(text(result, "problem"))
                    .contains("kept outside the store")
                    .contains("missing from the store");
            // sealing does not make the lost checkpoint again, nor go on past it
            requests(6);
            anchoring().checkpointNow();
            assertThat(stored(0)).isEmpty();
        } finally {
            restore(block);
        }
        anchoring().checkpointNow();
        assertThat(verify().getParameterBool("intact")).isTrue();

        // Nor can a checkpoint be rewritten to match rewritten links: its seal no longer holds.
        Document checkpoint = stored(0).get(1);
        String hashes = checkpoint.getString("hashes");
        checkpoints()
                .updateOne(
                        eq("_id", checkpoint.get("_id")),
                        Updates.set("hashes", (hashes.charAt(0) == '0' ? "1" : "0") + hashes.substring(1)));
        try {
            Parameters result = verify();
            assertThat(result.getParameterBool("intact")).isFalse();
            assertThat(text(result, "problem")).contains("in the store fails its seal check");
        } finally {
            restore(List.of(checkpoint));
        }

        // A checkpoint sealed for another deployment (same audit seal) does not hold here (review #5).
        Anchors own = hub.bean(Anchors.class);
        MongoDatabase staging = hub.bean(MongoClient.class).getDatabase("staging-" + System.nanoTime());
        List<String> links = new ArrayList<>();
        for (int i = 0; i < hashes.length(); i += 64) {
            links.add(hashes.substring(i, i + 64));
        }
        AuditCheckpoints.Checkpoint foreign = new AuditCheckpoints(
                        new AuditCheckpointStore(staging), own.seal(), "staging", "node-a")
                .seal(0, links, false, checkpoint.getLong("since") - 1);
        checkpoints().updateOne(eq("_id", checkpoint.get("_id")), Updates.set("seal", foreign.jws()));
        try {
            Parameters result = verify();
            assertThat(result.getParameterBool("intact")).isFalse();
            assertThat(text(result, "problem")).contains("in the store fails its seal check");
        } finally {
            restore(List.of(checkpoint));
        }
        assertThat(verify().getParameterBool("intact")).isTrue();

        // Checkpoints sealed by a node whose copies are not in this node's anchor directory (not shared: review #2).
        anchoring().checkpointNow(); // no round while the file is away
        Path aside = anchors.resolve("elsewhere.txt");
        Files.move(copies(), aside);
        try {
            Parameters result = verify();
            assertThat(result.getParameterBool("anchorsAgree")).isFalse();
            assertThat(notes(result))
                    .anySatisfy(n -> assertThat(n).contains("sealed by node node-a, whose copies are not in"));
        } finally {
            Files.move(aside, copies(), StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(verify().getParameterBool("anchorsAgree")).isTrue();
    }

    @Test
    @Order(4)
    void aTruncatedChainIsFoundAgainstItsSealedLengthAndTheHeadNeverMovesBack() {
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
        heads.replaceOne(
                eq("_id", "head"),
                new Document("_id", "head")
                        .append("seq", head - 3)
                        .append("hash", link(head - 3).getString("hash")));
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

        // A hub that appended an earlier link and moves the head late leaves it where another one moved it (review #6).
        long now = head();
        hub.bean(AuditChain.class).advanceHead(now - 1, link(now - 1).getString("hash"));
        assertThat(head()).isEqualTo(now);
    }

    @Test
    @Order(5)
    void theChainsIndexByEventMustBeBuiltOrNothingStarts() {
        MongoDatabase other = hub.bean(MongoClient.class).getDatabase("unindexable-" + System.nanoTime());
        other.getCollection("audit_chain").insertOne(new Document("_id", 1L).append("event", "same"));
        other.getCollection("audit_chain").insertOne(new Document("_id", 2L).append("event", "same"));
        assertThatThrownBy(() -> new AuditChain(new AuditChainStore(other)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unique index by event cannot be built");
    }

    @Test
    @Order(6)
    void theReadCheckTakesNoLinkAtItsWord() throws Exception {
        requests(2);
        anchoring().checkpointNow();
        long k = head() - 1;
        String id = link(k).getString("event");
        var events = db.getCollection("AuditEvent");
        var chain = db.getCollection("audit_chain");
        Document original = events.find(eq("_id", id)).first();
        Document originalLink = link(k);
        try {
            // its link retargeted to another event: the changed event has no link (and was stored two days ago)
            String changed = tamper(id);
            events.updateOne(
                    eq("_id", id), Updates.set("ts", Date.from(Instant.now().minus(Duration.ofDays(2)))));
            chain.updateOne(eq("_id", k), Updates.set("event", "decoy"));
            HttpResponse<String> read = hub.send("GET", "/AuditEvent/" + id, null, null);
            assertThat(read.statusCode()).isEqualTo(500);
            assertThat(read.body()).contains("改ざんの疑い").contains("in no link of the audit chain");

            // a decoy link beyond the head, chaining the changed event to a hash of its own
            chain.insertOne(new Document("_id", 1_000_000L)
                    .append("event", id)
                    .append("prev", AuditChain.GENESIS)
                    .append("hash", AuditChain.hash(AuditChain.GENESIS, changed)));
            read = hub.send("GET", "/AuditEvent/" + id, null, null);
            assertThat(read.statusCode()).isEqualTo(500);
            assertThat(read.body()).contains("beyond the end of the audit chain");
            chain.deleteOne(eq("_id", 1_000_000L));

            // its own link recomputed and its checkpoint deleted
            chain.replaceOne(
                    eq("_id", k),
                    new Document(originalLink)
                            .append("hash", AuditChain.hash(originalLink.getString("prev"), changed)));
            List<Document> block = stored(AuditCheckpoints.blockOf(k));
            block.forEach(d -> checkpoints().deleteOne(eq("_id", d.get("_id"))));
            try {
                assertThat(hub.send("GET", "/AuditEvent/" + id, null, null).statusCode())
                        .isEqualTo(500);
            } finally {
                restore(block);
            }
        } finally {
            chain.replaceOne(eq("_id", k), originalLink);
            events.replaceOne(eq("_id", id), original);
        }
        assertThat(hub.send("GET", "/AuditEvent/" + id, null, null).statusCode())
                .isEqualTo(200);
    }

    @Test
    @Order(7)
    void copiesCutShortByACrashOrUnwritableAreReportedAndSealingGoesOn(CapturedOutput output) throws Exception {
        anchoring().checkpointNow();
        // a crash in the middle of a line: the next line starts on a line of its own, and the cut one is named
        Files.write(copies(), "{\"block\":0,\"to\"".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        requests(2);
        anchoring().checkpointNow();
        List<String> all = Files.readAllLines(copies(), StandardCharsets.ISO_8859_1);
        JsonNode last = JSON.readTree(all.get(all.size() - 1));
        assertThat(last.path("to").asLong())
                .isEqualTo(hub.bean(Anchors.class).checkpoints().sealedThrough());
        assertThat(last.path("seal").asText()).isNotEmpty();
        Files.write(copies(), new byte[] {(byte) 0xff, (byte) 0xfe, 'x', '\n'}, StandardOpenOption.APPEND);
        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(notes(result))
                .anySatisfy(n ->
                        assertThat(n).contains("cannot be read: checkpoints-node-a.jsonl line " + (all.size() - 1)))
                .anySatisfy(n ->
                        assertThat(n).contains("cannot be read: checkpoints-node-a.jsonl line " + (all.size() + 1)));
        List<String> readable = Files.readAllLines(copies(), StandardCharsets.ISO_8859_1).stream()
                .filter(l -> l.startsWith("{\"block\"") && l.endsWith("}"))
                .toList();
        Files.write(copies(), readable, StandardCharsets.US_ASCII);

        // the copy file cannot be written: checkpoints are still sealed in the store, with one alert and one log line
        Path aside = anchors.resolve("aside.txt");
        Files.move(copies(), aside);
        Files.createDirectory(copies());
        try {
            requests(6);
            anchoring().checkpointNow();
            requests(6);
            anchoring().checkpointNow();
            assertThat(hub.bean(Anchors.class).checkpoints().sealedThrough()).isGreaterThanOrEqualTo(head() - 1);
            assertThat(alerts("audit-anchoring"))
                    .filteredOn(a -> a.contains("cannot be copied outside it"))
                    .hasSize(1);
            assertThat(occurrences(output.toString(), "cannot be copied outside it"))
                    .isEqualTo(1);
        } finally {
            Files.delete(copies());
            Files.move(aside, copies());
        }
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    @Test
    @Order(8)
    void anExpiredAuditSealSealsNothingAndSaysSoOnceAndARenewedOneCarriesOn(CapturedOutput output) throws Exception {
        anchoring().checkpointNow();
        long sealed = hub.bean(Anchors.class).checkpoints().sealedThrough();
        Instant now = Instant.now();
        ca.issueAuditSeal("Renkei audit seal", now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)), PASSWORD);
        requests(6);
        anchoring().checkpointNow();
        requests(6);
        anchoring().checkpointNow();
        assertThat(hub.bean(Anchors.class).checkpoints().sealedThrough()).isEqualTo(sealed);
        assertThat(alerts("audit-anchoring"))
                .filteredOn(a -> a.contains("no audit chain checkpoint can be sealed"))
                .singleElement()
                .satisfies(a -> assertThat(a).contains("deploy/pki.sh audit-seal"));
        assertThat(occurrences(output.toString(), "no audit chain checkpoint can be sealed"))
                .isEqualTo(1);
        // what the former seal sealed still holds (it is kept beside the new one)
        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(integer(result, "sealedThrough")).isEqualTo((int) sealed);

        // renewed, valid for less than the month of warning: sealing carries on, and the coming expiry is announced
        ca.issueAuditSeal("Renkei audit seal", now.minusSeconds(60), now.plus(Duration.ofDays(20)), PASSWORD);
        anchoring().checkpointNow();
        result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(integer(result, "sealedThrough")).isGreaterThan((int) sealed + 12);
        assertThat(alerts("audit-anchoring")).anySatisfy(a -> assertThat(a).contains("expires at"));
    }

    @Test
    @Order(9)
    void theReviewersRechainedTamperIsFoundEverywhereAndTheEventIsRefusedWhenRead(CapturedOutput output)
            throws Exception {
        requests(10);
        anchoring().checkpointNow();
        long sealed = hub.bean(Anchors.class).checkpoints().sealedThrough();
        requests(2); // chained, not sealed yet
        long k = sealed - 4;
        String tampered = link(k).getString("event");
        String untouched = link(k + 1).getString("event");
        String unsealed = link(sealed + 1).getString("event");
        tamper(tampered);
        rechain(k);
        appendedAfterRewrite = head() + 1;
        // The plain chain is consistent again: on the code before anchoring, $verify-audit-chain said intact.

        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isFalse();
        assertThat(integer(result, "firstBrokenLink")).isEqualTo(k);
        assertThat(text(result, "problem"))
                .contains("AuditEvent/" + tampered)
                .contains("was changed after it was sealed");

        HttpResponse<String> read = hub.send("GET", "/AuditEvent/" + tampered, null, null);
        assertThat(read.statusCode()).isEqualTo(500);
        assertThat(read.body()).contains("改ざんの疑い").contains("AuditEvent/" + tampered);
        assertThat(hub.send("GET", "/AuditEvent/" + untouched, null, null).statusCode())
                .isEqualTo(200);
        // not sealed yet, but its link was recomputed: it no longer follows the sealed link before it
        read = hub.send("GET", "/AuditEvent/" + unsealed, null, null);
        assertThat(read.statusCode()).isEqualTo(500);
        assertThat(read.body()).contains("does not follow the sealed link");
        Bundle search = json.parseResource(
                Bundle.class,
                hub.send("GET", "/AuditEvent?_count=500", null, null).body());
        assertThat(search.getEntry())
                .anySatisfy(e -> assertThat(json.encodeResourceToString(e.getResource()))
                        .contains("OperationOutcome")
                        .contains("AuditEvent/" + tampered));
        assertThat(alerts("audit-chain-break"))
                .anySatisfy(a -> assertThat(a).contains("link " + k).contains("AuditEvent/" + tampered));

        // The last full check was two hours ago (by any node): the check every hour runs soon after a restart, and the
        // alerts already raised are not raised again.
        db.getCollection("audit_checks")
                .updateOne(
                        eq("_id", "full"),
                        Updates.set("at", Date.from(Instant.now().minus(Duration.ofHours(2)))));
        int before = alerts("audit-chain-break").size();
        restart();
        AuditAnchoring.Status atStartup = anchoring().startupCheck().get(60, TimeUnit.SECONDS);
        assertThat(atStartup.firstBroken()).isEqualTo(k);
        assertThat(atStartup.problem()).contains("was changed after it was sealed");
        AuditAnchoring.Status scheduled = anchoring().firstScheduledCheck().get(60, TimeUnit.SECONDS);
        assertThat(scheduled.firstBroken()).isEqualTo(k);
        assertThat(alerts("audit-chain-break")).hasSize(before);

        // The attacker also deletes the store's checkpoints: the copy outside the store still tells.
        checkpoints().deleteMany(new Document());
        AuditAnchoring.Status status = anchoring().verify();
        assertThat(status.intact()).isFalse();
        assertThat(status.anchorsAgree()).isFalse();
        assertThat(status.problem()).contains("kept outside the store");

        // Alerts and log lines name links and AuditEvent ids, never the patients the events are about.
        List<String> alerts = new ArrayList<>(alerts("audit-chain-break"));
        alerts.addAll(alerts("audit-anchoring"));
        assertThat(alerts)
                .isNotEmpty()
                .allSatisfy(a -> assertThat(a).doesNotContain("nobody-").doesNotContain("Patient/"));
        assertThat(output.toString()).contains("AuditEvent/" + tampered).doesNotContain("nobody-");
    }

    @Test
    @Order(10)
    void aRewrittenChainWhoseAnchorsWereAllDeletedIsNotSealedAgain() throws Exception {
        // The attacker of the test before also deletes the copies, while the hub is stopped; the events were chained
        // two days ago (stored so: the hub tells when from an event's time-ordered id and its lastUpdated, the
        // earlier).
        long backdated = head();
        db.getCollection("AuditEvent")
                .updateMany(
                        new Document(),
                        Updates.set("ts", Date.from(Instant.now().minus(Duration.ofDays(2)))));
        checkpoints().deleteMany(new Document());
        hub.close();
        try (var files = Files.list(anchors)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        open();
        anchoring().startupCheck().get(60, TimeUnit.SECONDS);
        anchoring().checkpointNow();
        assertThat(checkpoints().countDocuments()).isZero();
        assertThat(alerts("audit-anchoring"))
                .anySatisfy(a ->
                        assertThat(a).contains("links from 1 on are not sealed").contains("renkei.audit.seal-backlog"));
        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isFalse();
        assertThat(integer(result, "firstBrokenLink")).isEqualTo(1);
        assertThat(text(result, "problem")).contains("are not sealed though link 1 was chained at");

        // Had the links been sealed anew regardless (as before this check existed), the checkpoint's time gives it
        // away.
        List<String> hashes = new ArrayList<>();
        for (long seq = 1; seq <= backdated; seq++) {
            hashes.add(link(seq).getString("hash"));
        }
        // the events of the requests above queued rounds (nothing is sealed here yet, so each is due): one under way
        // would extend this checkpoint from the recent links on, and the check would look at those
        anchoring().awaitSealing();
        hub.bean(Anchors.class).checkpoints().seal(0, hashes, false, 0);
        result = verify();
        assertThat(result.getParameterBool("intact")).isFalse();
        assertThat(integer(result, "firstBrokenLink")).isEqualTo(1);
        assertThat(text(result, "problem")).contains("long after link 1 was chained");
        // The operator, having verified the chain, has the backlog sealed once: the checkpoints say so.
        // (The round the last request queued, once done: under way, it would store its checkpoint after the deletion.)
        anchoring().awaitSealing();
        checkpoints().deleteMany(new Document());
        hub.close();
        try (var files = Files.list(anchors)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        properties = properties("renkei.audit.anchor-dir=" + anchors, "renkei.audit.seal-backlog=true");
        open();
        anchoring().startupCheck().get(60, TimeUnit.SECONDS);
        anchoring().checkpointNow();
        result = verify();
        assertThat(notes(result))
                .anySatisfy(n -> assertThat(n).contains("links 1-").contains("sealed late on purpose"));
        // sealed up to the rewrite's own seam: what the hub appended while the rewrite was made does not follow it
        assertThat(integer(result, "sealedThrough")).isEqualTo((int) appendedAfterRewrite - 1);
        assertThat(integer(result, "firstBrokenLink")).isEqualTo((int) appendedAfterRewrite);
        assertThat(text(result, "problem")).contains("does not follow");
    }

    @Test
    @Order(11)
    void withSignaturesRequiredTheHubDoesNotStartWithoutAUsableAnchor() throws Exception {
        Path refused = Files.createDirectories(root.resolve("refused"));
        Path file = Files.writeString(refused.resolve("a-file"), "");
        // no anchor directory named: the default would sit beside the data
        assertThatThrownBy(() -> new HubInstance(refused.resolve("data1"), properties("renkei.audit.anchor-dir=")))
                .hasStackTraceContaining("RENKEI_AUDIT_ANCHOR_DIR");
        // inside the store's data directory
        assertThatThrownBy(() -> new HubInstance(
                        refused.resolve("data2"),
                        properties("renkei.audit.anchor-dir=" + refused.resolve("data2/anchors"))))
                .hasStackTraceContaining("inside the store's data directory");
        // not writable
        assertThatThrownBy(() -> new HubInstance(
                        refused.resolve("data3"), properties("renkei.audit.anchor-dir=" + file.resolve("anchors"))))
                .hasStackTraceContaining("checkpoint copies cannot be written");
        // no audit seal
        Path withoutSeal = refused.resolve("seals");
        Files.createDirectories(withoutSeal);
        Files.copy(
                caDir.resolve("issued/organization-renkei-hub.p12"),
                withoutSeal.resolve("organization-renkei-hub.p12"));
        String[] noSeal = Arrays.stream(properties("renkei.audit.anchor-dir=" + refused.resolve("anchors")))
                .map(p -> p.startsWith("renkei.sign.seals=") ? "renkei.sign.seals=" + withoutSeal : p)
                .toArray(String[]::new);
        assertThatThrownBy(() -> new HubInstance(refused.resolve("data4"), noSeal))
                .hasStackTraceContaining("deploy/pki.sh audit-seal");
    }

    @Test
    @Order(12)
    void aBacklogSealedLateStaysMarkedLateWhenItsBlockGrows() throws Exception {
        // A chain from before anchoring, on data of its own: three events chained two days ago, none sealed (the hub
        // stopping refuses them: chained too long ago).
        hub.close();
        data = root.resolve("data-backlog");
        anchors = root.resolve("anchors-backlog");
        properties = properties("renkei.audit.anchor-dir=" + anchors);
        open();
        requests(3);
        anchoring().awaitSealing();
        db.getCollection("AuditEvent")
                .updateMany(
                        new Document(),
                        Updates.set("ts", Date.from(Instant.now().minus(Duration.ofDays(2)))));
        hub.close();
        properties = properties("renkei.audit.anchor-dir=" + anchors, "renkei.audit.seal-backlog=true");
        open();
        anchoring().startupCheck().get(60, TimeUnit.SECONDS);
        anchoring().checkpointNow();
        long backlog = hub.bean(Anchors.class).checkpoints().sealedThrough();
        assertThat(backlog).isGreaterThanOrEqualTo(3);
        assertThat(notes(verify()))
                .anySatisfy(n -> assertThat(n).contains("links 1-" + backlog + " were sealed late on purpose"));
        // events chained now: the next checkpoint of the block carries the backlog on, and still says so
        requests(2);
        anchoring().checkpointNow();
        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(integer(result, "sealedThrough")).isGreaterThan((int) backlog);
        assertThat(notes(result))
                .anySatisfy(n -> assertThat(n).contains("links 1-").contains("sealed late on purpose"));
    }

    /** What the reviewer did: every link from {@code from} on and the head recomputed with plain SHA-256. */
    private void rechain(long from) throws Exception {
        var links = db.getCollection("audit_chain");
        var events = db.getCollection("AuditEvent");
        String prev = link(from - 1).getString("hash");
        long head = head();
        for (long seq = from; seq <= head; seq++) {
            String event =
                    events.find(eq("_id", link(seq).getString("event"))).first().getString("body");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prev.getBytes(StandardCharsets.US_ASCII));
            sha.update(event.getBytes(StandardCharsets.UTF_8));
            String hash = HexFormat.of().formatHex(sha.digest());
            links.updateOne(eq("_id", seq), Updates.combine(Updates.set("prev", prev), Updates.set("hash", hash)));
            prev = hash;
        }
        db.getCollection("audit_chain_head")
                .replaceOne(
                        eq("_id", "head"),
                        new Document("_id", "head").append("seq", head).append("hash", prev));
    }
}
