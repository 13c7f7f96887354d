package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every write is validated against the base R4 definitions, not only resources that claim a Renkei profile (issue 18
 * point 2), the answer names the faults and nothing else (point 3), and the validator is warm before the hub listens
 * (point 14). Each test names the R4 rule it relies on.
 */
@Hub(own = "it checks the validator is warm the moment its hub starts listening")
class BaseR4ValidationTest extends HubValidationTest {

    private static final String CARE_DOCUMENT = "http://renkei.example.jp/fhir/CodeSystem/care-document";
    private boolean warmWhenListening;

    @Override
    @BeforeAll
    void startHub(HubInstance hub) {
        super.startHub(hub);
        warmWhenListening = hub.bean(ProfileValidation.class).warm();
    }

    private HttpResponse<String> post(Resource resource) {
        return hub.send(
                "POST", "/" + resource.fhirType(), "application/fhir+json", json.encodeResourceToString(resource));
    }

    private int stored(String type) {
        return json.parseResource(
                        Bundle.class,
                        hub.send("GET", "/" + type + "?_summary=count", null, null)
                                .body())
                .getTotal();
    }

    private OperationOutcome refused(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        return json.parseResource(OperationOutcome.class, response.body());
    }

    private static List<String> expressions(OperationOutcomeIssueComponent issue) {
        return issue.getExpression().stream()
                .map(StringType::getValue)
                .map(e -> e.replaceAll("/\\*.*?\\*/", ""))
                .toList();
    }

    private static Observation temperature() {
        Observation observation = new Observation()
                .setStatus(Observation.ObservationStatus.FINAL)
                .setCode(
                        new CodeableConcept(new Coding("http://loinc.org", "8310-5", "Body temperature")).setText("体温"))
                .setSubject(new Reference("Patient/pat-base-r4"));
        observation.addCategory(new CodeableConcept(
                new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", null)));
        observation.setEffective(new org.hl7.fhir.r4.model.DateTimeType("2026-11-24T10:00:00+09:00"));
        observation.setValue(new org.hl7.fhir.r4.model.Quantity()
                .setValue(36.8)
                .setUnit("℃")
                .setSystem("http://unitsofmeasure.org")
                .setCode("Cel"));
        return observation;
    }

    /** A care-record Composition as a client writes one: its type is the hub's care-document code. */
    private static Composition careRecord() {
        Composition composition = new Composition()
                .setStatus(Composition.CompositionStatus.FINAL)
                .setType(new CodeableConcept(new Coding(CARE_DOCUMENT, "care-record", null)))
                .setSubject(new Reference("Patient/pat-base-r4"))
                .setDate(new Date())
                .setTitle("訪問記録");
        composition.addAuthor(new Reference("Practitioner/dr-base-r4"));
        return composition;
    }

    /** A document Bundle whose references all resolve inside it (R4 documents: bdl-9, bdl-10, entries with fullUrl). */
    private static Bundle document() {
        String patient = "urn:uuid:3f1a2b9c-0d4e-4f6a-8b7c-1d2e3f4a5b6c";
        String author = "urn:uuid:7c6b5a4f-3e2d-4c1b-9a8f-6e5d4c3b2a19";
        Composition composition = new Composition()
                .setStatus(Composition.CompositionStatus.FINAL)
                .setType(new CodeableConcept(new Coding("http://loinc.org", "11503-0", "Medical records")))
                .setSubject(new Reference(patient))
                .setDate(new Date())
                .setTitle("診療記録");
        composition.addAuthor(new Reference(author));
        Bundle bundle = new Bundle()
                .setType(Bundle.BundleType.DOCUMENT)
                .setIdentifier(new Identifier()
                        .setSystem("urn:ietf:rfc:3986")
                        .setValue("urn:uuid:0b5e6d7c-8f9a-4b1c-a2d3-e4f5a6b7c8d9"))
                .setTimestamp(new Date());
        bundle.addEntry()
                .setFullUrl("urn:uuid:9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a")
                .setResource(composition);
        bundle.addEntry()
                .setFullUrl(patient)
                .setResource(new Patient().setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE));
        bundle.addEntry()
                .setFullUrl(author)
                .setResource(new Practitioner().addName(new org.hl7.fhir.r4.model.HumanName().setText("佐藤 一郎")));
        return bundle;
    }

    @Test
    void anObservationWithoutCodeIsRefusedWithNothingStored_R4ObservationCodeIsMandatory() {
        Observation observation = temperature();
        observation.setCode(null);
        int before = stored("Observation");
        OperationOutcome outcome = refused(post(observation));
        assertThat(outcome.getIssue())
                .as(json.encodeResourceToString(outcome))
                .singleElement()
                .satisfies(issue -> {
                    assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.ERROR);
                    assertThat(issue.getCode()).isEqualTo(IssueType.REQUIRED);
                    assertThat(expressions(issue)).containsExactly("Observation");
                    assertThat(issue.getDiagnostics()).contains("Observation.code: minimum required = 1");
                });
        assertThat(stored("Observation")).isEqualTo(before);
        assertThat(post(temperature()).statusCode())
                .as("the same Observation with its code")
                .isEqualTo(201);
    }

    @Test
    void aCompositionWithoutTitleIsRefusedWithOneIssueAndNoInternalError_R4CompositionTitleIsMandatory() {
        Composition composition = careRecord();
        composition.setTitle(null);
        int before = stored("Composition");
        HttpResponse<String> response = post(composition);
        OperationOutcome outcome = refused(response);
        // Composition.type's preferred R4 value set filters LOINC: expanding it offline crashed the validator, whose
        // exception ("Cannot invoke CodeSystem.getConcept() because this.codeSystem is null") was shown as a warning.
        assertThat(outcome.getIssue()).as(response.body()).singleElement().satisfies(issue -> {
            assertThat(issue.getCode()).isEqualTo(IssueType.REQUIRED);
            assertThat(issue.getDiagnostics()).contains("Composition.title: minimum required = 1");
        });
        assertThat(response.body()).doesNotContain("Cannot invoke", "Exception", "java.", "because \\\"");
        assertThat(stored("Composition")).isEqualTo(before);
        assertThat(post(careRecord()).statusCode()).isEqualTo(201);
    }

    @Test
    void aDocumentWithoutIdentifierAndTimestampIsRefused_bdl9_bdl10() {
        HttpResponse<String> complete = post(document());
        assertThat(complete.statusCode()).as(complete.body()).isEqualTo(201);
        Bundle bundle = document();
        bundle.setIdentifier(null);
        bundle.setTimestamp(null);
        int before = stored("Bundle");
        OperationOutcome outcome = refused(post(bundle));
        assertThat(outcome.getIssue())
                .as(json.encodeResourceToString(outcome))
                .hasSize(2)
                .allSatisfy(issue -> {
                    assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.ERROR);
                    assertThat(issue.getCode()).isEqualTo(IssueType.INVARIANT);
                    assertThat(expressions(issue)).containsExactly("Bundle");
                });
        assertThat(outcome.getIssue())
                .extracting(OperationOutcomeIssueComponent::getDiagnostics)
                .anySatisfy(d -> assertThat(d).contains("bdl-9"))
                .anySatisfy(d -> assertThat(d).contains("bdl-10"));
        assertThat(stored("Bundle")).isEqualTo(before);
    }

    @Test
    void aCodeOutsideARequiredR4ValueSetIsRefused_AllergyIntoleranceClinicalStatusRequiredBinding() {
        AllergyIntolerance allergy = new AllergyIntolerance()
                .setPatient(new Reference("Patient/pat-base-r4"))
                .setCode(new CodeableConcept().setText("そば"));
        allergy.setClinicalStatus(new CodeableConcept(
                new Coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "gone", null)));
        OperationOutcome outcome = refused(post(allergy));
        assertThat(outcome.getIssue()).as(json.encodeResourceToString(outcome)).anySatisfy(issue -> {
            assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.ERROR);
            assertThat(issue.getCode()).isEqualTo(IssueType.CODEINVALID);
            assertThat(expressions(issue)).contains("AllergyIntolerance.clinicalStatus");
        });
        allergy.getClinicalStatus().getCodingFirstRep().setCode("active");
        assertThat(post(allergy).statusCode()).isEqualTo(201);
    }

    @Test
    void codesOfSystemsTheHubCannotCheckOfflineAreNeitherErrorsNorNoise() {
        Observation observation = temperature();
        observation.getCode().addCoding(new Coding("http://snomed.info/sct", "386725007", "Body temperature"));
        observation.addInterpretation(
                new CodeableConcept(new Coding("urn:oid:1.2.392.200119.4.504", "9N736000000000011", null)));
        HttpResponse<String> created = post(observation);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    void aTransactionWithOneInvalidEntryIsRefusedWholeAndStoresNothing_R4ObservationCodeIsMandatory() {
        Observation invalid = temperature();
        invalid.setCode(null);
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction
                .addEntry()
                .setFullUrl("urn:uuid:5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c")
                .setResource(new Patient().setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.MALE))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Patient");
        transaction
                .addEntry()
                .setResource(invalid)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Observation");
        int patients = stored("Patient");
        int observations = stored("Observation");
        OperationOutcome outcome =
                refused(hub.send("POST", "", "application/fhir+json", json.encodeResourceToString(transaction)));
        assertThat(outcome.getIssue())
                .singleElement()
                .satisfies(issue -> assertThat(issue.getCode()).isEqualTo(IssueType.REQUIRED));
        assertThat(stored("Patient")).isEqualTo(patients);
        assertThat(stored("Observation")).isEqualTo(observations);
    }

    @Test
    void aBatchRefusesTheInvalidEntryAndWritesTheOthers_R4ObservationCodeIsMandatory() {
        Observation invalid = temperature();
        invalid.setCode(null);
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry()
                .setResource(invalid)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Observation");
        batch.addEntry()
                .setResource(temperature())
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Observation");
        HttpResponse<String> response =
                hub.send("POST", "", "application/fhir+json", json.encodeResourceToString(batch));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Bundle answer = json.parseResource(Bundle.class, response.body());
        assertThat(answer.getEntry().get(0).getResponse().getStatus()).startsWith("422");
        assertThat(answer.getEntry().get(1).getResponse().getStatus()).startsWith("201");
    }

    @Test
    void aMissingSectionIsOneErrorWithoutWarningsOrInformation() {
        Bundle handoff = ProfileExamples.load(Bundle.class, "Bundle-discharge-handoff-example.json");
        Composition composition = (Composition) handoff.getEntryFirstRep().getResource();
        composition
                .getSection()
                .removeIf(s ->
                        "hospital-stay".equals(s.getCode().getCodingFirstRep().getCode()));
        HttpResponse<String> response = post(handoff);
        OperationOutcome outcome = refused(response);
        // before: 1 error among 135 issues (59 "should have narrative", slice hints, a validator exception, ICD-10
        // codes
        // that cannot be checked offline)
        assertThat(outcome.getIssue()).as(response.body()).singleElement().satisfies(issue -> {
            assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.ERROR);
            assertThat(issue.getCode()).isEqualTo(IssueType.REQUIRED);
            assertThat(expressions(issue)).containsExactly("Bundle.entry[0].resource");
            assertThat(issue.getDiagnostics()).contains("Composition.section:hospital-stay");
        });
        assertThat(response.body()).doesNotContain("Cannot invoke", "dom-6", "\"information\"");
    }

    @Test
    void errorsComeFirstAndAWarningStaysOnlyWhenTheClientCanActOnIt() {
        Observation observation = temperature();
        observation.setCode(null);
        observation.getMeta().addProfile("http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_Common");
        HttpResponse<String> response = post(observation);
        OperationOutcome outcome = refused(response);
        assertThat(outcome.getIssue()).as(response.body()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(outcome.getIssueFirstRep().getSeverity()).isEqualTo(IssueSeverity.ERROR);
        // the hub does not hold JP Core: the client learns that profile was not checked
        assertThat(outcome.getIssue())
                .filteredOn(i -> i.getSeverity() == IssueSeverity.WARNING)
                .anySatisfy(issue -> assertThat(issue.getDiagnostics()).contains("JP_Observation_Common"));
        assertThat(outcome.getIssue()).noneMatch(i -> i.getSeverity() == IssueSeverity.INFORMATION);
    }

    @Test
    void theValidatorIsWarmBeforeTheHubListens() throws IOException, InterruptedException {
        assertThat(warmWhenListening)
                .as("warm-up done when the hub started listening")
                .isTrue();
        ProfileValidation validation = hub.bean(ProfileValidation.class);
        assertThat(validation.warm()).isTrue();
        HttpResponse<String> readiness = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(hub.baseUrl().replaceFirst("/fhir$", "/actuator/health/readiness")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"");
    }
}
