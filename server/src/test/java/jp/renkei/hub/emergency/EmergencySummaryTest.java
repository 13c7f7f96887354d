package jp.renkei.hub.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.List;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The emergency summary through a running hub: what it holds, and for whom. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmergencySummaryTest {

    private SecuredHub world;
    private HubInstance hub;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start() throws Exception {
        world = new SecuredHub("renkei-emergency-summary");
        hub = world.hub;
        world.seed("Patient", "ph", new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")), "Organization/org-hospital");
        CareTeam team = new CareTeam().setSubject(new Reference("Patient/ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-dr"));
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cw"));
        world.seed("CareTeam", "ct-ph", team, "Organization/org-hospital");
        world.seed("Consent", "share-ph", CareRecords.sharingWith("ph", "CareTeam/ct-ph"), "Organization/org-hospital");
        world.seed("Composition", "sheet-old", CareRecords.about("Composition", "emergency-sheet", "ph"), "Organization/org-vn");
        world.seed("Composition", "sheet", CareRecords.about("Composition", "emergency-sheet", "ph"), "Organization/org-vn");
        world.seed("Composition", "plan", CareRecords.about("Composition", "care-plan", "ph"), "Organization/org-homecare");
        world.seed("Consent", "acp", CareRecords.about("Consent", "adr", "ph"), "Organization/org-clinic");
        world.seed("MedicationStatement", "meds", CareRecords.about("MedicationStatement", "active", "ph"), "Organization/org-hospital");
        world.seed("MedicationStatement", "old-meds", CareRecords.about("MedicationStatement", "stopped", "ph"), "Organization/org-hospital");
        world.seed("AllergyIntolerance", "allergy", CareRecords.about("AllergyIntolerance", null, "ph"), "Organization/org-hospital");
        world.seed("Condition", "dx", CareRecords.about("Condition", null, "ph"), "Organization/org-hospital");

        // a second patient whose sheet is a signed-style document Bundle, newer than an older Composition
        world.seed("Patient", "pd", new Patient().addName(new HumanName().setFamily("岩手").addGiven("次郎")), "Organization/org-hospital");
        CareTeam teamD = new CareTeam().setSubject(new Reference("Patient/pd")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        teamD.addParticipant().setMember(new Reference("PractitionerRole/role-dr"));
        world.seed("CareTeam", "ct-pd", teamD, "Organization/org-hospital");
        world.seed("Consent", "share-pd", CareRecords.sharingWith("pd", "CareTeam/ct-pd"), "Organization/org-hospital");
        world.seed("Composition", "sheet-pd-old", CareRecords.about("Composition", "emergency-sheet", "pd"), "Organization/org-vn");
        world.seed("Bundle", "sheet-pd", CareRecords.about("Bundle", "emergency-sheet", "pd"), "Organization/org-vn");
        world.seed("Bundle", "discharge-pd", CareRecords.about("Bundle", "discharge-summary", "pd"), "Organization/org-hospital");
    }

    @AfterAll
    void stop() {
        world.close();
    }

    private HttpResponse<String> summary(String token) {
        return hub.send("GET", "/Patient/ph/$emergency-summary", null, null, "Authorization", "Bearer " + token);
    }

    private List<String> entries(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().stream().map(Bundle.BundleEntryComponent::getFullUrl).toList();
    }

    @Test
    void theCareTeamDoctorGetsTheCurrentSheetDirectiveActiveMedicationsAndAllergies() {
        String doctor = world.issuer.token().roles("physician").claim("practitioner_role", "role-dr")
                .claim("organization", "org-clinic").sign();
        assertThat(entries(summary(doctor))).containsExactly("Patient/ph", "Composition/sheet", "Consent/acp",
                "MedicationStatement/meds", "AllergyIntolerance/allergy");
    }

    @Test
    void theNewestSheetIsShownWhetherItCameAsADocumentBundleOrAComposition() {
        String doctor = world.issuer.token().roles("physician").claim("practitioner_role", "role-dr")
                .claim("organization", "org-clinic").sign();
        HttpResponse<String> response = hub.send("GET", "/Patient/pd/$emergency-summary", null, null, "Authorization", "Bearer " + doctor);
        assertThat(entries(response)).containsExactly("Patient/pd", "Bundle/sheet-pd");
        Bundle sheet = (Bundle) json.parseResource(Bundle.class, response.body()).getEntry().get(1).getResource();
        assertThat(sheet.getType()).isEqualTo(Bundle.BundleType.DOCUMENT);
        assertThat(sheet.getEntryFirstRep().getResource().fhirType()).isEqualTo("Composition");
    }

    @Test
    void aCareWorkerGetsOnlyWhatTheirProfessionMaySee() {
        String careWorker = world.issuer.token().roles("care-worker").claim("practitioner_role", "role-cw")
                .claim("organization", "org-homecare").sign();
        assertThat(entries(summary(careWorker))).containsExactly("Patient/ph", "Composition/sheet", "AllergyIntolerance/allergy");
    }

    @Test
    void anAmbulanceCrewGetsItUnderBreakGlassOnly() {
        String ems = world.issuer.token().roles("ems").subject("ems-1").claim("practitioner_role", "role-ems").sign();
        assertThat(summary(ems).statusCode()).isEqualTo(404);
        Parameters declare = new Parameters();
        declare.addParameter().setName("purpose").setValue(new CodeType("ETREAT"));
        declare.addParameter().setName("reason").setValue(new StringType("自宅で呼吸困難、家族より119番通報"));
        assertThat(hub.send("POST", "/Patient/ph/$break-glass", "application/fhir+json", json.encodeResourceToString(declare),
                "Authorization", "Bearer " + ems).statusCode()).isEqualTo(200);
        assertThat(entries(summary(ems))).containsExactly("Patient/ph", "Composition/sheet", "Consent/acp",
                "MedicationStatement/meds", "AllergyIntolerance/allergy");
    }
}
