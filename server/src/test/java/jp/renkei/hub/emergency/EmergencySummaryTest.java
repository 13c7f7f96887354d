package jp.renkei.hub.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The emergency summary through a running hub: what it holds, and for whom. */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmergencySummaryTest {

    private SecuredHub world;
    private HubInstance hub;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        hub = world.hub;
        world.seed(
                "Patient",
                "es-ph",
                new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")),
                "Organization/org-hospital");
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/es-ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-dr"));
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cw"));
        world.seed("CareTeam", "es-ct-ph", team, "Organization/org-hospital");
        world.seed(
                "Consent",
                "es-share-ph",
                CareRecords.sharingWith("es-ph", "CareTeam/es-ct-ph"),
                "Organization/org-hospital");
        world.seed(
                "Composition",
                "es-sheet-old",
                CareRecords.about("Composition", "emergency-sheet", "es-ph"),
                "Organization/org-vn");
        world.seed(
                "Composition",
                "es-sheet",
                CareRecords.about("Composition", "emergency-sheet", "es-ph"),
                "Organization/org-vn");
        world.seed(
                "Composition",
                "es-plan",
                CareRecords.about("Composition", "care-plan", "es-ph"),
                "Organization/org-homecare");
        world.seed("Consent", "es-acp", CareRecords.about("Consent", "adr", "es-ph"), "Organization/org-clinic");
        world.seed(
                "MedicationStatement",
                "es-meds",
                CareRecords.about("MedicationStatement", "active", "es-ph"),
                "Organization/org-hospital");
        world.seed(
                "MedicationStatement",
                "es-old-meds",
                CareRecords.about("MedicationStatement", "stopped", "es-ph"),
                "Organization/org-hospital");
        world.seed(
                "AllergyIntolerance",
                "es-allergy",
                CareRecords.about("AllergyIntolerance", null, "es-ph"),
                "Organization/org-hospital");
        world.seed("Condition", "es-dx", CareRecords.about("Condition", null, "es-ph"), "Organization/org-hospital");

        // a second patient whose sheet is a signed-style document Bundle, newer than an older Composition
        world.seed(
                "Patient",
                "es-pd",
                new Patient().addName(new HumanName().setFamily("岩手").addGiven("次郎")),
                "Organization/org-hospital");
        CareTeam teamD =
                new CareTeam().setSubject(new Reference("Patient/es-pd")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        teamD.addParticipant().setMember(new Reference("PractitionerRole/role-dr"));
        world.seed("CareTeam", "es-ct-pd", teamD, "Organization/org-hospital");
        world.seed(
                "Consent",
                "es-share-pd",
                CareRecords.sharingWith("es-pd", "CareTeam/es-ct-pd"),
                "Organization/org-hospital");
        world.seed(
                "Composition",
                "es-sheet-pd-old",
                CareRecords.about("Composition", "emergency-sheet", "es-pd"),
                "Organization/org-vn");
        world.seed(
                "Bundle",
                "es-sheet-pd",
                CareRecords.about("Bundle", "emergency-sheet", "es-pd"),
                "Organization/org-vn");
        world.seed(
                "Bundle",
                "es-discharge-pd",
                CareRecords.about("Bundle", "discharge-summary", "es-pd"),
                "Organization/org-hospital");
    }

    private HttpResponse<String> summary(String token) {
        return hub.send("GET", "/Patient/es-ph/$emergency-summary", null, null, "Authorization", "Bearer " + token);
    }

    private List<String> entries(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().stream()
                .map(Bundle.BundleEntryComponent::getFullUrl)
                .toList();
    }

    @Test
    void theCareTeamDoctorGetsTheCurrentSheetDirectiveActiveMedicationsAndAllergies() {
        String doctor = world.issuer
                .token()
                .roles("physician")
                .claim("practitioner_role", "role-dr")
                .claim("organization", "org-clinic")
                .sign();
        assertThat(entries(summary(doctor)))
                .containsExactly(
                        "Patient/es-ph",
                        "Composition/es-sheet",
                        "Consent/es-acp",
                        "MedicationStatement/es-meds",
                        "AllergyIntolerance/es-allergy");
    }

    @Test
    void theNewestSheetIsShownWhetherItCameAsADocumentBundleOrAComposition() {
        String doctor = world.issuer
                .token()
                .roles("physician")
                .claim("practitioner_role", "role-dr")
                .claim("organization", "org-clinic")
                .sign();
        HttpResponse<String> response =
                hub.send("GET", "/Patient/es-pd/$emergency-summary", null, null, "Authorization", "Bearer " + doctor);
        assertThat(entries(response)).containsExactly("Patient/es-pd", "Bundle/es-sheet-pd");
        Bundle sheet = (Bundle) json.parseResource(Bundle.class, response.body())
                .getEntry()
                .get(1)
                .getResource();
        assertThat(sheet.getType()).isEqualTo(Bundle.BundleType.DOCUMENT);
        assertThat(sheet.getEntryFirstRep().getResource().fhirType()).isEqualTo("Composition");
    }

    @Test
    void aCareWorkerGetsOnlyWhatTheirProfessionMaySee() {
        String careWorker = world.issuer
                .token()
                .roles("care-worker")
                .claim("practitioner_role", "role-cw")
                .claim("organization", "org-homecare")
                .sign();
        assertThat(entries(summary(careWorker)))
                .containsExactly("Patient/es-ph", "Composition/es-sheet", "AllergyIntolerance/es-allergy");
    }

    @Test
    void anAmbulanceCrewGetsItUnderBreakGlassOnly() {
        String ems = world.issuer
                .token()
                .roles("ems")
                .subject("ems-1")
                .claim("practitioner_role", "role-ems")
                .sign();
        assertThat(summary(ems).statusCode()).isEqualTo(404);
        Parameters declare = new Parameters();
        declare.addParameter().setName("purpose").setValue(new CodeType("ETREAT"));
        declare.addParameter().setName("reason").setValue(new StringType("自宅で呼吸困難、家族より119番通報"));
        assertThat(hub.send(
                                "POST",
                                "/Patient/es-ph/$break-glass",
                                "application/fhir+json",
                                json.encodeResourceToString(declare),
                                "Authorization",
                                "Bearer " + ems)
                        .statusCode())
                .isEqualTo(200);
        assertThat(entries(summary(ems)))
                .containsExactly(
                        "Patient/es-ph",
                        "Composition/es-sheet",
                        "Consent/es-acp",
                        "MedicationStatement/es-meds",
                        "AllergyIntolerance/es-allergy");
    }
}
