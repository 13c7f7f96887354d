package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Composition.SectionComponent;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The discharge handoff (退院時情報提供書) profiles on the real hub: the example document Bundle is accepted;
 * each invalid variant is refused with 422 and an OperationOutcome error at the element at fault, and
 * nothing is stored. Also renkei-patient on its own.
 */
class DischargeHandoffProfileTest extends HubValidationTest {

    private static final String SECTION = "http://renkei.example.jp/fhir/CodeSystem/discharge-handoff-section";
    private static final String COMPOSITION = "Bundle.entry[0].resource";

    /** The example's patient and the people it is written by and sent to: a handoff goes only to and from those the hub knows. */
    @BeforeAll
    void knowTheExamplesPatientAndPeople() {
        List<WriteRequest> known = new java.util.ArrayList<>();
        known.add(new WriteRequest(
                "Patient",
                "takahashi-kiyo-example",
                load(Patient.class, "Patient-takahashi-kiyo-example.json"),
                null,
                null));
        CareRecords.directory()
                .forEach(entry -> known.add(
                        new WriteRequest(entry.fhirType(), entry.getIdElement().getIdPart(), entry, null, null)));
        StoreFixtures.of(hub).write(known);
    }

    private static <T extends Resource> T load(Class<T> type, String file) {
        return ProfileExamples.load(type, file);
    }

    private Bundle example() {
        return load(Bundle.class, "Bundle-discharge-handoff-example.json");
    }

    private static Composition composition(Bundle bundle) {
        return (Composition) bundle.getEntryFirstRep().getResource();
    }

    private static SectionComponent section(Bundle bundle, String code) {
        return composition(bundle).getSection().stream()
                .filter(s -> s.getCode().getCodingFirstRep().getCode().equals(code))
                .findFirst()
                .orElseThrow();
    }

    private static <T extends Resource> T entry(Bundle bundle, Class<T> type, String id) {
        return bundle.getEntry().stream()
                .map(Bundle.BundleEntryComponent::getResource)
                .filter(type::isInstance)
                .filter(r -> r.getIdElement().getIdPart().equals(id))
                .map(type::cast)
                .findFirst()
                .orElseThrow();
    }

    private HttpResponse<String> post(String type, Resource resource) {
        return hub.send("POST", "/" + type, "application/fhir+json", json.encodeResourceToString(resource));
    }

    private int stored(String type) {
        return json.parseResource(
                        Bundle.class,
                        hub.send("GET", "/" + type + "?_summary=count", null, null)
                                .body())
                .getTotal();
    }

    /** The issue's FHIRPath without the {@code /*Type/id*}{@code /} comments the validator puts after a resource. */
    private static String path(StringType expression) {
        return expression.getValue().replaceAll("/\\*.*?\\*/", "");
    }

    private static void assertRefusedAt(HttpResponse<String> refused, IParser json, String location, String says) {
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        OperationOutcome outcome = json.parseResource(OperationOutcome.class, refused.body());
        List<OperationOutcome.OperationOutcomeIssueComponent> errors = outcome.getIssue().stream()
                .filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
                .toList();
        assertThat(errors).as(refused.body()).anySatisfy(issue -> {
            assertThat(issue.getExpression())
                    .extracting(DischargeHandoffProfileTest::path)
                    .contains(location);
            assertThat(issue.getDiagnostics()).contains(says);
        });
    }

    @Test
    void theExampleDocumentIsAccepted() {
        int before = stored("Bundle");
        HttpResponse<String> created = post("Bundle", example());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(stored("Bundle")).isEqualTo(before + 1);
    }

    record Variant(String name, Consumer<Bundle> change, String location, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Variant> invalidVariants() {
        return List.of(
                new Variant(
                        "missing required section (ADL)",
                        b -> composition(b).getSection().remove(section(b, "adl")),
                        COMPOSITION,
                        "Composition.section:adl"),
                new Variant(
                        "Composition that does not claim the profile is still held to it (Bundle slice)",
                        b -> {
                            composition(b).getMeta().getProfile().clear();
                            composition(b).getSection().remove(section(b, "adl"));
                        },
                        COMPOSITION,
                        "Composition.section:adl"),
                new Variant(
                        "section code outside the section value set",
                        b -> section(b, "adl").getCode().getCodingFirstRep().setCode("daily-living"),
                        COMPOSITION + ".section[6].code",
                        "daily-living"),
                new Variant(
                        "document type is not a discharge summary",
                        b -> composition(b).getType().getCodingFirstRep().setCode("contact-form"),
                        COMPOSITION + ".type",
                        "discharge-summary"),
                new Variant(
                        "two hospital stays in the hospital-stay section (cardinality)",
                        b -> section(b, "hospital-stay")
                                .addEntry(new Reference("Encounter/enc-discharge-conference-20261120")),
                        COMPOSITION + ".section[0]",
                        "max allowed = 1"),
                new Variant(
                        "the same section twice (cardinality)",
                        b -> composition(b).addSection(section(b, "wishes").copy()),
                        COMPOSITION,
                        "Composition.section:wishes"),
                new Variant(
                        "no recipient (hand-off extension required)",
                        b -> composition(b).getExtension().clear(),
                        COMPOSITION,
                        "Composition.extension:recipient"),
                new Variant(
                        "subject is a Practitioner (reference type)",
                        b -> composition(b).setSubject(new Reference("Practitioner/dr-sugawara")),
                        COMPOSITION + ".subject",
                        "Practitioner"),
                new Variant(
                        "recipient is a Patient (reference type in the extension)",
                        b -> composition(b)
                                .getExtension()
                                .get(0)
                                .setValue(new Reference("Patient/takahashi-kiyo-example")),
                        COMPOSITION + ".extension[0].value.ofType(Reference)",
                        "Found Patient"),
                new Variant(
                        "allergies section neither lists nor says none",
                        b -> section(b, "allergies").getEntry().clear(),
                        COMPOSITION + ".section[4]",
                        "renkei-dh-sec-1"),
                new Variant(
                        "first entry is not the Composition",
                        b -> {
                            Bundle.BundleEntryComponent first = b.getEntry().remove(0);
                            b.getEntry().add(1, first);
                        },
                        "Bundle",
                        "renkei-dh-bdl-1"),
                new Variant(
                        "patient without a kanji name",
                        b -> entry(b, Patient.class, "takahashi-kiyo-example")
                                .getName()
                                .remove(0),
                        "Bundle.entry[1].resource",
                        "Patient.name:kanji"),
                new Variant(
                        "ADL value is not an assistance level",
                        b -> entry(b, Observation.class, "obs-adl-mobility")
                                .setValue(new CodeableConcept(new Coding(
                                        "http://renkei.example.jp/fhir/CodeSystem/meal-form", "soft", null))),
                        "Bundle.entry[35].resource.value.ofType(CodeableConcept)",
                        "assistance-level"),
                new Variant(
                        "ADL observation that does not conform, seen from the ADL section",
                        b -> entry(b, Observation.class, "obs-adl-mobility")
                                .getValueCodeableConcept()
                                .getCodingFirstRep()
                                .setCode("walker"),
                        COMPOSITION + ".section[6].entry[0]",
                        "renkei-adl-observation"),
                new Variant(
                        "medical procedure outside the home-medical-procedure codes",
                        b -> entry(b, Procedure.class, "proc-pressure-ulcer-care")
                                .getCode()
                                .getCodingFirstRep()
                                .setCode("wound-care"),
                        "Bundle.entry[34].resource.code",
                        "home-medical-procedure"),
                new Variant(
                        "entry without fullUrl",
                        b -> b.getEntry().get(3).setFullUrl(null),
                        "Bundle.entry[3]",
                        "fullUrl"),
                new Variant("no timestamp", b -> b.setTimestamp(null), "Bundle", "Bundle.timestamp"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidVariants")
    void anInvalidHandoffIsRefusedAtTheElementAndNothingIsStored(Variant variant) {
        int before = stored("Bundle");
        Bundle bundle = example();
        variant.change().accept(bundle);
        assertRefusedAt(post("Bundle", bundle), json, variant.location(), variant.says());
        assertThat(stored("Bundle")).isEqualTo(before);
    }

    @Test
    void theSectionCodesOfTheExampleAreTheOwnCodeSystem() {
        assertThat(composition(example()).getSection())
                .allSatisfy(s ->
                        assertThat(s.getCode().getCodingFirstRep().getSystem()).isEqualTo(SECTION));
    }

    @Test
    void aPatientIsHeldToRenkeiPatient() {
        Patient patient = load(Patient.class, "Patient-takahashi-kiyo-example.json");
        HttpResponse<String> created = post("Patient", patient);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        int before = stored("Patient");
        Patient noBirthDate = load(Patient.class, "Patient-takahashi-kiyo-example.json");
        noBirthDate.setBirthDate(null);
        assertRefusedAt(post("Patient", noBirthDate), json, "Patient", "Patient.birthDate");
        Patient kanaOnly = load(Patient.class, "Patient-takahashi-kiyo-example.json");
        kanaOnly.getName().remove(0);
        assertRefusedAt(post("Patient", kanaOnly), json, "Patient", "Patient.name:kanji");
        Patient noJpCoreId = load(Patient.class, "Patient-takahashi-kiyo-example.json");
        noJpCoreId.getIdentifierFirstRep().setSystem("urn:oid:1.2.392.100495.20.3.51.1");
        assertRefusedAt(post("Patient", noJpCoreId), json, "Patient", "renkei-pat-1");
        assertThat(stored("Patient")).isEqualTo(before);
    }
}
