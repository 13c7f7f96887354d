package jp.renkei.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jp.renkei.hub.Await;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import jp.renkei.hub.access.TestIssuer;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Subscriptions through a running hub with real WebSocket clients: delivery per topic and filter,
 * access and consent judged when each event is sent, replay, binding, heartbeats and socket limits.
 */
@Hub(own = "its hub closes a socket left unbound after 2 seconds", properties = "renkei.notify.bind-timeout=2s")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotificationTest {

    private static final String HANDOFF = "http://renkei.example.jp/fhir/CodeSystem/handoff";
    /** How long an expected event may take; generous, since a starved CI host can stall for seconds. */
    private static final long WAIT = 20_000;

    private static final long QUIET = 1500;
    /** Events written at once before each re-bind of {@link #oneSocketRebindsBeforeEachExpiryAcrossThreeTokenLifetimesAndMissesNothing}. */
    private static final int BURST = 50;

    private TestIssuer issuer;
    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private HubInstance hub;
    private StoreFixtures store;

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        issuer = world.issuer;
        hub = world.hub;
        store = world.store;
        for (String p : List.of("p1", "p2", "p3", "p4")) {
            seed(
                    "Patient",
                    p,
                    new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")),
                    "Organization/org-hospital");
        }
        seed(
                "PractitionerRole",
                "role-cm",
                new org.hl7.fhir.r4.model.PractitionerRole()
                        .addCode(new CodeableConcept(new Coding(
                                "http://renkei.example.jp/fhir/CodeSystem/profession", "care-manager", null))),
                null);
        for (String p : List.of("p1", "p3", "p4")) {
            seed(
                    "CareTeam",
                    "ct-" + p,
                    team(p, "PractitionerRole/role-cm", "PractitionerRole/role-cw"),
                    "Organization/org-hospital");
            seed(
                    "Consent",
                    "consent-" + p,
                    CareRecords.sharingWith(p, "CareTeam/ct-" + p),
                    "Organization/org-hospital");
        }
        // p3 shares with the team, but not the care plan with care workers (介護職員にはケアプランを見せない)
        Consent p3 = CareRecords.sharingWith("p3", "CareTeam/ct-p3");
        Consent.ProvisionComponent except = p3.getProvision().addProvision().setType(Consent.ConsentProvisionType.DENY);
        except.addActor()
                .setReference(new Reference().setDisplay("介護職員"))
                .setRole(new CodeableConcept(
                        new Coding("http://renkei.example.jp/fhir/CodeSystem/profession", "care-worker", null)));
        except.addCode(new CodeableConcept(new Coding(CareRecords.CARE_DOCUMENT, "care-plan", null)));
        seed("Consent", "consent-p3", p3, "Organization/org-hospital");
    }

    // ---- delivery per topic ------------------------------------------------------------------

    @Test
    void aCareDocumentOfMyPatientArrivesAndFiltersNarrowIt() throws Exception {
        String cm = careManager();
        String all = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=Patient/p1");
        String discharge =
                subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=p1&type=discharge-summary");
        try (SocketClient socket = bound(cm, all)) {
            seed(
                    "Composition",
                    "plan-p2",
                    CareRecords.about("Composition", "care-plan", "p2"),
                    "Organization/org-hospital");
            seed(
                    "Composition",
                    "plan-p1",
                    CareRecords.about("Composition", "care-plan", "p1"),
                    "Organization/org-hospital");
            Bundle event = socket.nextNotHeartbeat(WAIT);
            assertThat(Notifications.type(event)).isEqualTo("event-notification");
            assertThat(Notifications.events(event)).containsExactly("1 Composition/plan-p1");
            assertThat(event.getEntry()).hasSize(1);
            assertThat(socket.nextNotHeartbeat(QUIET)).isNull();
        }
        assertThat(Notifications.eventsSinceStart(status(cm, discharge))).isZero();
    }

    @Test
    void fullResourceCarriesTheResourceAndEmptyCarriesNoId() throws Exception {
        String cm = careManager();
        String full = subscribe(cm, Topic.CARE_DOCUMENT, "full-resource", 0, "Composition?patient=p4");
        String empty = subscribe(cm, Topic.CARE_DOCUMENT, "empty", 0, "Composition?patient=p4");
        try (SocketClient fullSocket = bound(cm, full);
                SocketClient emptySocket = bound(cm, empty)) {
            Composition record = (Composition) CareRecords.about("Composition", "care-record", "p4");
            // far longer than the sockets' 2KB frame buffers: it goes out in several frames and arrives whole
            String summary = "退院後は訪問看護を週三回、服薬は朝夕に家族が確認する。".repeat(200);
            record.addSection()
                    .setTitle("経過")
                    .getText()
                    .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">" + summary + "</div>");
            seed("Composition", "record-p4", record, "Organization/org-hospital");
            Bundle withResource = fullSocket.nextNotHeartbeat(WAIT);
            assertThat(withResource.getEntry()).hasSize(2);
            assertThat(withResource
                            .getEntry()
                            .get(1)
                            .getResource()
                            .getIdElement()
                            .getIdPart())
                    .isEqualTo("record-p4");
            assertThat(((Composition) withResource.getEntry().get(1).getResource())
                            .getSectionFirstRep()
                            .getText()
                            .getDivAsString())
                    .contains(summary);
            Bundle bare = emptySocket.nextNotHeartbeat(WAIT);
            assertThat(Notifications.events(bare)).containsExactly("1 null");
            assertThat(json.encodeResourceToString(bare)).doesNotContain("record-p4");
        }
    }

    @Test
    void aHandoffTaskAddressedToMyOrganisationReportsEachStatusChange() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.HANDOFF_TASK, "id-only", 0, "Task?patient=p1");
        try (SocketClient socket = bound(cm, id)) {
            seed(
                    "Task",
                    "handoff-other",
                    handoff("p1", "Organization/org-elsewhere", Task.TaskStatus.REQUESTED),
                    "Organization/org-hospital");
            seed(
                    "Task",
                    "handoff-1",
                    handoff("p1", "Organization/org-homecare", Task.TaskStatus.REQUESTED),
                    "Organization/org-hospital");
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT))).containsExactly("1 Task/handoff-1");
            Task sameStatus = handoff("p1", "Organization/org-homecare", Task.TaskStatus.REQUESTED);
            sameStatus.addNote().setText("電話で確認済み");
            seed("Task", "handoff-1", sameStatus, "Organization/org-hospital");
            seed(
                    "Task",
                    "handoff-1",
                    handoff("p1", "Organization/org-homecare", Task.TaskStatus.RECEIVED),
                    "Organization/org-hospital");
            // the note alone changed nothing a hand-off's parties wait for: the status change is event 2
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT))).containsExactly("2 Task/handoff-1");
        }
    }

    @Test
    void organisationAndCategoryFiltersNarrowDelivery() throws Exception {
        String cm = careManager();
        String byOrganisation =
                subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=p1&organization=org-nursing");
        String byCategory = subscribe(cm, Topic.COMMUNICATION, "id-only", 0, "Communication?category=contact-form");
        try (SocketClient documents = bound(cm, byOrganisation);
                SocketClient messages = bound(cm, byCategory)) {
            seed(
                    "Composition",
                    "hospital-record-p1",
                    CareRecords.about("Composition", "care-record", "p1"),
                    "Organization/org-hospital");
            seed(
                    "Composition",
                    "nursing-record-p1",
                    CareRecords.about("Composition", "care-record", "p1"),
                    "Organization/org-nursing");
            Communication coordination = communication("p1", "PractitionerRole/role-cm");
            seed("Communication", "coordination-to-me", coordination, "Organization/org-clinic");
            Communication contactForm = (Communication) CareRecords.about("Communication", "contact-form", "p1");
            contactForm.addRecipient(new Reference("PractitionerRole/role-cm"));
            seed("Communication", "contact-form-to-me", contactForm, "Organization/org-clinic");
            assertThat(Notifications.events(documents.nextNotHeartbeat(WAIT)))
                    .containsExactly("1 Composition/nursing-record-p1");
            assertThat(Notifications.events(messages.nextNotHeartbeat(WAIT)))
                    .containsExactly("1 Communication/contact-form-to-me");
            assertThat(documents.nextNotHeartbeat(QUIET)).isNull();
            assertThat(messages.nextNotHeartbeat(100)).isNull();
        }
    }

    @Test
    void oneTokenBindsSeveralSubscriptionsAndUnbindingOneStopsOnlyIt() throws Exception {
        String cm = careManager();
        String documents = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "DocumentReference?patient=p4");
        String messages = subscribe(cm, Topic.COMMUNICATION, "id-only", 0, "Communication?patient=p4");
        Parameters ask = new Parameters();
        ask.addParameter().setName("id").setValue(new IdType(documents));
        ask.addParameter().setName("id").setValue(new IdType(messages));
        HttpResponse<String> answer = post("/Subscription/$get-ws-binding-token", cm, ask);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Parameters both = json.parseResource(Parameters.class, answer.body());
        assertThat(both.getParameter())
                .filteredOn(p -> p.getName().equals("subscription"))
                .extracting(p -> p.getValue().primitiveValue())
                .containsExactly(
                        hub.baseUrl() + "/Subscription/" + documents, hub.baseUrl() + "/Subscription/" + messages);
        try (SocketClient socket = new SocketClient(Notifications.value(both, "websocket-url"))) {
            socket.bind(Notifications.value(both, "token"));
            List<String> handshakes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Bundle handshake = socket.next(WAIT);
                assertThat(Notifications.type(handshake)).isEqualTo("handshake");
                handshakes.add(Notifications.subscriptionId(handshake));
            }
            assertThat(handshakes).containsExactlyInAnyOrder(documents, messages);

            seed(
                    "Communication",
                    "bound-p4",
                    communication("p4", "PractitionerRole/role-cm"),
                    "Organization/org-clinic");
            Bundle first = socket.nextNotHeartbeat(WAIT);
            assertThat(Notifications.subscriptionId(first)).isEqualTo(messages);
            assertThat(Notifications.events(first)).containsExactly("1 Communication/bound-p4");

            socket.send("unbind-with-token: " + tokenFor(cm, messages).token());
            // a socket's messages are handled in order: the handshake of this re-bind shows the unbind was done
            socket.bind(tokenFor(cm, documents).token());
            Bundle rebound = socket.next(WAIT);
            assertThat(Notifications.type(rebound)).isEqualTo("handshake");
            assertThat(Notifications.subscriptionId(rebound)).isEqualTo(documents);
            seed(
                    "Communication",
                    "unbound-p4",
                    communication("p4", "PractitionerRole/role-cm"),
                    "Organization/org-clinic");
            seed(
                    "DocumentReference",
                    "still-bound-p4",
                    CareRecords.about("DocumentReference", "nursing-report", "p4"),
                    "Organization/org-nursing");
            Bundle next = socket.nextNotHeartbeat(WAIT);
            assertThat(Notifications.subscriptionId(next)).isEqualTo(documents);
            assertThat(Notifications.events(next)).containsExactly("1 DocumentReference/still-bound-p4");
            assertThat(socket.nextNotHeartbeat(QUIET)).isNull();
            assertThat(socket.isClosed()).isFalse();
        }
        // not pushed to the unbound socket, but numbered and kept for replay
        awaitCount(cm, messages, 2);
        assertThat(Notifications.events(json.parseResource(
                        Bundle.class,
                        get("/Subscription/" + messages + "/$events?eventsSinceNumber=2", cm)
                                .body())))
                .containsExactly("2 Communication/unbound-p4");
    }

    @Test
    void aSubscriptionWhosePatientFilterChangesFollowsTheNewFilter() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "DocumentReference?patient=p1");
        Subscription changed =
                Notifications.subscription(Topic.CARE_DOCUMENT, "id-only", 0, "DocumentReference?patient=p4");
        changed.setId(id);
        HttpResponse<String> updated = hub.send(
                "PUT",
                "/Subscription/" + id,
                "application/fhir+json",
                json.encodeResourceToString(changed),
                "Authorization",
                "Bearer " + cm);
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        try (SocketClient socket = bound(cm, id)) {
            seed(
                    "DocumentReference",
                    "old-filter-p1",
                    CareRecords.about("DocumentReference", "nursing-report", "p1"),
                    "Organization/org-nursing");
            seed(
                    "DocumentReference",
                    "new-filter-p4",
                    CareRecords.about("DocumentReference", "nursing-report", "p4"),
                    "Organization/org-nursing");
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT)))
                    .containsExactly("1 DocumentReference/new-filter-p4");
            assertThat(socket.nextNotHeartbeat(QUIET)).isNull();
        }
    }

    @Test
    void aCommunicationAddressedToMeArrivesAndOneToSomeoneElseDoesNot() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.COMMUNICATION, "id-only", 0);
        try (SocketClient socket = bound(cm, id)) {
            seed(
                    "Communication",
                    "to-someone-else",
                    communication("p1", "PractitionerRole/role-nurse"),
                    "Organization/org-clinic");
            seed("Communication", "to-me", communication("p1", "PractitionerRole/role-cm"), "Organization/org-clinic");
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT))).containsExactly("1 Communication/to-me");
        }
    }

    @Test
    void aBreakGlassOnMyPatientReachesTheCareTeam() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.BREAK_GLASS, "id-only", 0);
        try (SocketClient socket = bound(cm, id)) {
            String ems = issuer.token()
                    .roles("ems")
                    .subject("ems-kimura")
                    .claim("practitioner_role", "role-ems")
                    .sign();
            Parameters declaration = new Parameters();
            declaration.addParameter().setName("purpose").setValue(new CodeType("ETREAT"));
            declaration.addParameter().setName("reason").setValue(new StringType("自宅で意識消失、救急搬送中"));
            assertThat(post("/Patient/p1/$break-glass", ems, declaration).statusCode())
                    .isEqualTo(200);
            List<String> events = Notifications.events(socket.nextNotHeartbeat(WAIT));
            assertThat(events).hasSize(1);
            assertThat(events.get(0)).startsWith("1 Communication/");
        }
    }

    @Test
    void anOverdueHandoffIsReportedOnce() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.OVERDUE_HANDOFF, "id-only", 0);
        try (SocketClient socket = bound(cm, id)) {
            seed(
                    "Task",
                    "late",
                    handoff("p1", "Organization/org-homecare", Task.TaskStatus.REQUESTED),
                    "Organization/org-hospital");
            Task overdue = handoff("p1", "Organization/org-homecare", Task.TaskStatus.REQUESTED);
            overdue.setBusinessStatus(new CodeableConcept(
                    new Coding("http://renkei.example.jp/fhir/CodeSystem/handoff-status", "overdue", null)));
            seed("Task", "late", overdue, "Organization/org-hospital");
            seed(
                    "Task",
                    "late",
                    overdue.copy().addNote(new org.hl7.fhir.r4.model.Annotation().setText("督促済み")),
                    "Organization/org-hospital");
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT))).containsExactly("1 Task/late");
            assertThat(socket.nextNotHeartbeat(QUIET)).isNull();
        }
    }

    // ---- access and consent at send time -----------------------------------------------------

    @Test
    void aSubscriberTheConsentOrPolicyDeniesGetsNothingNotEvenTheId() throws Exception {
        String worker = issuer.token()
                .roles("care-worker")
                .subject("cw-ito")
                .claim("practitioner_role", "role-cw")
                .claim("organization", "org-homecare")
                .sign();
        String outsider = issuer.token()
                .roles("care-manager")
                .subject("cm-other")
                .claim("practitioner_role", "role-other")
                .claim("organization", "org-other")
                .sign();
        String workerSub = subscribe(worker, Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=p3");
        String outsiderSub = subscribe(outsider, Topic.CARE_DOCUMENT, "id-only", 0);
        try (SocketClient workerSocket = bound(worker, workerSub);
                SocketClient outsiderSocket = bound(outsider, outsiderSub)) {
            seed(
                    "Composition",
                    "plan-p3",
                    CareRecords.about("Composition", "care-plan", "p3"),
                    "Organization/org-hospital");
            seed(
                    "Composition",
                    "record-p3",
                    CareRecords.about("Composition", "care-record", "p3"),
                    "Organization/org-hospital");
            Bundle first = workerSocket.nextNotHeartbeat(WAIT);
            assertThat(Notifications.events(first)).containsExactly("1 Composition/record-p3");
            assertThat(json.encodeResourceToString(first)).doesNotContain("plan-p3");
            assertThat(outsiderSocket.nextNotHeartbeat(QUIET)).isNull();
        }
        assertThat(Notifications.eventsSinceStart(status(outsider, outsiderSub)))
                .isZero();
    }

    @Test
    void revokingConsentOrLeavingTheCareTeamStopsTheNextNotification() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=p1,p4");
        try (SocketClient socket = bound(cm, id)) {
            seed(
                    "Composition",
                    "before-p1",
                    CareRecords.about("Composition", "care-record", "p1"),
                    "Organization/org-hospital");
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT))).containsExactly("1 Composition/before-p1");

            seed(
                    "Consent",
                    "consent-p1",
                    CareRecords.sharingWith("p1", "CareTeam/ct-p1").setStatus(Consent.ConsentState.INACTIVE),
                    "Organization/org-hospital");
            seed(
                    "Composition",
                    "after-revocation-p1",
                    CareRecords.about("Composition", "care-record", "p1"),
                    "Organization/org-hospital");
            seed("CareTeam", "ct-p4", team("p4", "PractitionerRole/role-cw"), "Organization/org-hospital");
            seed(
                    "Composition",
                    "after-leaving-p4",
                    CareRecords.about("Composition", "care-record", "p4"),
                    "Organization/org-hospital");
            // access is judged when the event is sent: let these be judged before the care team changes back
            awaitDispatched();
            // back in the team and consenting again: the next document arrives, as event 2 (nothing was numbered
            // meanwhile)
            seed(
                    "CareTeam",
                    "ct-p4",
                    team("p4", "PractitionerRole/role-cm", "PractitionerRole/role-cw"),
                    "Organization/org-hospital");
            seed(
                    "Composition",
                    "back-p4",
                    CareRecords.about("Composition", "care-record", "p4"),
                    "Organization/org-hospital");
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT))).containsExactly("2 Composition/back-p4");
        } finally {
            seed("Consent", "consent-p1", CareRecords.sharingWith("p1", "CareTeam/ct-p1"), "Organization/org-hospital");
        }
    }

    // ---- nothing lost ------------------------------------------------------------------------

    @Test
    void aClientThatReconnectsGetsExactlyWhatItMissedInOrder() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "DocumentReference?patient=p1");
        try (SocketClient socket = bound(cm, id)) {
            for (int i = 1; i <= 2; i++) {
                seed(
                        "DocumentReference",
                        "seen-" + i,
                        CareRecords.about("DocumentReference", "nursing-report", "p1"),
                        "Organization/org-nursing");
                assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT)))
                        .containsExactly(i + " DocumentReference/seen-" + i);
            }
        }
        List<String> missed = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            seed(
                    "DocumentReference",
                    "missed-" + i,
                    CareRecords.about("DocumentReference", "nursing-report", "p1"),
                    "Organization/org-nursing");
            missed.add((i + 2) + " DocumentReference/missed-" + i);
        }
        awaitCount(cm, id, 5);
        Bundle replay = json.parseResource(
                Bundle.class,
                get("/Subscription/" + id + "/$events?eventsSinceNumber=3", cm).body());
        assertThat(Notifications.type(replay)).isEqualTo("query-event");
        assertThat(Notifications.events(replay)).containsExactlyElementsOf(missed);
        try (SocketClient again = new SocketClient(tokenFor(cm, id).websocketUrl())) {
            again.bind(tokenFor(cm, id).token());
            Bundle handshake = again.next(WAIT);
            assertThat(Notifications.type(handshake)).isEqualTo("handshake");
            assertThat(Notifications.eventsSinceStart(handshake)).isEqualTo(5);
        }
    }

    @Test
    void theSenderSeesThatTheCareManagerReceivedAndOpenedTheDocument() throws Exception {
        String cm = careManager();
        String nurse = issuer.token()
                .roles("hospital-nurse")
                .subject("hn-suzuki")
                .claim("practitioner_role", "role-hn")
                .claim("organization", "org-hospital")
                .sign();
        String outsider = issuer.token()
                .roles("care-manager")
                .subject("cm-other")
                .claim("practitioner_role", "role-other")
                .claim("organization", "org-other")
                .sign();
        String id = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=p1&type=discharge-summary");
        try (SocketClient socket = bound(cm, id)) {
            // written by the nurse herself: as its author she sees its receipts, though not on p1's care team
            store.write(List.of(new WriteRequest(
                    "Composition",
                    "discharge-p1",
                    CareRecords.about("Composition", "discharge-summary", "p1"),
                    null,
                    "Organization/org-hospital",
                    "user/hn-suzuki")));
            assertThat(Notifications.events(socket.nextNotHeartbeat(WAIT)))
                    .containsExactly("1 Composition/discharge-p1");
            Parameters.ParametersParameterComponent receipt = awaitReceipt(nurse, "delivered");
            assertThat(((Reference) receipt.getPart().get(0).getValue()).getReference())
                    .isEqualTo("PractitionerRole/role-cm");
            assertThat(receipt.getPart())
                    .extracting(Parameters.ParametersParameterComponent::getName)
                    .containsExactly("recipient", "notified", "delivered");
            assertThat(get("/Composition/discharge-p1", cm).statusCode()).isEqualTo(200);
            assertThat(awaitReceipt(nurse, "opened").getPart())
                    .extracting(Parameters.ParametersParameterComponent::getName)
                    .containsExactly("recipient", "notified", "delivered", "opened");
            assertThat(get("/Composition/discharge-p1/$notification-receipts", outsider)
                            .statusCode())
                    .isEqualTo(404);
        }
    }

    private Parameters.ParametersParameterComponent awaitReceipt(String token, String part)
            throws InterruptedException {
        return Await.until(
                        "receipt with " + part,
                        java.time.Duration.ofMillis(WAIT),
                        () -> json.parseResource(
                                Parameters.class,
                                get("/Composition/discharge-p1/$notification-receipts", token)
                                        .body()),
                        receipts -> receipts.getParameter().size() == 1
                                && receipts.getParameterFirstRep().getPart().stream()
                                        .anyMatch(p -> p.getName().equals(part)))
                .getParameterFirstRep();
    }

    /** The runnable example of docs/notifications.md, run as its reader would: one source file, the JDK's launcher. */
    @Test
    void theDocumentedExampleClientWorks() throws Exception {
        java.nio.file.Path example = java.nio.file.Path.of("..", "docs", "examples", "NotifyClient.java");
        String launcher = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString();
        Process client = new ProcessBuilder(
                        launcher,
                        example.toString(),
                        "--base",
                        hub.baseUrl(),
                        "--token",
                        careManager(),
                        "--topic",
                        "care-document",
                        "--filter",
                        "Composition?patient=Patient/p1",
                        "--exit-after",
                        "1")
                .redirectErrorStream(true)
                .start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(client.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("handshake")) {
                    seed(
                            "Composition",
                            "example-p1",
                            CareRecords.about("Composition", "care-record", "p1"),
                            "Organization/org-hospital");
                }
            }
            assertThat(client.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            assertThat(client.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(lines).anyMatch(l -> l.startsWith("subscription "));
            assertThat(lines)
                    .anyMatch(l -> l.startsWith("event-notification 1 #1 ") && l.endsWith("/Composition/example-p1"));
        } finally {
            client.destroyForcibly();
        }
    }

    /**
     * The documented client across three access-token lifetimes: it renews its access token (refresh_token grant), gets a
     * new binding token and binds again on the same socket before each expiry (Backport IG, channels, websocket: "Token
     * is expiring soon"), and hands on every event once, in order, without replaying any twice.
     */
    @Test
    void theDocumentedExampleClientRenewsItsBindingAndMissesNothing() throws Exception {
        java.time.Duration life = java.time.Duration.ofSeconds(6);
        String refresh = issuer.refreshToken(() -> careManagerFor(life));
        java.nio.file.Path example = java.nio.file.Path.of("..", "docs", "examples", "NotifyClient.java");
        String launcher = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString();
        Process client = new ProcessBuilder(
                        launcher,
                        example.toString(),
                        "--base",
                        hub.baseUrl(),
                        "--refresh-token",
                        refresh,
                        "--token-url",
                        issuer.tokenEndpoint(),
                        "--topic",
                        "care-document",
                        "--filter",
                        "Composition?patient=Patient/p4",
                        "--heartbeat",
                        "1")
                .redirectErrorStream(true)
                .start();
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int k = 0; writing.get(); k++) {
                seed(
                        "Composition",
                        "renewing-p4-" + k,
                        CareRecords.about("Composition", "care-record", "p4"),
                        "Organization/org-hospital");
                written.incrementAndGet();
                try {
                    Thread.sleep(200); // the pace of the writes, not a wait for anything
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        List<String> lines = new ArrayList<>();
        List<Long> handed = new ArrayList<>();
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(client.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            Instant started = null;
            int binds = 0;
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("bound until ")) {
                    binds++;
                }
                if (line.startsWith("event-notification ") || line.startsWith("query-event ")) {
                    java.util.regex.Matcher number =
                            java.util.regex.Pattern.compile("#(\\d+)").matcher(line);
                    while (number.find()) {
                        handed.add(Long.parseLong(number.group(1)));
                    }
                }
                if (started == null && line.startsWith("handshake")) {
                    started = Instant.now();
                    writer.start();
                }
                if (writing.get()
                        && started != null
                        && binds >= 4
                        && Instant.now().isAfter(started.plus(life.multipliedBy(3)))) {
                    writing.set(false);
                    writer.join();
                }
                if (!writing.get() && handed.size() >= written.get()) {
                    break;
                }
                assertThat(line)
                        .as(String.join("\n", lines))
                        .doesNotStartWith("closed")
                        .doesNotStartWith("duplicate")
                        .doesNotStartWith("cannot renew");
            }
            assertThat(client.isAlive()).as(String.join("\n", lines)).isTrue();
        } finally {
            writing.set(false);
            client.destroyForcibly();
        }
        assertThat(handed)
                .as(String.join("\n", lines))
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, written.get())
                        .boxed()
                        .toList());
    }

    // ---- sessions ----------------------------------------------------------------------------

    @Test
    void heartbeatsArriveAtTheConfiguredInterval() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.COMMUNICATION, "id-only", 2);
        try (SocketClient socket = bound(cm, id)) {
            List<Long> at = new ArrayList<>();
            long until = System.currentTimeMillis() + 9000;
            while (System.currentTimeMillis() < until) {
                Bundle b = socket.next(Math.max(1, until - System.currentTimeMillis()));
                if (b != null && "heartbeat".equals(Notifications.type(b))) {
                    at.add(System.currentTimeMillis());
                }
            }
            // every 2 s, checked once a second: 2 to 3 s apart, with room for a stalled host
            assertThat(at).hasSizeBetween(2, 5);
            for (int i = 1; i < at.size(); i++) {
                assertThat(at.get(i) - at.get(i - 1)).isBetween(1000L, 4500L);
            }
        }
    }

    @Test
    void aSocketWhoseTokenExpiresIsClosedUnlessBoundAgain() throws Exception {
        String id = subscribe(careManager(), Topic.COMMUNICATION, "id-only", 0);
        String shortLived = issuer.token()
                .roles("care-manager")
                .subject("cm-sato")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .claim("exp", Instant.now().plusSeconds(8))
                .sign();
        Binding soon = tokenFor(shortLived, id);
        Binding alsoSoon = tokenFor(shortLived, id);
        assertThat(Instant.parse(soon.expiration())).isBefore(Instant.now().plusSeconds(9));
        try (SocketClient expiring = new SocketClient(soon.websocketUrl());
                SocketClient renewed = new SocketClient(soon.websocketUrl())) {
            expiring.bind(soon.token());
            renewed.bind(alsoSoon.token());
            assertThat(Notifications.type(expiring.next(WAIT))).isEqualTo("handshake");
            assertThat(Notifications.type(renewed.next(WAIT))).isEqualTo("handshake");
            renewed.bind(tokenFor(careManager(), id).token());
            SocketClient.Closed closed = expiring.awaitClose(15_000);
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).contains("expired");
            assertThat(renewed.isClosed()).isFalse();
        }
    }

    /**
     * Backport IG, channels, websocket: "If the token is expiring soon … invoke $get-ws-binding-token … sends a
     * bind-with-token message … Server sends one or more handshake messages (one per Subscription included in the
     * token)". One socket, re-bound before each expiry for three access-token lifetimes while events are written: every
     * event arrives once, in order, and each re-bind's handshake counts exactly the events already received on it
     * (a client that replays from a higher count would get the next event twice).
     */
    @Test
    void oneSocketRebindsBeforeEachExpiryAcrossThreeTokenLifetimesAndMissesNothing() throws Exception {
        java.time.Duration life = java.time.Duration.ofSeconds(8);
        String cm = careManager();
        // full-resource, and large: pushing a burst takes long enough for a re-bind to arrive in the middle of it
        String id = subscribe(cm, Topic.COMMUNICATION, "full-resource", 0, "Communication?patient=p1");
        String text = "退院後の訪問看護は週三回、服薬は朝夕に家族が確認する。".repeat(2000);
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int k = 0; writing.get(); k++) {
                seed(
                        "Communication",
                        "rebind-" + k,
                        communication("p1", "PractitionerRole/role-cm"),
                        "Organization/org-clinic");
                written.incrementAndGet();
                try {
                    Thread.sleep(150); // the pace of the writes, not a wait for anything
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Binding binding = tokenFor(careManagerFor(life), id);
        List<Long> received = new ArrayList<>();
        int rebinds = 0;
        try (SocketClient socket = new SocketClient(binding.websocketUrl())) {
            socket.bind(binding.token());
            assertThat(Notifications.eventsSinceStart(handshake(socket))).isZero();
            Instant started = Instant.now();
            writer.start();
            while (rebinds < 3 || Instant.now().isBefore(started.plus(life.multipliedBy(3)))) {
                Instant renewAt = Instant.parse(binding.expiration()).minus(life.dividedBy(2));
                Bundle message = socket.next(Math.max(
                        1, java.time.Duration.between(Instant.now(), renewAt).toMillis()));
                if (message != null) {
                    received.add(eventNumber(message, received));
                    continue;
                }
                binding = tokenFor(careManagerFor(life), id);
                // a burst of events in one write, and the re-bind as soon as they are numbered, while they are being
                // pushed
                long numbered = Notifications.eventsSinceStart(status(cm, id));
                List<WriteRequest> burst = new ArrayList<>();
                for (int i = 0; i < BURST; i++) {
                    Communication large = communication("p1", "PractitionerRole/role-cm");
                    large.addPayload().setContent(new StringType(text));
                    burst.add(new WriteRequest(
                            "Communication",
                            "rebind-burst-" + rebinds + "-" + i,
                            large,
                            null,
                            "Organization/org-clinic"));
                }
                store.write(burst);
                written.addAndGet(BURST);
                long until = System.currentTimeMillis() + WAIT;
                while (Notifications.eventsSinceStart(status(cm, id)) < numbered + BURST) {
                    assertThat(System.currentTimeMillis()).as("burst numbered").isLessThan(until);
                }
                socket.bind(binding.token());
                rebinds++;
                Bundle handshake;
                while ((handshake = socket.next(WAIT)) != null && !"handshake".equals(Notifications.type(handshake))) {
                    received.add(eventNumber(handshake, received));
                }
                assertThat(handshake).as("handshake of re-bind " + rebinds).isNotNull();
                assertThat(Notifications.eventsSinceStart(handshake))
                        .as("handshake of re-bind " + rebinds)
                        .isEqualTo(received.isEmpty() ? 0 : received.get(received.size() - 1));
            }
            writing.set(false);
            writer.join();
            while (received.size() < written.get()) {
                Bundle message = socket.nextNotHeartbeat(WAIT);
                assertThat(message)
                        .as("event " + (received.size() + 1) + " of " + written.get())
                        .isNotNull();
                received.add(eventNumber(message, received));
            }
            assertThat(socket.isClosed()).isFalse();
        } finally {
            writing.set(false);
        }
        assertThat(received)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, written.get())
                        .boxed()
                        .toList());
        assertThat(rebinds).isGreaterThanOrEqualTo(3);
    }

    /** The number of an event notification, which must be the next one. */
    private static long eventNumber(Bundle message, List<Long> received) {
        assertThat(Notifications.type(message)).isEqualTo("event-notification");
        long number = Notifications.eventsSinceStart(message);
        assertThat(number)
                .as("after " + (received.isEmpty() ? "none" : received.get(received.size() - 1)))
                .isEqualTo(received.size() + 1L);
        return number;
    }

    private static Bundle handshake(SocketClient socket) throws InterruptedException {
        Bundle handshake = socket.next(WAIT);
        assertThat(handshake).as("handshake").isNotNull();
        assertThat(Notifications.type(handshake)).isEqualTo("handshake");
        return handshake;
    }

    /** A binding lasts as long as its own token: another Subscription bound later on the same socket does not extend it. */
    @Test
    void eachSubscriptionOnASocketStaysBoundOnlyUntilItsOwnBindingExpires() throws Exception {
        String cm = careManager();
        String messages = subscribe(cm, Topic.COMMUNICATION, "id-only", 0, "Communication?patient=p3");
        String documents = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "DocumentReference?patient=p3");
        Binding soon = tokenFor(careManagerFor(java.time.Duration.ofSeconds(3)), messages);
        Binding later = tokenFor(cm, documents);
        try (SocketClient socket = new SocketClient(soon.websocketUrl())) {
            socket.bind(soon.token());
            handshake(socket);
            socket.bind(later.token());
            handshake(socket);
            Instant expired = Instant.parse(soon.expiration());
            while (!Instant.now().isAfter(expired)) {
                // the token's binding must expire: letting that time pass is the point, not a wait for an event
                Thread.sleep(Math.max(
                        1, java.time.Duration.between(Instant.now(), expired).toMillis() + 1));
            }
            seed(
                    "Communication",
                    "after-expiry-p3",
                    communication("p3", "PractitionerRole/role-cm"),
                    "Organization/org-clinic");
            seed(
                    "DocumentReference",
                    "still-bound-p3",
                    CareRecords.about("DocumentReference", "nursing-report", "p3"),
                    "Organization/org-nursing");
            Bundle next = socket.nextNotHeartbeat(WAIT);
            assertThat(Notifications.subscriptionId(next)).isEqualTo(documents);
            assertThat(Notifications.events(next)).containsExactly("1 DocumentReference/still-bound-p3");
            assertThat(socket.nextNotHeartbeat(QUIET)).isNull();
            assertThat(socket.isClosed()).isFalse();
        }
        // numbered and kept for replay all the same
        awaitCount(cm, messages, 1);
    }

    @Test
    void aBindingTokenBindsOneSocketOnce() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.COMMUNICATION, "id-only", 0, "Communication?patient=p3");
        Binding once = tokenFor(cm, id);
        try (SocketClient first = new SocketClient(once.websocketUrl());
                SocketClient thief = new SocketClient(once.websocketUrl())) {
            first.bind(once.token());
            assertThat(Notifications.type(first.next(WAIT))).isEqualTo("handshake");
            thief.bind(once.token());
            SocketClient.Closed refused = thief.awaitClose(WAIT);
            assertThat(refused.code()).isEqualTo(1008);
            assertThat(refused.reason()).contains("already used");
            // the socket that used it keeps receiving, and unbinds with it
            seed(
                    "Communication",
                    "once-to-me",
                    communication("p3", "PractitionerRole/role-cm"),
                    "Organization/org-clinic");
            assertThat(Notifications.events(first.nextNotHeartbeat(WAIT)))
                    .containsExactly("1 Communication/once-to-me");
            assertThat(first.isClosed()).isFalse();
            first.send("unbind-with-token: " + once.token());
            assertThat(first.awaitClose(WAIT).reason()).contains("no bind-with-token");
        }
        // sent twice on the same socket: refused as well
        Binding twice = tokenFor(cm, id);
        try (SocketClient socket = new SocketClient(twice.websocketUrl())) {
            socket.bind(twice.token());
            assertThat(Notifications.type(socket.next(WAIT))).isEqualTo("handshake");
            socket.bind(twice.token());
            SocketClient.Closed refused = socket.awaitClose(WAIT);
            assertThat(refused.code()).isEqualTo(1008);
            assertThat(refused.reason()).contains("already used");
        }
    }

    @Test
    void anUnboundSocketIsClosedWithinSecondsAndABadTokenAtOnce() throws Exception {
        String url = SubscriptionProvider.websocketUrl(hub.baseUrl());
        try (SocketClient idle = new SocketClient(url);
                SocketClient forger = new SocketClient(url)) {
            forger.bind("not-a-token");
            assertThat(forger.awaitClose(WAIT).code()).isEqualTo(1008);
            long opened = System.currentTimeMillis();
            SocketClient.Closed closed = idle.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).contains("bind-with-token");
            // the bind timeout here is 2 s, checked once a second; the rest is room for a stalled host
            assertThat(System.currentTimeMillis() - opened).isLessThan(6000);
        }
    }

    @Test
    void anOversizedMessageClosesTheSocket() throws Exception {
        try (SocketClient socket = new SocketClient(SubscriptionProvider.websocketUrl(hub.baseUrl()))) {
            socket.send("bind-with-token: " + "x".repeat(20_000));
            assertThat(socket.awaitClose(WAIT).code()).isEqualTo(1009);
        }
    }

    // ---- the Subscription resource -----------------------------------------------------------

    @Test
    void subscriptionsAreTheirOwnersAloneAndBadOnesAreRefusedPrecisely() {
        String cm = careManager();
        String id = subscribe(cm, Topic.COMMUNICATION, "id-only", 0);
        String other = issuer.token()
                .roles("care-manager")
                .subject("cm-other")
                .claim("organization", "org-other")
                .sign();
        assertThat(get("/Subscription/" + id, cm).statusCode()).isEqualTo(200);
        assertThat(get("/Subscription/" + id, other).statusCode()).isEqualTo(404);
        assertThat(get("/Subscription/" + id + "/$events", other).statusCode()).isEqualTo(404);
        assertThat(post("/Subscription/" + id + "/$get-ws-binding-token", other, new Parameters())
                        .statusCode())
                .isEqualTo(404);
        Bundle mine =
                json.parseResource(Bundle.class, get("/Subscription", other).body());
        assertThat(mine.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .doesNotContain(id);

        Subscription unknownTopic =
                Notifications.subscription(Topic.COMMUNICATION, "id-only", 0).setCriteria("http://example.org/topic/x");
        HttpResponse<String> refused = post("/Subscription", cm, unknownTopic);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(json.parseResource(OperationOutcome.class, refused.body())
                        .getIssueFirstRep()
                        .getExpression()
                        .get(0)
                        .getValue())
                .isEqualTo("Subscription.criteria");
        Subscription restHook = Notifications.subscription(Topic.COMMUNICATION, "id-only", 0);
        restHook.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK);
        assertThat(post("/Subscription", cm, restHook).statusCode()).isEqualTo(422);
        assertThat(post(
                                "/Subscription",
                                cm,
                                Notifications.subscription(Topic.HANDOFF_TASK, "id-only", 0, "Task?type=x"))
                        .statusCode())
                .isEqualTo(422);
        assertThat(post("/Subscription", cm, Notifications.subscription(Topic.COMMUNICATION, "everything", 0))
                        .statusCode())
                .isEqualTo(422);
        String noRole = issuer.token().subject("nobody").sign();
        assertThat(post("/Subscription", noRole, Notifications.subscription(Topic.COMMUNICATION, "id-only", 0))
                        .statusCode())
                .isEqualTo(403);
    }

    /**
     * Backport IG OperationDefinition backport-subscription-status: also a type-level operation ({@code type = true}),
     * {@code id} 0..* and {@code status} 0..* joined by OR, no id meaning every Subscription available to the caller;
     * a searchset with one status per Subscription. Anyone else's Subscription is left out, as a search leaves it out.
     */
    @Test
    void statusAtTheTypeLevelAnswersForTheCallersOwnSubscriptionsOnly() {
        String cm = careManager();
        String first = subscribe(cm, Topic.COMMUNICATION, "id-only", 0);
        String second = subscribe(cm, Topic.HANDOFF_TASK, "id-only", 0);
        String other = issuer.token()
                .roles("care-manager")
                .subject("cm-other")
                .claim("organization", "org-other")
                .sign();
        String theirs = subscribe(other, Topic.COMMUNICATION, "id-only", 0);

        HttpResponse<String> answer =
                get("/Subscription/$status?id=" + first + "&id=" + second + "&id=" + theirs + "&id=unknown", cm);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Bundle both = json.parseResource(Bundle.class, answer.body());
        assertThat(both.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        assertThat(both.getEntry())
                .extracting(e -> Notifications.value((Parameters) e.getResource(), "type"))
                .containsOnly("query-status");
        assertThat(statusIds(both)).containsExactlyInAnyOrder(first, second);
        assertThat(statusIds(json.parseResource(
                        Bundle.class, get("/Subscription/$status", cm).body())))
                .contains(first, second)
                .doesNotContain(theirs);
        assertThat(statusIds(json.parseResource(
                        Bundle.class,
                        get("/Subscription/$status?id=" + first + "&status=off", cm)
                                .body())))
                .isEmpty();
        assertThat(statusIds(json.parseResource(
                        Bundle.class,
                        get("/Subscription/$status?id=" + first + "&status=off&status=active", cm)
                                .body())))
                .containsExactly(first);
        assertThat(statusIds(json.parseResource(
                        Bundle.class,
                        get("/Subscription/$status?id=" + theirs, cm).body())))
                .isEmpty();
        assertThat(get("/Subscription/" + theirs + "/$status", cm).statusCode()).isEqualTo(404);
    }

    private static List<String> statusIds(Bundle bundle) {
        return bundle.getEntry().stream()
                .map(e -> ((Reference) ((Parameters) e.getResource())
                                .getParameter("subscription")
                                .getValue())
                        .getReferenceElement()
                        .getIdPart())
                .toList();
    }

    /**
     * One reference form for notifications, whether pushed or replayed: absolute URLs for the Subscription and the
     * focus, as the Backport IG's R4 notification examples write them (e.g. r4-notification-id-only).
     */
    @Test
    void aPushedEventAndItsReplayNameTheSubscriptionAndTheFocusAlike() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.COMMUNICATION, "id-only", 0, "Communication?patient=p4");
        Bundle pushed;
        try (SocketClient socket = bound(cm, id)) {
            seed(
                    "Communication",
                    "alike-p4",
                    communication("p4", "PractitionerRole/role-cm"),
                    "Organization/org-clinic");
            pushed = socket.nextNotHeartbeat(WAIT);
        }
        Bundle replayed = json.parseResource(
                Bundle.class,
                get("/Subscription/" + id + "/$events?eventsSinceNumber=1&eventsUntilNumber=1", cm)
                        .body());
        Bundle status = status(cm, id);
        for (Bundle bundle : List.of(pushed, replayed, status)) {
            assertThat(((Reference) Notifications.status(bundle)
                                    .getParameter("subscription")
                                    .getValue())
                            .getReference())
                    .isEqualTo(hub.baseUrl() + "/Subscription/" + id);
        }
        assertThat(focusReferences(pushed)).containsExactly(hub.baseUrl() + "/Communication/alike-p4");
        assertThat(focusReferences(replayed)).isEqualTo(focusReferences(pushed));
    }

    private static List<String> focusReferences(Bundle bundle) {
        return Notifications.status(bundle).getParameter().stream()
                .filter(p -> p.getName().equals("notification-event"))
                .flatMap(p -> p.getPart().stream())
                .filter(p -> p.getName().equals("focus"))
                .map(p -> ((Reference) p.getValue()).getReference())
                .toList();
    }

    // ---- a visit's observations marked いつもと違う (web/src/visit/visitBundle.ts) ---------------------------

    /**
     * The visiting nurse's visit as the web app sends it: one transaction, each entry a conditional create on its own
     * urn:uuid identifier, the temperature flagged いつもと違う. The care manager on the team hears of the flagged one
     * once; an MSW on the same team (who may not read vital signs) and a care manager of another patient's team hear
     * nothing. The same transaction sent again (a retry after a lost answer) stores nothing twice and raises no event.
     */
    @Test
    void aFlaggedVisitObservationReachesTheTeamOnceAndNobodyWhoMayNotReadIt() throws Exception {
        seed(
                "Patient",
                "p5",
                new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")),
                "Organization/org-hospital");
        seed(
                "CareTeam",
                "ct-p5",
                team("p5", "PractitionerRole/role-vn", "PractitionerRole/role-cm", "PractitionerRole/role-msw"),
                "Organization/org-hospital");
        seed("Consent", "consent-p5", CareRecords.sharingWith("p5", "CareTeam/ct-p5"), "Organization/org-hospital");
        String nurse = issuer.token()
                .roles("visiting-nurse")
                .subject("vn-kato")
                .claim("preferred_username", "vn.kato")
                .claim("practitioner_role", "role-vn")
                .claim("organization", "org-nursing")
                .sign();
        String msw = issuer.token()
                .roles("msw")
                .subject("msw-ito")
                .claim("preferred_username", "msw.ito")
                .claim("practitioner_role", "role-msw")
                .claim("organization", "org-hospital")
                .sign();
        String outsider = issuer.token()
                .roles("care-manager")
                .subject("cm-other")
                .claim("preferred_username", "cm.other")
                .claim("practitioner_role", "role-cm-other")
                .claim("organization", "org-elsewhere")
                .sign();
        String cm = careManager();
        String forCm = subscribe(cm, Topic.FLAGGED_OBSERVATION, "id-only", 0);
        String forMsw = subscribe(msw, Topic.FLAGGED_OBSERVATION, "id-only", 0);
        String forOutsider = subscribe(outsider, Topic.FLAGGED_OBSERVATION, "id-only", 0);
        try (SocketClient cmSocket = bound(cm, forCm);
                SocketClient mswSocket = bound(msw, forMsw);
                SocketClient outsiderSocket = bound(outsider, forOutsider)) {
            String temperature = "urn:uuid:" + java.util.UUID.randomUUID();
            String pulse = "urn:uuid:" + java.util.UUID.randomUUID();
            Bundle visit = new Bundle().setType(Bundle.BundleType.TRANSACTION);
            visitEntry(
                    visit,
                    temperature,
                    vital("p5", "8310-5", "Body temperature", 37.9, "Cel", "℃", temperature)
                            .addInterpretation(
                                    new CodeableConcept(new Coding(Topic.OBSERVATION_FLAG, Topic.UNUSUAL, "いつもと違う"))));
            visitEntry(visit, pulse, vital("p5", "8867-4", "Heart rate", 88, "/min", "回/分", pulse));

            HttpResponse<String> first = post("", nurse, visit);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            Bundle stored = json.parseResource(Bundle.class, first.body());
            assertThat(stored.getEntry())
                    .extracting(e -> e.getResponse().getStatus())
                    .containsExactly("201 Created", "201 Created");
            String flagged = new IdType(stored.getEntry().get(0).getResponse().getLocation())
                    .toUnqualifiedVersionless()
                    .getValue();
            assertThat(Notifications.events(cmSocket.nextNotHeartbeat(WAIT))).containsExactly("1 " + flagged);

            HttpResponse<String> again = post("", nurse, visit);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            Bundle answered = json.parseResource(Bundle.class, again.body());
            assertThat(answered.getEntry())
                    .extracting(e -> e.getResponse().getStatus())
                    .containsExactly("200 OK", "200 OK");
            assertThat(answered.getEntry())
                    .extracting(e -> new IdType(e.getResponse().getLocation())
                            .toUnqualifiedVersionless()
                            .getValue())
                    .containsExactlyElementsOf(stored.getEntry().stream()
                            .map(e -> new IdType(e.getResponse().getLocation())
                                    .toUnqualifiedVersionless()
                                    .getValue())
                            .toList());
            for (String identifier : List.of(temperature, pulse)) {
                Bundle found = json.parseResource(
                        Bundle.class,
                        get("/Observation?identifier=urn:ietf:rfc:3986%7C" + identifier, nurse)
                                .body());
                assertThat(found.getEntry()).as(identifier).hasSize(1);
            }
            awaitDispatched();
            assertThat(cmSocket.nextNotHeartbeat(QUIET)).isNull();
            assertThat(mswSocket.nextNotHeartbeat(100)).isNull();
            assertThat(outsiderSocket.nextNotHeartbeat(100)).isNull();
        }
        assertThat(Notifications.eventsSinceStart(status(msw, forMsw))).isZero();
        assertThat(Notifications.eventsSinceStart(status(outsider, forOutsider)))
                .isZero();
    }

    private static org.hl7.fhir.r4.model.Observation vital(
            String patient, String loinc, String display, double value, String ucum, String unit, String identifier) {
        org.hl7.fhir.r4.model.Observation o = new org.hl7.fhir.r4.model.Observation()
                .setStatus(org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL)
                .setCode(new CodeableConcept(new Coding("http://loinc.org", loinc, display)))
                .setSubject(new Reference("Patient/" + patient))
                .setEffective(new org.hl7.fhir.r4.model.DateTimeType(new java.util.Date()))
                .setValue(new org.hl7.fhir.r4.model.Quantity()
                        .setValue(value)
                        .setUnit(unit)
                        .setSystem("http://unitsofmeasure.org")
                        .setCode(ucum));
        o.addCategory(new CodeableConcept(
                new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", null)));
        o.addIdentifier().setSystem("urn:ietf:rfc:3986").setValue(identifier);
        return o;
    }

    private static void visitEntry(Bundle visit, String identifier, org.hl7.fhir.r4.model.Observation observation) {
        visit.addEntry()
                .setFullUrl(identifier)
                .setResource(observation)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Observation")
                .setIfNoneExist("identifier=urn:ietf:rfc:3986|" + identifier);
    }

    @Test
    void metadataAnnouncesTheTopicsAndOperations() {
        org.hl7.fhir.r4.model.CapabilityStatement cs = json.parseResource(
                org.hl7.fhir.r4.model.CapabilityStatement.class,
                hub.send("GET", "/metadata", null, null).body());
        org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent subscription =
                cs.getRestFirstRep().getResource().stream()
                        .filter(r -> r.getType().equals("Subscription"))
                        .findFirst()
                        .orElseThrow();
        assertThat(subscription.getExtensionsByUrl(SubscriptionCapabilities.TOPIC_CANONICAL))
                .extracting(e -> e.getValue().primitiveValue())
                .containsExactlyInAnyOrder(java.util.Arrays.stream(Topic.values())
                        .map(Topic::canonical)
                        .toArray(String[]::new));
        // Backport IG CapabilityStatement backport-subscription-server-r4: each operation's definition is the IG's
        // canonical
        assertThat(subscription.getOperation())
                .extracting(o -> o.getName() + " " + o.getDefinition())
                .containsExactlyInAnyOrder(
                        "status http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status",
                        "events http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-events",
                        "get-ws-binding-token http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-get-ws-binding-token");
        assertThat(subscription.getInteraction())
                .extracting(i -> i.getCode().toCode())
                .contains("create", "read", "update", "delete", "search-type");
    }

    /**
     * The patient reads in the audit trail who received their records by notification: the event names the person as
     * their token did when they subscribed (a Subscription keeps the name claims), the login only as altId.
     */
    @Test
    void aNotificationsAuditEventNamesThePersonNotTheirLogin() throws Exception {
        String cm = careManager();
        String id = subscribe(cm, Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=Patient/p4");
        try (SocketClient socket = bound(cm, id)) {
            seed(
                    "Composition",
                    "plan-p4-named",
                    CareRecords.about("Composition", "care-plan", "p4"),
                    "Organization/org-hospital");
            assertThat(Notifications.type(socket.nextNotHeartbeat(WAIT))).isEqualTo("event-notification");
        }
        var events = hub.bean(com.mongodb.client.MongoClient.class)
                .getDatabase(hub.bean(jp.renkei.hub.store.StoreProperties.class).database())
                .getCollection("AuditEvent");
        // written after the push, on the dispatcher's thread: nothing to await but the record itself
        String notified = Await.until(
                "the notification's AuditEvent",
                java.time.Duration.ofMillis(WAIT),
                () -> events.find().map(d -> d.getString("body")).into(new ArrayList<>()).stream()
                        .filter(b -> b.contains("\"notification\"") && b.contains("Subscription/" + id))
                        .findFirst()
                        .orElse(null),
                java.util.Objects::nonNull);
        org.hl7.fhir.r4.model.AuditEvent event = json.parseResource(org.hl7.fhir.r4.model.AuditEvent.class, notified);
        assertThat(event.getAgentFirstRep().getWho().getDisplay()).isEqualTo("佐藤 恵");
        assertThat(event.getAgentFirstRep().getAltId()).isEqualTo("cm.sato");
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String careManager() {
        return issuer.token()
                .roles("care-manager")
                .subject("cm-sato")
                .claim("preferred_username", "cm.sato")
                .claim("family_name", "佐藤")
                .claim("given_name", "恵")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
    }

    /** The care manager with an access token that expires after {@code life}. */
    private String careManagerFor(java.time.Duration life) {
        return issuer.token()
                .roles("care-manager")
                .subject("cm-sato")
                .claim("preferred_username", "cm.sato")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .claim("exp", Instant.now().plus(life))
                .sign();
    }

    private static CareTeam team(String patient, String... members) {
        CareTeam team = new CareTeam()
                .setSubject(new Reference("Patient/" + patient))
                .setStatus(CareTeam.CareTeamStatus.ACTIVE);
        for (String member : members) {
            team.addParticipant().setMember(new Reference(member));
        }
        return team;
    }

    private static Task handoff(String patient, String owner, Task.TaskStatus status) {
        return new Task()
                .setFor(new Reference("Patient/" + patient))
                .setStatus(status)
                .setIntent(Task.TaskIntent.ORDER)
                .setCode(new CodeableConcept(new Coding(HANDOFF, "discharge-summary", null)))
                .setOwner(new Reference(owner))
                .setRequester(new Reference("PractitionerRole/role-hospital-nurse"));
    }

    private static Communication communication(String patient, String recipient) {
        Communication c = (Communication) CareRecords.about("Communication", "care-coordination", patient);
        c.addRecipient(new Reference(recipient));
        return c;
    }

    private void seed(String type, String id, Resource resource, String owner) {
        store.write(List.of(new WriteRequest(type, id, resource, null, owner)));
    }

    private String subscribe(String token, Topic topic, String content, int heartbeat, String... filters) {
        HttpResponse<String> created =
                post("/Subscription", token, Notifications.subscription(topic, content, heartbeat, filters));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
    }

    record Binding(String token, String expiration, String websocketUrl) {}

    private Binding tokenFor(String token, String subscription) {
        Parameters out = bindingToken(token, subscription);
        return new Binding(
                Notifications.value(out, "token"),
                Notifications.value(out, "expiration"),
                Notifications.value(out, "websocket-url"));
    }

    private Parameters bindingToken(String token, String subscription) {
        HttpResponse<String> response =
                post("/Subscription/" + subscription + "/$get-ws-binding-token", token, new Parameters());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Parameters.class, response.body());
    }

    /** A socket bound to the Subscription, its handshake already read. */
    private SocketClient bound(String token, String subscription) throws InterruptedException {
        return SocketClient.bound(bindingToken(token, subscription), WAIT);
    }

    private Bundle status(String token, String subscription) {
        return json.parseResource(
                Bundle.class,
                get("/Subscription/" + subscription + "/$status", token).body());
    }

    private void awaitCount(String token, String subscription, long count) throws InterruptedException {
        Await.until(
                "event " + count + " numbered",
                java.time.Duration.ofMillis(WAIT),
                () -> Notifications.eventsSinceStart(status(token, subscription)) >= count);
    }

    private void awaitDispatched() throws InterruptedException {
        Await.until(
                "changes dispatched",
                java.time.Duration.ofMillis(WAIT),
                () -> store.changeFeed().pending().isEmpty());
    }

    private HttpResponse<String> get(String path, String token) {
        return hub.send("GET", path, null, null, "Authorization", "Bearer " + token);
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
