package jp.renkei.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jp.renkei.hub.Await;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubProcess;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.TestIssuer;
import jp.renkei.hub.audit.AuditTrail;
import jp.renkei.hub.store.EmbeddedMongo;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.StoreProperties;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a hub process while it is dispatching notifications under a stream of writes. After
 * the restart every committed document has exactly one event (numbers 1..n, none lost, none twice, the ones
 * a client already received unchanged), and every event's disclosure is audited once and receipted: the
 * changes the kill left in flight were taken again and caught up.
 */
class NotificationCrashIT {

    private final TestIssuer issuer = new TestIssuer();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path dir;

    @AfterEach
    void stop() throws Exception {
        issuer.close();
        if (dir != null) {
            HubInstance.deleteStore(dir);
            Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + ".log"));
        }
    }

    @Test
    void aHubKilledMidDispatchLosesNoEventNumbersNoneTwiceAndAuditsEachDisclosureOnce() throws Exception {
        dir = Files.createTempDirectory("renkei-notify-kill");
        String[] auth = issuer.hubProperties();
        String careManager = issuer.token()
                .roles("care-manager")
                .subject("cm-sato")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
        String nurse = issuer.token()
                .roles("visiting-nurse")
                .subject("ns-kato")
                .claim("practitioner_role", "role-nurse")
                .claim("organization", "org-nursing")
                .sign();

        // first run, in this JVM: the patient, its care team and consent, and the care manager's Subscription
        String subscription;
        String database;
        try (HubInstance hub = new HubInstance(dir, auth[0], auth[1], auth[2])) {
            StoreFixtures store = StoreFixtures.of(hub);
            database = hub.bean(StoreProperties.class).database();
            store.write(List.of(new WriteRequest(
                    "Patient",
                    "p1",
                    new Patient().addName(new HumanName().setFamily("久慈").addGiven("タケ")),
                    null,
                    "Organization/org-hospital")));
            CareTeam team =
                    new CareTeam().setSubject(new Reference("Patient/p1")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
            team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
            team.addParticipant().setMember(new Reference("PractitionerRole/role-nurse"));
            store.write(List.of(new WriteRequest("CareTeam", "ct-p1", team, null, "Organization/org-hospital")));
            store.write(List.of(new WriteRequest(
                    "Consent",
                    "consent-p1",
                    CareRecords.sharingWith("p1", "CareTeam/ct-p1"),
                    null,
                    "Organization/org-hospital")));
            HttpResponse<String> created = hub.send(
                    "POST",
                    "/Subscription",
                    "application/fhir+json",
                    Notifications.JSON.encodeResourceToString(
                            Notifications.subscription(Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=p1")),
                    "Authorization",
                    "Bearer " + careManager);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            subscription = Notifications.JSON
                    .parseResource(Subscription.class, created.body())
                    .getIdElement()
                    .getIdPart();
        }

        // second run, its own process: the nurse writes documents from four threads, the care manager's socket
        // receives their events, and the process is killed just after a write was acknowledged
        Map<Long, String> received = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        try (HubProcess hub = new HubProcess(dir, auth);
                SocketClient socket = bound(hub.baseUrl(), careManager, subscription)) {
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writers = Executors.newFixedThreadPool(4);
            List<Future<Object>> writing = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                writing.add(writers.submit(() -> {
                    while (!stop.get()) {
                        HttpResponse<String> r = http.send(
                                HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/Composition"))
                                        .header("Content-Type", "application/fhir+json")
                                        .header("Authorization", "Bearer " + nurse)
                                        .POST(HttpRequest.BodyPublishers.ofString(careRecord(), StandardCharsets.UTF_8))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                        acknowledged.add(
                                new IdType(r.headers().firstValue("Location").orElseThrow()).getIdPart());
                        if (received.size() >= 40 && stop.compareAndSet(false, true)) {
                            hub.kill(); // SIGKILL: the events of the writes just acknowledged are in flight
                        }
                    }
                    return null;
                }));
                Thread.sleep(5); // staggers the writers' first requests; not a wait for anything
            }
            long deadline = System.currentTimeMillis() + 120_000;
            while (!stop.get()) {
                Bundle next = socket.nextNotHeartbeat(1000);
                if (next != null) {
                    Notifications.events(next)
                            .forEach(e -> received.put(Long.parseLong(e.split(" ")[0]), e.split(" ")[1]));
                }
                // a writer that failed or a socket that closed before the kill says so now, instead of the loop
                // waiting out its deadline (after the kill both are expected)
                for (Future<Object> writer : writing) {
                    if (writer.isDone()) {
                        try {
                            writer.get();
                        } catch (ExecutionException e) {
                            if (!stop.get()) {
                                throw new AssertionError("a writer failed before the kill", e.getCause());
                            }
                        }
                    }
                }
                if (socket.isClosed() && !stop.get()) {
                    throw new AssertionError("the socket closed before the kill: " + socket.awaitClose(1));
                }
                assertThat(System.currentTimeMillis())
                        .as(
                                "40 events received before the kill (%d writes acknowledged, %d events)",
                                acknowledged.size(), received.size())
                        .isLessThan(deadline);
            }
            writers.shutdown();
            assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        // what the kill left: changes committed but not yet marked done (their events numbered, pushed or audited, or
        // not)
        Set<String> inFlight = new HashSet<>();
        Set<String> numbered = new HashSet<>();
        try (EmbeddedMongo store = new EmbeddedMongo(new StoreProperties.Embedded(dir, true, 16));
                MongoClient client = MongoClients.create(store.connectionString())) {
            client.getDatabase(database)
                    .getCollection("change_feed")
                    .find()
                    .forEach(d -> inFlight.add(d.getString("_id")));
            org.bson.Document counter = client.getDatabase(database)
                    .getCollection("subscription_counters")
                    .find(com.mongodb.client.model.Filters.eq("_id", subscription))
                    .first();
            numbered.addAll(counter.getList("txs", String.class));
        }
        numbered.retainAll(inFlight);
        assertThat(inFlight).as("changes the kill left in flight").isNotEmpty();
        assertThat(numbered)
                .as(
                        "changes in flight whose events were already numbered (their push, receipt or audit may be missing)")
                .isNotEmpty();

        // third run: the pending changes are taken again; nothing is lost, nothing numbered twice
        try (HubInstance hub = new HubInstance(dir, auth[0], auth[1], auth[2])) {
            StoreFixtures store = StoreFixtures.of(hub);
            Await.until(
                    "pending changes dispatched after the restart",
                    java.time.Duration.ofSeconds(30),
                    () -> store.changeFeed().pending().isEmpty());
            EventLog log = hub.bean(EventLog.class);
            long count = log.count(subscription);
            List<EventLog.Event> events = log.range(subscription, 1, count);
            assertThat(events)
                    .extracting(EventLog.Event::number)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, count)
                            .boxed()
                            .toList());
            Set<String> focuses = new HashSet<>();
            events.forEach(e -> assertThat(focuses.add(e.focusId()))
                    .as("one event for " + e.focusId())
                    .isTrue());
            assertThat(focuses).containsAll(acknowledged);
            received.forEach((number, focus) -> assertThat(
                            "Composition/" + events.get((int) (number - 1)).focusId())
                    .as("event " + number + " as the client received it")
                    .isEqualTo(focus));

            Receipts receipts = hub.bean(Receipts.class);
            List<String> auditIds = new ArrayList<>();
            for (EventLog.Event e : events) {
                auditIds.add(AuditTrail.Notified.auditEventId(AuditTrail.Notified.key(e.tx(), subscription)));
                assertThat(receipts.of(e.focus()))
                        .as("receipt of " + e.focus())
                        .singleElement()
                        .satisfies(r -> assertThat(r.notified()).isNotNull());
            }
            assertThat(store.readCurrent("AuditEvent", auditIds, false))
                    .as("the notification audit of each event")
                    .hasSize(events.size());
        }
    }

    private static String careRecord() {
        return """
                {"resourceType":"Composition","status":"final",\
                "type":{"coding":[{"system":"http://renkei.example.jp/fhir/CodeSystem/care-document","code":"care-record"}]},\
                "subject":{"reference":"Patient/p1"},"date":"%s","author":[{"reference":"PractitionerRole/role-nurse"}],\
                "title":"訪問看護記録"}""".formatted(
                        // always with seconds: OffsetDateTime.toString() leaves out ":00", which is no R4 dateTime (a
                        // 422 once a minute)
                        java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                                OffsetDateTime.now(ZoneOffset.ofHours(9)).withNano(0)));
    }

    private SocketClient bound(String base, String token, String subscription) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(base + "/Subscription/" + subscription + "/$get-ws-binding-token"))
                        .header("Content-Type", "application/fhir+json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                Notifications.JSON.encodeResourceToString(new Parameters())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return SocketClient.bound(Notifications.JSON.parseResource(Parameters.class, answer.body()), 10_000);
    }
}
