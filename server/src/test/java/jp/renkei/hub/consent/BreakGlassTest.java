package jp.renkei.hub.consent;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Updates;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.TestIssuer;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.StoreProperties;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Emergency access (break-glass) through a running hub whose grants last 3 seconds. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BreakGlassTest {

    private final TestIssuer issuer = new TestIssuer();
    private HubInstance hub;
    private ResourceStore store;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start() throws Exception {
        String[] auth = issuer.hubProperties();
        hub = new HubInstance(Files.createTempDirectory("renkei-break-glass"), auth[0], auth[1], auth[2],
                "renkei.break-glass.duration=60s");
        store = hub.bean(ResourceStore.class);
        seed("Patient", "ph", new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")), "Organization/org-hospital");
        seed("Patient", "ps", new Patient().addName(new HumanName().setFamily("佐藤")), "Organization/org-hospital");
        seed("PractitionerRole", "role-cm", new PractitionerRole().addCode(new CodeableConcept(
                new Coding("http://renkei.example.jp/fhir/CodeSystem/profession", "care-manager", null))), null);
        CareTeam team = new CareTeam().setSubject(new Reference("Patient/ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        seed("CareTeam", "ct-ph", team, "Organization/org-hospital");
        seed("Composition", "sheet", CareRecords.about("Composition", "emergency-sheet", "ph"), "Organization/org-facility");
        seed("Composition", "directive", CareRecords.about("Composition", "advance-directive", "ph"), "Organization/org-clinic");
        seed("Composition", "plan", CareRecords.about("Composition", "care-plan", "ph"), "Organization/org-homecare");
        seed("AllergyIntolerance", "allergy", CareRecords.about("AllergyIntolerance", null, "ph"), "Organization/org-hospital");
        seed("MedicationStatement", "meds", CareRecords.about("MedicationStatement", null, "ph"), "Organization/org-hospital");
        seed("Condition", "dx", CareRecords.about("Condition", null, "ph"), "Organization/org-hospital");
        seed("MedicationStatement", "old-meds", CareRecords.about("MedicationStatement", "stopped", "ph"), "Organization/org-hospital");
        seed("Composition", "sheet-ps", CareRecords.about("Composition", "emergency-sheet", "ps"), "Organization/org-facility");
        // the directory entry of the ambulance crew member, as keycloak/demo-fhir.json has it
        seed("Practitioner", "prac-ems", new org.hl7.fhir.r4.model.Practitioner().addName(new HumanName()
                .setUse(HumanName.NameUse.OFFICIAL).setText("木村 隆").setFamily("木村").addGiven("隆")), null);
        PractitionerRole emsRole = new PractitionerRole().setPractitioner(new Reference("Practitioner/prac-ems"));
        emsRole.addCode(new CodeableConcept(new Coding("http://renkei.example.jp/fhir/CodeSystem/profession", "ems", "救急隊"))
                .setText("救急隊"));
        seed("PractitionerRole", "role-ems", emsRole, null);
    }

    @AfterAll
    void stop() {
        hub.close();
        issuer.close();
    }

    private void seed(String type, String id, Resource resource, String owner) {
        store.write(List.of(new WriteRequest(type, id, resource, null, owner)));
    }

    private String ems() {
        return issuer.token().roles("ems").subject("ems-kimura").claim("preferred_username", "ems.kimura")
                .claim("practitioner_role", "role-ems").sign();
    }

    private HttpResponse<String> declare(String patient, String token, String purpose, String reason) {
        Parameters p = new Parameters();
        if (purpose != null) {
            p.addParameter().setName("purpose").setValue(new CodeType(purpose));
        }
        if (reason != null) {
            p.addParameter().setName("reason").setValue(new StringType(reason));
        }
        return hub.send("POST", "/Patient/" + patient + "/$break-glass", "application/fhir+json", json.encodeResourceToString(p),
                "Authorization", "Bearer " + token);
    }

    private int read(String path, String token) {
        return hub.send("GET", path, null, null, "Authorization", "Bearer " + token).statusCode();
    }

    @Test
    void anEmergencyOpensOnlyTheEmergencyInformationOfThatPatientForALimitedTime() throws Exception {
        String ems = ems();
        assertThat(read("/Composition/sheet", ems)).isEqualTo(404);

        assertThat(declare("ph", ems, "ETREAT", null).statusCode()).isEqualTo(400);
        assertThat(declare("ph", ems, "ETREAT", "  ").statusCode()).isEqualTo(400);
        assertThat(declare("ph", ems, "TREAT", "自宅で意識消失").statusCode()).isEqualTo(400);
        assertThat(declare("nobody", ems, "ETREAT", "自宅で意識消失").statusCode()).isEqualTo(404);
        String careWorker = issuer.token().roles("care-worker").claim("organization", "org-homecare").sign();
        assertThat(declare("ph", careWorker, "ETREAT", "自宅で意識消失").statusCode()).isEqualTo(403);

        HttpResponse<String> declared = declare("ph", ems, "ETREAT", "自宅で意識消失、家族より119番通報");
        assertThat(declared.statusCode()).isEqualTo(200);
        Parameters grant = json.parseResource(Parameters.class, declared.body());
        assertThat(((InstantType) grant.getParameter("until").getValue()).getValue().toInstant())
                .isBetween(Instant.now().plusSeconds(50), Instant.now().plusSeconds(61));

        for (String path : List.of("/Composition/sheet", "/Composition/directive", "/AllergyIntolerance/allergy",
                "/MedicationStatement/meds", "/Patient/ph")) {
            assertThat(read(path, ems)).as(path).isEqualTo(200);
        }
        // nothing else, and nothing of another patient
        assertThat(read("/Composition/plan", ems)).isEqualTo(403);
        assertThat(read("/Condition/dx", ems)).isEqualTo(403);
        assertThat(read("/MedicationStatement/old-meds", ems)).as("only active medications").isEqualTo(403);
        Bundle meds = json.parseResource(Bundle.class, hub.send("GET", "/MedicationStatement?patient=Patient/ph", null, null,
                "Authorization", "Bearer " + ems).body());
        assertThat(meds.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactly("meds");
        assertThat(read("/Composition/sheet-ps", ems)).isEqualTo(404);
        Bundle found = json.parseResource(Bundle.class, hub.send("GET", "/Composition?patient=Patient/ph", null, null,
                "Authorization", "Bearer " + ems).body());
        assertThat(found.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactlyInAnyOrder("sheet", "directive");

        // the care manager and the authors of the emergency documents are told
        // the answer does not say who was told (that would reveal the care team)
        assertThat(grant.getParameter()).extracting(Parameters.ParametersParameterComponent::getName)
                .containsExactlyInAnyOrder("patient", "until");
        List<jp.renkei.hub.store.StoredResource> notices = hub.bean(jp.renkei.hub.store.SearchExecutor.class)
                .aboutPatient("Communication", "ph", true);
        assertThat(notices).hasSize(1);
        Communication notice = json.parseResource(Communication.class, notices.get(0).json());
        assertThat(notice.getRecipient()).extracting(Reference::getReference)
                .containsExactlyInAnyOrder("PractitionerRole/role-cm", "Organization/org-facility", "Organization/org-clinic");
        // named as the directory knows the person (their PractitionerRole and Practitioner), not by their login
        assertThat(notice.getSender().getReference()).isEqualTo("PractitionerRole/role-ems");
        assertThat(notice.getSender().getDisplay()).isEqualTo("救急隊 木村 隆");
        assertThat(notice.getPayloadFirstRep().getContentStringType().getValue()).contains("救急隊 木村 隆").contains("意識消失")
                .doesNotContain("ems.kimura");

        // the declaration and the reads under it are audited as emergency access
        String admin = issuer.token().roles("hub-admin").sign();
        Bundle events = json.parseResource(Bundle.class, hub.send("GET", "/AuditEvent?patient=Patient/ph&_count=200", null, null,
                "Authorization", "Bearer " + admin).body());
        List<AuditEvent> emergency = events.getEntry().stream().map(e -> (AuditEvent) e.getResource())
                .filter(e -> e.getPurposeOfEvent().stream().anyMatch(p -> p.getCodingFirstRep().getCode().equals("ETREAT"))).toList();
        assertThat(emergency).anySatisfy(e -> assertThat(e.getSubtype()).extracting(Coding::getCode).contains("break-glass"));
        assertThat(emergency).anySatisfy(e -> assertThat(e.getSubtypeFirstRep().getCode()).isEqualTo("read"));

        // the grant's minute passes (moved into the past rather than waited for)
        hub.bean(MongoClient.class).getDatabase(hub.bean(StoreProperties.class).database()).getCollection("break_glass_grants")
                .updateMany(new Document(), Updates.set("until", Date.from(Instant.now().minusSeconds(1))));
        assertThat(read("/Composition/sheet", ems)).isEqualTo(404);
    }

    /** Someone the directory does not know (no PractitionerRole or Practitioner for them) is named by their token's name claims. */
    @Test
    void aDeclarantUnknownToTheDirectoryIsNamedByTheirTokensNameClaims() throws Exception {
        String physician = issuer.token().roles("physician").subject("dr-sasaki").claim("preferred_username", "dr.sasaki")
                .claim("practitioner_role", "role-not-in-directory").claim("family_name", "佐々木").claim("given_name", "健")
                .claim("name", "健 佐々木").sign();
        assertThat(declare("ps", physician, "ETREAT", "往診先で急変").statusCode()).isEqualTo(200);
        List<jp.renkei.hub.store.StoredResource> notices = hub.bean(jp.renkei.hub.store.SearchExecutor.class)
                .aboutPatient("Communication", "ps", true);
        assertThat(notices).hasSize(1);
        Communication notice = json.parseResource(Communication.class, notices.get(0).json());
        assertThat(notice.getSender().getDisplay()).isEqualTo("佐々木 健");
        assertThat(notice.getPayloadFirstRep().getContentStringType().getValue()).contains("佐々木 健").doesNotContain("dr.sasaki");
    }
}
