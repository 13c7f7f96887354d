package jp.renkei.hub.audit;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Updates;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import jp.renkei.hub.store.StoreProperties;
import org.bson.Document;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every interaction leaves a hash-chained AuditEvent; who may read them; tampering is found; audit failure fails the access. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailTest {

    private SecuredHub world;
    private HubInstance hub;
    private MongoDatabase db;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start() throws Exception {
        // No audit seal, as on a fresh machine: the chain is not anchored (docs/security.md, Anchoring). A hub of its
        // own
        // (docs/architecture.md §10): its settings, its alerts counted over the whole audit trail, and it tampers with
        // the chain.
        world = new SecuredHub(
                "renkei-audit",
                "renkei.sign.required=false",
                "renkei.sign.seals=" + java.nio.file.Files.createTempDirectory("renkei-no-seals"));
        hub = world.hub;
        db = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database());
        world.seed(
                "Patient",
                "ph",
                new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")),
                "Organization/org-hospital");
        world.seed(
                "Patient", "ps", new Patient().addName(new HumanName().setFamily("佐藤")), "Organization/org-hospital");
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        world.seed("CareTeam", "ct-ph", team, "Organization/org-hospital");
        world.seed(
                "Consent", "consent-ph", CareRecords.sharingWith("ph", "CareTeam/ct-ph"), "Organization/org-hospital");
        world.seed(
                "Observation",
                "obs-ph",
                CareRecords.about("Observation", "daily-living", "ph"),
                "Organization/org-hospital");
    }

    @AfterAll
    void stop() {
        world.close();
    }

    /** An unanchored chain has nothing to seal: starting it raises no alert (it used to raise "sealing failed" at every start). */
    @Test
    void anUnanchoredChainStartsWithoutAnAlert() throws Exception {
        AuditAnchoring anchoring = hub.bean(AuditAnchoring.class);
        assertThat(anchoring.startupCheck().get(60, java.util.concurrent.TimeUnit.SECONDS))
                .isNotNull();
        anchoring.awaitSealing();
        List<String> alerts = new java.util.ArrayList<>();
        for (org.bson.Document event : db.getCollection("AuditEvent").find()) {
            AuditEvent parsed = json.parseResource(AuditEvent.class, event.getString("body"));
            if ("110113".equals(parsed.getType().getCode())) {
                alerts.add(parsed.getOutcomeDesc());
            }
        }
        assertThat(alerts).as("Security Alerts of an unanchored hub").isEmpty();
    }

    private String careManager() {
        return world.issuer
                .token()
                .roles("care-manager")
                .claim("preferred_username", "care-manager")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
    }

    private String outsider() {
        return world.issuer
                .token()
                .roles("care-manager")
                .claim("preferred_username", "outsider")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-x")
                .sign();
    }

    private String patient() {
        return world.issuer
                .token()
                .roles("patient")
                .claim("preferred_username", "patient.yamada")
                .claim("patient", "ph")
                .sign();
    }

    private String hubAdmin() {
        return world.issuer
                .token()
                .roles("hub-admin")
                .claim("preferred_username", "hub-admin")
                .sign();
    }

    private HttpResponse<String> get(String path, String token) {
        return hub.send("GET", path, null, null, "Authorization", "Bearer " + token);
    }

    /** The AuditEvents about a patient, newest first, as hub-admin sees them. */
    private List<AuditEvent> eventsAbout(String patient) {
        Bundle bundle = json.parseResource(
                Bundle.class,
                get("/AuditEvent?patient=Patient/" + patient + "&_sort=-_lastUpdated&_count=500", hubAdmin())
                        .body());
        return bundle.getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
    }

    private static List<String> entities(AuditEvent event) {
        return event.getEntity().stream()
                .filter(e -> e.getWhat().hasReference())
                .map(e -> e.getWhat().getReference())
                .collect(Collectors.toList());
    }

    @Test
    void aReadIsRecordedWithWhoWhatAndOutcome() {
        assertThat(get("/Patient/ph", careManager()).statusCode()).isEqualTo(200);
        AuditEvent event = eventsAbout("ph").stream()
                .filter(e -> e.getSubtypeFirstRep().getCode().equals("read")
                        && e.getAgentFirstRep().getAltId().equals("care-manager"))
                .findFirst()
                .orElseThrow();
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(event.getAgentFirstRep().getWho().getReference()).isEqualTo("PractitionerRole/role-cm");
        assertThat(event.getAgentFirstRep()
                        .getRoleFirstRep()
                        .getCodingFirstRep()
                        .getCode())
                .isEqualTo("care-manager");
        assertThat(event.getAgentFirstRep().getNetwork().getAddress()).isEqualTo("127.0.0.1");
        assertThat(event.getAgent()).extracting(a -> a.getWho().getReference()).contains("Organization/org-homecare");
        assertThat(entities(event)).contains("Patient/ph", "Patient/ph/_history/1");
    }

    @Test
    void aDeniedAttemptIsRecordedWithThePatientButNoRecord() {
        assertThat(get("/Observation/obs-ph", outsider()).statusCode()).isEqualTo(404);
        AuditEvent event = eventsAbout("ph").stream()
                .filter(e -> e.getAgentFirstRep().getAltId().equals("outsider"))
                .findFirst()
                .orElseThrow();
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
        assertThat(event.getOutcomeDesc()).isEqualTo("denied 404");
        assertThat(entities(event)).containsExactly("Patient/ph");
    }

    @Test
    void searchesRecordTheQueryAndWhatWasShown() {
        assertThat(get("/Observation?patient=Patient/ph", careManager()).statusCode())
                .isEqualTo(200);
        AuditEvent event = eventsAbout("ph").stream()
                .filter(e -> e.getSubtypeFirstRep().getCode().equals("search-type"))
                .findFirst()
                .orElseThrow();
        assertThat(event.getEntity())
                .filteredOn(e -> e.hasQuery())
                .anySatisfy(e -> assertThat(new String(e.getQuery(), java.nio.charset.StandardCharsets.UTF_8))
                        .contains("patient=Patient/ph"));
        assertThat(entities(event)).contains("Patient/ph", "Observation/obs-ph/_history/1");
    }

    @Test
    void thePatientSeesWhoAccessedTheirRecordAndNobodyElseSeesTheLog() {
        assertThat(get("/Patient/ph", careManager()).statusCode()).isEqualTo(200);
        Bundle own = json.parseResource(
                Bundle.class,
                get("/AuditEvent?patient=Patient/ph&_count=500", patient()).body());
        assertThat(own.getEntry())
                .extracting(
                        e -> ((AuditEvent) e.getResource()).getAgentFirstRep().getAltId())
                .contains("care-manager");
        Bundle other = json.parseResource(
                Bundle.class,
                get("/AuditEvent?patient=Patient/ps&_count=500", patient()).body());
        assertThat(other.getTotal()).isZero();
        assertThat(get("/AuditEvent?patient=Patient/ph", careManager()).statusCode())
                .isEqualTo(403);
        assertThat(get("/$verify-audit-chain", careManager()).statusCode()).isEqualTo(403);
    }

    /**
     * The patient's access log (閲覧履歴): each event names the person by the name their token gives (not their login,
     * which stays in altId), with profession and organisation; events about other patients never reach her, neither
     * alone nor with hers (a search that showed both), and no entity she is shown names another patient's record.
     */
    @Test
    void thePatientsAccessLogNamesThePersonAndShowsNothingOfOtherPatients() {
        String named = world.issuer
                .token()
                .roles("care-manager")
                .claim("preferred_username", "cm.sasaki")
                .claim("family_name", "佐々木")
                .claim("given_name", "和子")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
        assertThat(get("/Patient/ph", named).statusCode()).isEqualTo(200);
        // another patient's record, alone and together with hers (a search that shows both)
        assertThat(get("/Patient/ps", named).statusCode()).isIn(403, 404);
        assertThat(get("/Patient?_id=ph,ps", named).statusCode()).isEqualTo(200);
        assertThat(get("/Patient/ph", patient()).statusCode()).isEqualTo(200);

        Bundle log = json.parseResource(
                Bundle.class,
                get("/AuditEvent?patient=Patient/ph&_sort=-date&_count=500", patient())
                        .body());
        List<AuditEvent> events =
                log.getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
        AuditEvent read = events.stream()
                .filter(e -> "cm.sasaki".equals(e.getAgentFirstRep().getAltId())
                        && e.getSubtypeFirstRep().getCode().equals("read"))
                .findFirst()
                .orElseThrow();
        assertThat(read.getAgentFirstRep().getWho().getDisplay()).isEqualTo("佐々木 和子");
        assertThat(read.getAgentFirstRep().getWho().getReference()).isEqualTo("PractitionerRole/role-cm");
        assertThat(read.getAgentFirstRep().getRoleFirstRep().getCodingFirstRep().getCode())
                .isEqualTo("care-manager");
        assertThat(read.getAgent()).extracting(a -> a.getWho().getReference()).contains("Organization/org-homecare");
        assertThat(read.getPurposeOfEventFirstRep().getCodingFirstRep().getCode())
                .isEqualTo("CAREMGT");
        // her own read is there too, under her own identity
        assertThat(events)
                .anySatisfy(e ->
                        assertThat(e.getAgentFirstRep().getWho().getReference()).isEqualTo("Patient/ph"));
        // newest first
        List<java.util.Date> recorded =
                events.stream().map(AuditEvent::getRecorded).toList();
        assertThat(recorded).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        // nothing about the other patient, in any event she is shown
        assertThat(events).allSatisfy(e -> assertThat(entities(e)).noneMatch(ref -> ref.startsWith("Patient/ps")));
        assertThat(log.getTotal()).isEqualTo(events.size());
        // the same log asked for by entity, or with no patient at all, shows nothing more
        Bundle byEntity = json.parseResource(
                Bundle.class,
                get("/AuditEvent?entity=Patient/ps&_count=500", patient()).body());
        assertThat(byEntity.getTotal()).isZero();
        Bundle unfiltered = json.parseResource(
                Bundle.class, get("/AuditEvent?_count=500", patient()).body());
        assertThat(unfiltered.getEntry())
                .allSatisfy(e -> assertThat(entities((AuditEvent) e.getResource()))
                        .noneMatch(ref -> ref.startsWith("Patient/ps")));
    }

    @Test
    void auditEventsCannotBeChangedOrDeletedThroughTheApi() {
        AuditEvent event = eventsAbout("ph").get(0);
        String id = event.getIdElement().getIdPart();
        assertThat(hub.send(
                                "PUT",
                                "/AuditEvent/" + id,
                                "application/fhir+json",
                                json.encodeResourceToString(event),
                                "Authorization",
                                "Bearer " + hubAdmin())
                        .statusCode())
                .isBetween(400, 405);
        assertThat(hub.send("DELETE", "/AuditEvent/" + id, null, null, "Authorization", "Bearer " + hubAdmin())
                        .statusCode())
                .isBetween(400, 405);
        assertThat(get("/AuditEvent/" + id, hubAdmin()).statusCode()).isEqualTo(200);
    }

    @Test
    void verificationFindsAChangedRemovedOrReorderedEvent() {
        for (int i = 0; i < 4; i++) {
            assertThat(get("/Patient/ph", careManager()).statusCode()).isEqualTo(200);
        }
        assertThat(verify().getParameterBool("intact")).isTrue();

        Document link = db.getCollection("audit_chain").find(eq("_id", 3L)).first();
        String eventId = link.getString("event");
        var events = db.getCollection("AuditEvent");
        String body = events.find(eq("_id", eventId)).first().getString("body");

        events.updateOne(eq("_id", eventId), Updates.set("body", body.replace("\"rest\"", "\"rest \"")));
        assertBroken(3, "was changed");
        events.updateOne(eq("_id", eventId), Updates.set("body", body));
        assertThat(verify().getParameterBool("intact")).isTrue();

        Document removed = events.findOneAndDelete(eq("_id", eventId));
        assertBroken(3, "is missing");
        events.insertOne(removed);

        // an event is linked once (a unique index), so links swap their events through a placeholder
        Document four = db.getCollection("audit_chain").find(eq("_id", 4L)).first();
        db.getCollection("audit_chain").updateOne(eq("_id", 4L), Updates.set("event", "swapping"));
        db.getCollection("audit_chain").updateOne(eq("_id", 3L), Updates.set("event", four.getString("event")));
        db.getCollection("audit_chain").updateOne(eq("_id", 4L), Updates.set("event", eventId));
        assertBroken(3, "was changed");
        db.getCollection("audit_chain").updateOne(eq("_id", 4L), Updates.set("event", "swapping"));
        db.getCollection("audit_chain").updateOne(eq("_id", 3L), Updates.set("event", eventId));
        db.getCollection("audit_chain").updateOne(eq("_id", 4L), Updates.set("event", four.getString("event")));
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    private Parameters verify() {
        HttpResponse<String> response = get("/$verify-audit-chain", hubAdmin());
        assertThat(response.statusCode()).isEqualTo(200);
        return json.parseResource(Parameters.class, response.body());
    }

    private void assertBroken(int link, String problem) {
        Parameters result = verify();
        assertThat(result.getParameterBool("intact")).isFalse();
        assertThat(((org.hl7.fhir.r4.model.IntegerType)
                                result.getParameter("firstBrokenLink").getValue())
                        .getValue())
                .isEqualTo(link);
        assertThat(result.getParameter("problem").getValue().primitiveValue()).contains(problem);
    }

    @Test
    void whenTheAuditTrailCannotBeWrittenTheAccessFails() {
        var head = db.getCollection("audit_chain_head").find(eq("_id", "head")).first();
        long next = head.getLong("seq") + 1;
        // A link nobody can follow: the chain cannot be extended, so nothing may be answered.
        db.getCollection("audit_chain").insertOne(new Document("_id", next).append("event", "x"));
        try {
            HttpResponse<String> response = get("/Patient/ph", careManager());
            assertThat(response.statusCode()).isEqualTo(500);
            // an incident id only: no patient data leaves without its audit record
            assertThat(response.body())
                    .contains("incident")
                    .doesNotContain("山田")
                    .doesNotContain("Patient");
        } finally {
            db.getCollection("audit_chain").deleteOne(eq("_id", next));
        }
        assertThat(get("/Patient/ph", careManager()).statusCode()).isEqualTo(200);
        List<String> problems = new ArrayList<>();
        Parameters result = verify();
        if (!result.getParameterBool("intact")) {
            problems.add(result.getParameter("problem").getValue().primitiveValue());
        }
        assertThat(problems).isEmpty();
    }
}
