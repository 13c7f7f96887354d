package jp.renkei.hub.consent;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.time.Instant;
import java.util.Date;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Through a running hub: a care team member reads a patient's records only as far as the patient's Consents permit. */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsentAccessTest {

    private SecuredHub world;
    private HubInstance hub;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        hub = world.hub;
        world.seed(
                "Patient",
                "ph",
                new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")),
                "Organization/org-hospital");
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cw"));
        world.seed("CareTeam", "ct-ph", team, "Organization/org-hospital");
        world.seed(
                "Observation",
                "obs",
                CareRecords.about("Observation", "daily-living", "ph"),
                "Organization/org-hospital",
                "user/nurse-hn");
        world.seed(
                "Composition",
                "plan",
                CareRecords.about("Composition", "care-plan", "ph"),
                "Organization/org-hospital");
        world.seed(
                "Composition",
                "record",
                CareRecords.about("Composition", "care-record", "ph"),
                "Organization/org-hospital");
    }

    @BeforeEach
    void withoutConsents() {
        for (String id : new String[] {"c1", "c2", "meds"}) {
            String type = id.equals("meds") ? "MedicationStatement" : "Consent";
            if (world.store.read(type, id) != null
                    && !world.store.read(type, id).deleted()) {
                world.store.write(java.util.List.of(new jp.renkei.hub.store.WriteRequest(type, id, null, null, null)));
            }
        }
    }

    private String careManager() {
        return world.issuer
                .token()
                .roles("care-manager")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
    }

    private String careWorker() {
        return world.issuer
                .token()
                .roles("care-worker")
                .claim("practitioner_role", "role-cw")
                .claim("organization", "org-homecare")
                .sign();
    }

    private int read(String path, String token) {
        return hub.send("GET", path, null, null, "Authorization", "Bearer " + token)
                .statusCode();
    }

    /** 「ケアチームと共有する。ただしケアプランは介護職員には見せない」 */
    private static Consent teamExceptCarePlanForCareWorkers() {
        Consent consent = CareRecords.sharingWith("ph", "CareTeam/ct-ph");
        Consent.ProvisionComponent exception =
                consent.getProvision().addProvision().setType(Consent.ConsentProvisionType.DENY);
        exception
                .addActor()
                .setReference(new Reference().setDisplay("介護職員"))
                .setRole(new CodeableConcept(
                        new Coding("http://renkei.example.jp/fhir/CodeSystem/profession", "care-worker", null)));
        exception.addCode(new CodeableConcept(new Coding(CareRecords.CARE_DOCUMENT, "care-plan", null)));
        return consent;
    }

    @Test
    void withoutConsentTheCareTeamSeesNothingButTheAuthorStillDoes() {
        assertThat(read("/Observation/obs", careManager())).isEqualTo(403);
        Bundle none = json.parseResource(
                Bundle.class,
                hub.send(
                                "GET",
                                "/Observation?patient=Patient/ph",
                                null,
                                null,
                                "Authorization",
                                "Bearer " + careManager())
                        .body());
        assertThat(none.getTotal()).isZero();
        // its author reads it without the team's consent; a colleague of hers at the hospital does not
        String author = world.issuer
                .token()
                .roles("hospital-nurse")
                .subject("nurse-hn")
                .claim("practitioner_role", "role-hn")
                .claim("organization", "org-hospital")
                .sign();
        assertThat(read("/Observation/obs", author)).isEqualTo(200);
        String colleague = world.issuer
                .token()
                .roles("hospital-nurse")
                .subject("nurse-hc")
                .claim("practitioner_role", "role-hc")
                .claim("organization", "org-hospital")
                .sign();
        assertThat(read("/Observation/obs", colleague)).isEqualTo(404);
        assertThat(read(
                        "/Observation/obs",
                        world.issuer
                                .token()
                                .roles("patient")
                                .claim("patient", "ph")
                                .sign()))
                .isEqualTo(200);
    }

    @Test
    void nestedExceptionsTakeAwayWhatTheConsentGives() {
        world.seed("Consent", "c1", teamExceptCarePlanForCareWorkers(), "Organization/org-hospital");
        assertThat(read("/Observation/obs", careManager())).isEqualTo(200);
        assertThat(read("/Composition/plan", careManager())).isEqualTo(200);
        assertThat(read("/Composition/plan", careWorker())).isEqualTo(403);
        assertThat(read("/Composition/record", careWorker())).isEqualTo(200);
        Bundle seen = json.parseResource(
                Bundle.class,
                hub.send(
                                "GET",
                                "/Composition?patient=Patient/ph",
                                null,
                                null,
                                "Authorization",
                                "Bearer " + careWorker())
                        .body());
        assertThat(seen.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly("record");
    }

    @Test
    void aStatusChangeCountsFromTheNextRequest() {
        Consent consent = teamExceptCarePlanForCareWorkers();
        world.seed("Consent", "c1", consent, "Organization/org-hospital");
        assertThat(read("/Observation/obs", careManager())).isEqualTo(200);
        for (Consent.ConsentState revoked : new Consent.ConsentState[] {
            Consent.ConsentState.INACTIVE, Consent.ConsentState.REJECTED, Consent.ConsentState.ENTEREDINERROR
        }) {
            world.seed(
                    "Consent",
                    "c1",
                    teamExceptCarePlanForCareWorkers().setStatus(revoked),
                    "Organization/org-hospital");
            assertThat(read("/Observation/obs", careManager()))
                    .as(revoked.toCode())
                    .isEqualTo(403);
        }
        world.seed("Consent", "c1", teamExceptCarePlanForCareWorkers(), "Organization/org-hospital");
        assertThat(read("/Observation/obs", careManager())).isEqualTo(200);
    }

    @Test
    void aDenyInAnotherConsentWins() {
        world.seed("Consent", "c1", teamExceptCarePlanForCareWorkers(), "Organization/org-hospital");
        Consent noHomeCare = CareRecords.sharingWith("ph", "Organization/org-homecare");
        noHomeCare.getProvision().setType(Consent.ConsentProvisionType.DENY);
        world.seed("Consent", "c2", noHomeCare, "Organization/org-hospital");
        assertThat(read("/Observation/obs", careManager())).isEqualTo(403);
    }

    @Test
    void aConsentCanShareWithSomeoneOutsideTheCareTeam() {
        world.seed(
                "MedicationStatement",
                "meds",
                CareRecords.about("MedicationStatement", null, "ph"),
                "Organization/org-hospital");
        String pharmacist = world.issuer
                .token()
                .roles("pharmacist")
                .claim("practitioner_role", "role-ph")
                .claim("organization", "org-pharmacy")
                .sign();
        assertThat(read("/MedicationStatement/meds", pharmacist)).isEqualTo(404);
        Consent pharmacy = CareRecords.sharingWith("ph", "Organization/org-pharmacy");
        pharmacy.getProvision()
                .addClass_(new Coding("http://hl7.org/fhir/resource-types", "MedicationStatement", null));
        world.seed("Consent", "c1", pharmacy, "Organization/org-hospital");
        assertThat(read("/MedicationStatement/meds", pharmacist)).isEqualTo(200);
        // only what the Consent names, and never more than the profession may see
        assertThat(read("/Observation/obs", pharmacist)).isEqualTo(404);
        assertThat(read("/Composition/plan", pharmacist)).isEqualTo(404);
        // a care worker outside the team named by such a Consent still sees no medication details
        Consent careWorkers = CareRecords.sharingWith("ph", "Organization/org-elsewhere");
        world.seed("Consent", "c2", careWorkers, "Organization/org-hospital");
        String outsideWorker = world.issuer
                .token()
                .roles("care-worker")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-elsewhere")
                .sign();
        assertThat(read("/MedicationStatement/meds", outsideWorker)).isEqualTo(403);
        assertThat(read("/Observation/obs", outsideWorker)).isEqualTo(200);
    }

    @Test
    void aConsentOutsideItsPeriodGivesNothing() {
        Consent ended = CareRecords.sharingWith("ph", "CareTeam/ct-ph");
        ended.getProvision().setPeriod(new Period().setEnd(Date.from(Instant.parse("2025-03-31T00:00:00Z"))));
        world.seed("Consent", "c1", ended, "Organization/org-hospital");
        assertThat(read("/Observation/obs", careManager())).isEqualTo(403);
    }

    @Test
    void aPurposeLimitedConsentSharesOnlyWithRolesOfThatPurpose() {
        // 「治療のためにだけ共有する」: the care worker's purpose is TREAT, the care manager's CAREMGT
        Consent forTreatment = CareRecords.sharingWith("ph", "CareTeam/ct-ph");
        forTreatment
                .getProvision()
                .addPurpose(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", null));
        world.seed("Consent", "c1", forTreatment, "Organization/org-hospital");
        assertThat(read("/Observation/obs", careWorker())).isEqualTo(200);
        assertThat(read("/Observation/obs", careManager())).isEqualTo(403);
    }
}
