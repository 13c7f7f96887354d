package jp.renkei.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jp.renkei.hub.Await;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.TestIssuer;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery that survives what goes wrong: a change committed while notifications were not running is
 * delivered after a restart, and a stuck client neither delays the others nor loses its events.
 */
class NotificationDeliveryTest {

    private final TestIssuer issuer = new TestIssuer();
    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private Path data;
    private HubInstance hub;

    @BeforeEach
    void start() throws Exception {
        data = Files.createTempDirectory("renkei-notify-delivery");
        hub = start(data);
        for (String p : List.of("p1", "p2")) {
            seed(
                    "Patient",
                    p,
                    new Patient().addName(new HumanName().setFamily("佐藤").addGiven("一郎")),
                    "Organization/org-hospital");
            CareTeam team =
                    new CareTeam().setSubject(new Reference("Patient/" + p)).setStatus(CareTeam.CareTeamStatus.ACTIVE);
            team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
            team.addParticipant().setMember(new Reference("PractitionerRole/role-nurse"));
            seed("CareTeam", "ct-" + p, team, "Organization/org-hospital");
            seed(
                    "Consent",
                    "consent-" + p,
                    CareRecords.sharingWith(p, "CareTeam/ct-" + p),
                    "Organization/org-hospital");
        }
    }

    @AfterEach
    void stop() {
        hub.close();
        issuer.close();
    }

    /** A hub of each test's own (docs/architecture.md §10): one restarts it, the other stalls it with a stuck client. */
    private HubInstance start(Path dir) {
        String[] auth = issuer.hubProperties();
        return new HubInstance(
                dir, auth[0], auth[1], auth[2], "renkei.notify.session-queue=8", "renkei.notify.send-timeout=2s");
    }

    @Test
    void aChangeCommittedWhileNotificationsWereDownIsDeliveredAfterTheRestart() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, "full-resource");
        hub.bean(NotificationDispatcher.class).stop();
        seed(
                "Composition",
                "while-down",
                CareRecords.about("Composition", "care-record", "p1"),
                "Organization/org-hospital");
        hub.close();

        hub = start(data);
        Bundle replay = Notifications.replayUntil(hub, cm, id, events -> events.size() >= 1);
        assertThat(Notifications.events(replay)).containsExactly("1 Composition/while-down");
        assertThat(replay.getEntry().get(1).getResource().getIdElement().getIdPart())
                .isEqualTo("while-down");
        // the Subscription itself outlived the restart, and a new write is event 2
        seed(
                "Composition",
                "after-restart",
                CareRecords.about("Composition", "care-record", "p1"),
                "Organization/org-hospital");
        assertThat(Notifications.events(Notifications.replayUntil(hub, cm, id, events -> events.size() >= 2)))
                .containsExactly("1 Composition/while-down", "2 Composition/after-restart");
    }

    @Test
    void aStuckClientDelaysNobodyAndReplaysWhatItMissed() throws Exception {
        String cm = careManager();
        String nurse = issuer.token()
                .roles("visiting-nurse")
                .subject("ns-kato")
                .claim("practitioner_role", "role-nurse")
                .claim("organization", "org-nursing")
                .sign();
        String stuckId = subscribe(cm, "full-resource");
        String healthyId = subscribe(nurse, "id-only");
        try (SocketClient stuck = bound(cm, stuckId);
                SocketClient healthy = bound(nurse, healthyId)) {
            stuck.stall();
            // discharge handoff documents are large: together far more than the socket buffers hold
            int documents = 150;
            for (int i = 0; i < documents; i++) {
                seed(
                        "Bundle",
                        "handoff-" + i,
                        CareRecords.about("Bundle", "discharge-summary", "p1"),
                        "Organization/org-hospital");
            }
            List<String> received = new ArrayList<>();
            while (received.size() < documents) {
                Bundle next = healthy.nextNotHeartbeat(10_000);
                assertThat(next)
                        .as("event %d for the healthy client", received.size() + 1)
                        .isNotNull();
                received.addAll(Notifications.events(next));
            }
            assertThat(received.get(documents - 1)).isEqualTo(documents + " Bundle/handoff-" + (documents - 1));
            // the hub gives up on the stuck socket (its send timed out) and closes it; the stalled client, reading
            // nothing, would not even see the close frame
            NotificationSocket sockets = hub.bean(NotificationSocket.class);
            Await.until(
                    "the hub to close the stuck socket",
                    java.time.Duration.ofSeconds(15),
                    () -> sockets.openSessions() <= 1);
            assertThat(sockets.openSessions()).isEqualTo(1);
        }
        // and what it missed is all there, in order
        Bundle replay = Notifications.replayUntil(hub, cm, stuckId, events -> events.size() >= 150);
        List<String> events = Notifications.events(replay);
        assertThat(events).hasSize(150);
        for (int i = 0; i < 150; i++) {
            assertThat(events.get(i)).isEqualTo((i + 1) + " Bundle/handoff-" + i);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String careManager() {
        return issuer.token()
                .roles("care-manager")
                .subject("cm-sato")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
    }

    private void seed(String type, String id, Resource resource, String owner) {
        StoreFixtures.of(hub).write(List.of(new WriteRequest(type, id, resource, null, owner)));
    }

    private String subscribe(String token, String content) {
        HttpResponse<String> created = post(
                "/Subscription",
                token,
                Notifications.subscription(Topic.CARE_DOCUMENT, content, 0, "Composition?patient=p1"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
    }

    private SocketClient bound(String token, String subscription) throws InterruptedException {
        return SocketClient.bound(
                json.parseResource(
                        Parameters.class,
                        post("/Subscription/" + subscription + "/$get-ws-binding-token", token, new Parameters())
                                .body()),
                5000);
    }

    private HttpResponse<String> post(String path, String token, Resource body) {
        return hub.send(
                "POST",
                path,
                "application/fhir+json",
                json.encodeResourceToString(body),
                "Authorization",
                "Bearer " + token);
    }
}
