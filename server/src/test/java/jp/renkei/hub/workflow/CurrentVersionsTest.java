package jp.renkei.hub.workflow;

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
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations.DocumentReferenceStatus;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ACP is revisited over time: each revision of the advance directive is a new record, exactly one is
 * current, and the earlier ones stay readable, marked superseded. The same holds for the signed
 * originals (DocumentReference) and the emergency contact sheet.
 */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CurrentVersionsTest {

    private SecuredHub world;
    private HubInstance hub;
    private String doctor;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        hub = world.hub;
        for (String p : List.of("cv-pa", "cv-pb")) {
            world.seed(
                    "Patient",
                    p,
                    new Patient().addName(new HumanName().setFamily("盛岡").addGiven("一郎")),
                    "Organization/org-hospital");
            CareTeam team =
                    new CareTeam().setSubject(new Reference("Patient/" + p)).setStatus(CareTeam.CareTeamStatus.ACTIVE);
            team.addParticipant().setMember(new Reference("PractitionerRole/role-dr"));
            world.seed("CareTeam", "ct-" + p, team, "Organization/org-hospital");
            world.seed(
                    "Consent",
                    "share-" + p,
                    CareRecords.sharingWith(p, "CareTeam/ct-" + p),
                    "Organization/org-hospital");
        }
        doctor = world.issuer
                .token()
                .roles("physician")
                .claim("practitioner_role", "role-dr")
                .claim("organization", "org-clinic")
                .sign();
    }

    private String create(Resource resource) {
        HttpResponse<String> response = hub.send(
                "POST",
                "/" + resource.fhirType(),
                "application/fhir+json",
                json.encodeResourceToString(resource),
                "Authorization",
                "Bearer " + doctor);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.parseResource(response.body()).getIdElement().getIdPart();
    }

    private <T extends Resource> T read(Class<T> type, String id) {
        HttpResponse<String> response =
                hub.send("GET", "/" + type.getSimpleName() + "/" + id, null, null, "Authorization", "Bearer " + doctor);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(type, response.body());
    }

    private List<String> search(String query) {
        HttpResponse<String> response = hub.send("GET", "/" + query, null, null, "Authorization", "Bearer " + doctor);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart())
                .toList();
    }

    @Test
    void aRevisedAdvanceDirectiveSupersedesThePreviousOne() {
        String first = create(CareRecords.about("Consent", "adr", "cv-pa"));
        String other = create(CareRecords.about("Consent", "adr", "cv-pb"));
        String second = create(CareRecords.about("Consent", "adr", "cv-pa"));
        String third = create(CareRecords.about("Consent", "adr", "cv-pa"));

        assertThat(search("Consent?patient=cv-pa&scope=adr&status=active")).containsExactly(third);
        Consent firstNow = read(Consent.class, first);
        assertThat(firstNow.getStatus()).isEqualTo(Consent.ConsentState.INACTIVE);
        assertThat(((Reference) firstNow.getExtensionByUrl(CurrentVersions.SUPERSEDED_BY)
                                .getValue())
                        .getReference())
                .isEqualTo("Consent/" + second);
        assertThat(((Reference) read(Consent.class, second)
                                .getExtensionByUrl(CurrentVersions.SUPERSEDED_BY)
                                .getValue())
                        .getReference())
                .isEqualTo("Consent/" + third);
        assertThat(read(Consent.class, third).getExtensionByUrl(CurrentVersions.SUPERSEDED_BY))
                .isNull();
        // another patient's directive is untouched
        assertThat(read(Consent.class, other).getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);
        // the emergency summary shows the current one
        HttpResponse<String> summary =
                hub.send("GET", "/Patient/cv-pa/$emergency-summary", null, null, "Authorization", "Bearer " + doctor);
        assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
        assertThat(json.parseResource(Bundle.class, summary.body()).getEntry())
                .extracting(Bundle.BundleEntryComponent::getFullUrl)
                .contains("Consent/" + third)
                .doesNotContain("Consent/" + first, "Consent/" + second);
    }

    @Test
    void aNewSignedOriginalReplacesTheCurrentOneOfItsKindOnly() {
        String sheet = create(CareRecords.about("DocumentReference", "emergency-sheet", "cv-pb"));
        String first = create(CareRecords.about("DocumentReference", "advance-directive", "cv-pb"));
        String second = create(CareRecords.about("DocumentReference", "advance-directive", "cv-pb"));

        assertThat(read(DocumentReference.class, first).getStatus()).isEqualTo(DocumentReferenceStatus.SUPERSEDED);
        DocumentReference current = read(DocumentReference.class, second);
        assertThat(current.getStatus()).isEqualTo(DocumentReferenceStatus.CURRENT);
        assertThat(current.getRelatesTo())
                .extracting(r -> r.getCode().toCode() + " " + r.getTarget().getReference())
                .containsExactly("replaces DocumentReference/" + first);
        assertThat(read(DocumentReference.class, sheet).getStatus()).isEqualTo(DocumentReferenceStatus.CURRENT);
    }

    @Test
    void aDocumentThatSaysWhatItReplacesSupersedesIt() {
        String report = create(CareRecords.about("DocumentReference", "nursing-report", "cv-pa"));
        DocumentReference correction =
                (DocumentReference) CareRecords.about("DocumentReference", "nursing-report", "cv-pa");
        correction
                .addRelatesTo()
                .setCode(DocumentReference.DocumentRelationshipType.REPLACES)
                .setTarget(new Reference("DocumentReference/" + report));
        create(correction);
        assertThat(read(DocumentReference.class, report).getStatus()).isEqualTo(DocumentReferenceStatus.SUPERSEDED);

        // another organisation's report is not the doctor's to replace
        world.seed(
                "DocumentReference",
                "vn-report",
                CareRecords.about("DocumentReference", "nursing-report", "cv-pa"),
                "Organization/org-vn");
        DocumentReference takeover =
                (DocumentReference) CareRecords.about("DocumentReference", "nursing-report", "cv-pa");
        takeover.addRelatesTo()
                .setCode(DocumentReference.DocumentRelationshipType.REPLACES)
                .setTarget(new Reference("DocumentReference/vn-report"));
        create(takeover);
        assertThat(read(DocumentReference.class, "vn-report").getStatus()).isEqualTo(DocumentReferenceStatus.CURRENT);

        // nor is another organisation's advance directive retired by a document of another kind naming it
        world.seed(
                "DocumentReference",
                "vn-acp",
                CareRecords.about("DocumentReference", "advance-directive", "cv-pa"),
                "Organization/org-vn");
        DocumentReference pointing =
                (DocumentReference) CareRecords.about("DocumentReference", "nursing-report", "cv-pa");
        pointing.addRelatesTo()
                .setCode(DocumentReference.DocumentRelationshipType.REPLACES)
                .setTarget(new Reference("DocumentReference/vn-acp"));
        create(pointing);
        assertThat(read(DocumentReference.class, "vn-acp").getStatus()).isEqualTo(DocumentReferenceStatus.CURRENT);
    }
}
