package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jp.renkei.hub.Await;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.notify.Notifications;
import jp.renkei.hub.notify.SocketClient;
import jp.renkei.hub.notify.Topic;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Organisation membership alone grants nothing (security review, issue 17 point 1): colleagues of the
 * author at いわて在宅ケアセンター who are not in 鈴木 ヨシ's care team, not named by her Consent and not the
 * authors read nothing of her on any read path — read, vread, instance and type history, search,
 * {@code _include}/{@code _revinclude}, batch and transaction GET, {@code $pdf}, {@code $verify},
 * {@code $notification-receipts}, {@code $emergency-summary}, {@code $events} and the notification socket —
 * for every record type and kind of the policy. Beside them, the people the rule lets in do read: a nurse
 * of a visiting-nurse station that is on the team as a whole Organization, and the individual author
 * outside the team (the MSW who registered her), so the test fails if the hub hid everything.
 *
 * <p>Every seeded record carries a marker tag; a colleague's answers must contain none.
 */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrganisationColleagueTest {

    static final String P = "pat-suzuki";
    static final String HOMECARE = "Organization/org-homecare";
    static final String HOSPITAL = "Organization/org-hospital";
    static final String MARKER_SYSTEM = "urn:renkei:test-marker";
    static final String MARKER = "LEAK-";
    static final long WAIT = 20_000;

    private SecuredHub secured;
    private HubInstance hub;
    private AccessPolicy policy;
    private final IParser json = HubInstance.fhirContext().newJsonParser();
    /** type → ids of the seeded records about P written by the home doctor of org-homecare. */
    private final Map<String, List<String>> records = new java.util.LinkedHashMap<>();

    private final Map<String, String> kinds = new java.util.HashMap<>();

    @BeforeAll
    void start(SecuredHub secured) throws Exception {
        this.secured = secured;
        hub = secured.hub;
        policy = hub.bean(AccessPolicy.class);

        // registered by the hospital's MSW, who is not on the home care team
        seed(
                "Patient",
                P,
                new Patient()
                        .addName(new HumanName().setFamily("鈴木").addGiven("ヨシ"))
                        .setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1929-02-20")),
                HOSPITAL,
                "user/msw-hospital");
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/" + P)).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-physician-home"));
        team.addParticipant().setMember(new Reference("PractitionerRole/role-visiting-nurse"));
        team.addParticipant().setMember(new Reference("Organization/org-station")); // a whole 訪問看護ステーション
        seed("CareTeam", "ct-suzuki", team, HOSPITAL, "user/msw-hospital");
        seed(
                "Consent",
                "consent-suzuki",
                CareRecords.sharingWith(P, "CareTeam/ct-suzuki"),
                HOSPITAL,
                "user/msw-hospital");
        seed(
                "Composition",
                "msw-discharge",
                CareRecords.about("Composition", "discharge-summary", P),
                HOSPITAL,
                "user/msw-hospital");

        // everything else written by the home doctor of いわて在宅ケアセンター, who is on the team
        for (String type : policy.types()) {
            if (policy.isDirectory(type) || type.equals("Patient")) {
                continue;
            }
            AccessPolicy.KindScheme scheme = policy.scheme(type);
            for (String kind : scheme == null
                    ? java.util.Collections.<String>singletonList(null)
                    : List.copyOf(scheme.labels().keySet())) {
                String id = ("rec-" + type + "-" + (kind == null ? "x" : kind)).toLowerCase(Locale.ROOT);
                seed(type, id, CareRecords.about(type, kind, P), HOMECARE, "user/physician-home");
                records.computeIfAbsent(type, t -> new ArrayList<>()).add(id);
                kinds.put(type + "/" + id, kind);
            }
        }
        // a note the colleague care manager wrote herself, pointing at the doctor's records: only it may come back
        Communication own = (Communication) CareRecords.about("Communication", "care-coordination", P);
        own.addBasedOn(new Reference("Condition/rec-condition-x"));
        own.addPartOf(new Reference("Composition/rec-composition-discharge-summary"));
        secured.seed("Communication", "note-by-colleague", own, HOMECARE, "user/cm-colleague");
    }

    /** Seeds a record with a marker tag that must never reach someone the rules keep out. */
    private void seed(String type, String id, Resource resource, String owner, String author) {
        resource.getMeta().addTag(MARKER_SYSTEM, MARKER + id, null);
        secured.seed(type, id, resource, owner, author);
    }

    // ---- who is asking ------------------------------------------------------------------------

    /** Colleagues at いわて在宅ケアセンター, not in the care team, not named by the Consent, not authors. */
    private Map<String, String> colleagues() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put("care-manager", colleague("care-manager", "cm-colleague", "role-cm-colleague"));
        out.put("care-worker", colleague("care-worker", "cw-colleague", "role-cw-colleague"));
        out.put("physician", colleague("physician", "doc-colleague", "role-doc-colleague"));
        out.put("visiting-nurse", colleague("visiting-nurse", "vn-colleague", "role-vn-colleague"));
        return out;
    }

    private String colleague(String role, String subject, String practitionerRole) {
        return secured.issuer
                .token()
                .roles(role)
                .subject(subject)
                .claim("organization", "org-homecare")
                .claim("practitioner", "prac-" + subject)
                .claim("practitioner_role", practitionerRole)
                .sign();
    }

    /** A nurse of the station that is on the care team as a whole Organization (relation care-team). */
    private String stationNurse() {
        return secured.issuer
                .token()
                .roles("visiting-nurse")
                .subject("nurse-station")
                .claim("organization", "org-station")
                .claim("practitioner", "prac-station")
                .claim("practitioner_role", "role-station-nurse")
                .sign();
    }

    // ---- the paths ------------------------------------------------------------------------------

    @Test
    void colleaguesOutsideTheTeamReadNothingOfThePatientOnAnyRecordPath() {
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> colleague : colleagues().entrySet()) {
            String token = colleague.getValue();
            String who = colleague.getKey();
            expectHidden(leaks, who, "GET /Patient/" + P, get("/Patient/" + P, token), 404);
            expectHidden(leaks, who, "Patient search", get("/Patient?_id=" + P, token), 200, 403);
            expectHidden(leaks, who, "Patient name search", get("/Patient?name=%E9%88%B4%E6%9C%A8", token), 200, 403);
            for (Map.Entry<String, List<String>> type : records.entrySet()) {
                String t = type.getKey();
                for (String id : type.getValue()) {
                    expectHidden(leaks, who, "read " + t + "/" + id, get("/" + t + "/" + id, token), 404);
                    expectHidden(
                            leaks, who, "vread " + t + "/" + id, get("/" + t + "/" + id + "/_history/1", token), 404);
                    expectHidden(
                            leaks, who, "history " + t + "/" + id, get("/" + t + "/" + id + "/_history", token), 404);
                    expectHidden(
                            leaks, who, "search " + t + "?_id=" + id, get("/" + t + "?_id=" + id, token), 200, 403);
                }
                expectHidden(leaks, who, "type history " + t, get("/" + t + "/_history?_count=500", token), 200, 403);
                if (!t.equals("Binary")) {
                    expectHidden(
                            leaks,
                            who,
                            "search " + t + "?patient",
                            get("/" + t + "?patient=Patient/" + P + "&_count=500", token),
                            200,
                            403);
                }
            }
            for (String t : List.of("Bundle", "Consent", "Communication")) {
                for (String id : records.get(t)) {
                    expectHidden(leaks, who, "$pdf " + t + "/" + id, get("/" + t + "/" + id + "/$pdf", token), 404);
                    expectHidden(
                            leaks, who, "$verify " + t + "/" + id, get("/" + t + "/" + id + "/$verify", token), 404);
                }
            }
            for (String t : List.of("Bundle", "Composition", "DocumentReference", "Task", "Communication")) {
                for (String id : records.get(t)) {
                    expectHidden(
                            leaks,
                            who,
                            "$notification-receipts " + t + "/" + id,
                            get("/" + t + "/" + id + "/$notification-receipts", token),
                            404);
                }
            }
            expectHidden(leaks, who, "$emergency-summary", get("/Patient/" + P + "/$emergency-summary", token), 404);
            expectHidden(
                    leaks,
                    who,
                    "_revinclude",
                    get("/Patient?_id=" + P + "&_revinclude=Condition:patient", token),
                    200,
                    400,
                    403);
            for (Bundle.BundleType kind : List.of(Bundle.BundleType.BATCH, Bundle.BundleType.TRANSACTION)) {
                Bundle gets = new Bundle().setType(kind);
                gets.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + P);
                gets.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Condition/rec-condition-x");
                gets.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Condition?patient=Patient/" + P);
                expectHidden(leaks, who, kind.toCode() + " GET", post("/", token, gets), 200, 400, 403, 404);
            }
        }
        assertThat(leaks).as("answers to colleagues outside the care team").isEmpty();
    }

    @Test
    void anIncludeFromTheColleaguesOwnNoteLeavesThePatientsRecordsOut() {
        String cm = colleagues().get("care-manager");
        HttpResponse<String> response = get("/Communication?_id=note-by-colleague&_include=Communication:*", cm);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Bundle found = json.parseResource(Bundle.class, response.body());
        // her own note, as its author; not the Patient, Condition or Composition it names
        assertThat(found.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly("note-by-colleague");
        assertThat(response.body()).doesNotContain(MARKER);
    }

    @Test
    void theTeamByWholeOrganisationAndTheIndividualAuthorDoRead() {
        // the station is on the team as an Organization: its nurse reads what a visiting nurse may read
        String nurse = stationNurse();
        int shown = 0;
        for (Map.Entry<String, List<String>> type : records.entrySet()) {
            for (String id : type.getValue()) {
                String kind = kinds.get(type.getKey() + "/" + id);
                boolean may = policy.relations("visiting-nurse", type.getKey(), kind, Action.READ)
                        .contains(Relation.CARE_TEAM);
                HttpResponse<String> response = get("/" + type.getKey() + "/" + id, nurse);
                assertThat(response.statusCode())
                        .as(type.getKey() + "/" + id + ": " + response.body())
                        .isEqualTo(may ? 200 : 403);
                if (may) {
                    assertThat(response.body()).contains(MARKER + id);
                    shown++;
                }
            }
        }
        assertThat(shown).isGreaterThan(40);
        assertThat(get("/Patient/" + P + "/$emergency-summary", nurse).body()).contains(MARKER + P);
        assertThat(get("/Bundle/rec-bundle-emergency-sheet/$pdf", nurse).statusCode())
                .isEqualTo(200);

        // the MSW who registered her and wrote a discharge summary is not on the team: she reads what she wrote, only
        // that
        String msw = secured.issuer
                .token()
                .roles("msw")
                .subject("msw-hospital")
                .claim("organization", "org-hospital")
                .claim("practitioner_role", "role-msw")
                .sign();
        assertThat(get("/Composition/msw-discharge", msw).body()).contains(MARKER + "msw-discharge");
        assertThat(get("/Patient/" + P, msw).body()).contains(MARKER + P);
        // (403, not 404: as the patient's registrar she knows the patient, so the refusal tells her nothing new)
        HttpResponse<String> others = get("/Composition/rec-composition-discharge-summary", msw);
        assertThat(others.statusCode()).isEqualTo(403);
        assertThat(others.body()).doesNotContain(MARKER);
        // and her colleague at the hospital reads neither
        String hospitalColleague = secured.issuer
                .token()
                .roles("msw")
                .subject("msw-colleague")
                .claim("organization", "org-hospital")
                .claim("practitioner_role", "role-msw-colleague")
                .sign();
        assertThat(get("/Composition/msw-discharge", hospitalColleague).statusCode())
                .isEqualTo(404);
        assertThat(get("/Patient/" + P, hospitalColleague).statusCode()).isEqualTo(404);
    }

    @Test
    void aSubscriptionToTheOrganisationsDocumentsTellsAColleagueNothing() throws Exception {
        String cm = colleagues().get("care-manager");
        String nurse = stationNurse();
        String colleagueSubscription = subscribe(cm, "Composition?organization=" + HOMECARE);
        String teamSubscription = subscribe(nurse, "Composition?patient=Patient/" + P);
        try (SocketClient colleagueSocket = SocketClient.bound(bindingToken(cm, colleagueSubscription), WAIT);
                SocketClient teamSocket = SocketClient.bound(bindingToken(nurse, teamSubscription), WAIT)) {
            seed(
                    "Composition",
                    "new-care-record",
                    CareRecords.about("Composition", "care-record", P),
                    HOMECARE,
                    "user/physician-home");
            Bundle event = teamSocket.nextNotHeartbeat(WAIT);
            assertThat(event).as("the team is told").isNotNull();
            assertThat(Notifications.events(event)).containsExactly("1 Composition/new-care-record");
            awaitDispatched();
            assertThat(colleagueSocket.nextNotHeartbeat(1500))
                    .as("the colleague is told nothing")
                    .isNull();
        }
        Bundle replay = Notifications.replayUntil(hub, cm, colleagueSubscription, events -> true);
        assertThat(Notifications.events(replay)).isEmpty();
        assertThat(json.encodeResourceToString(replay)).doesNotContain(MARKER).doesNotContain("new-care-record");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void expectHidden(
            List<String> leaks, String who, String what, HttpResponse<String> response, int... allowed) {
        boolean statusOk = java.util.Arrays.stream(allowed).anyMatch(s -> s == response.statusCode());
        if (!statusOk || response.body().contains(MARKER)) {
            String body = response.body();
            leaks.add(who + " " + what + ": " + response.statusCode() + " "
                    + (body.length() > 200 ? body.substring(0, 200) : body));
        }
    }

    private String subscribe(String token, String filter) {
        HttpResponse<String> created =
                post("/Subscription", token, Notifications.subscription(Topic.CARE_DOCUMENT, "id-only", 0, filter));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
    }

    private Parameters bindingToken(String token, String subscription) {
        HttpResponse<String> response =
                post("/Subscription/" + subscription + "/$get-ws-binding-token", token, new Parameters());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Parameters.class, response.body());
    }

    private void awaitDispatched() throws InterruptedException {
        Await.until(
                "changes dispatched",
                java.time.Duration.ofMillis(WAIT),
                () -> secured.store.changeFeed().pending().isEmpty());
    }

    private HttpResponse<String> get(String path, String token) {
        return hub.send("GET", path, null, null, "Authorization", "Bearer " + token, "Accept", "application/fhir+json");
    }

    private HttpResponse<String> post(String path, String token, Resource body) {
        return hub.send(
                "POST",
                path,
                "application/fhir+json",
                json.encodeResourceToString(body),
                "Authorization",
                "Bearer " + token,
                "Accept",
                "application/fhir+json");
    }
}
