package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The emergency contact sheet (緊急時連絡票) is a document Bundle ({@code renkei-emergency-sheet-bundle})
 * whose first entry is a Composition held to {@code renkei-emergency-sheet}: the example is accepted; each
 * invalid variant is refused with 422 at the element at fault, and nothing is stored.
 */
class EmergencySheetProfileTest extends HubValidationTest {

    /** Where the validator reports issues inside the sheet's Composition (a FHIRPath comment names the resource). */
    private static final String SHEET = "Bundle.entry[0].resource/*Composition/es-sasaki-20261120*/";

    private static final String SECTION = "http://renkei.example.jp/fhir/CodeSystem/emergency-sheet-section";

    /** The example as a sheet of its own: a new Bundle.identifier (the same one again would be the same document, sent again). */
    private Bundle example() {
        Bundle sheet = ProfileExamples.load(Bundle.class, "Bundle-emergency-sheet-example.json");
        sheet.getIdentifier().setValue("es-" + java.util.UUID.randomUUID());
        return sheet;
    }

    private static Composition sheet(Bundle bundle) {
        return (Composition) bundle.getEntryFirstRep().getResource();
    }

    private static Composition.SectionComponent section(Bundle bundle, String code) {
        return sheet(bundle).getSection().stream()
                .filter(s -> s.getCode().hasCoding(SECTION, code))
                .findFirst()
                .orElseThrow();
    }

    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // each caller names the type it expects
    private static <T extends Resource> T entry(Bundle bundle, String id) {
        return (T) bundle.getEntry().stream()
                .map(Bundle.BundleEntryComponent::getResource)
                .filter(r -> id.equals(r.getIdElement().getIdPart()))
                .findFirst()
                .orElseThrow();
    }

    private HttpResponse<String> post(Bundle bundle) {
        return hub.send("POST", "/Bundle", "application/fhir+json", json.encodeResourceToString(bundle));
    }

    private int storedBundles() {
        return json.parseResource(
                        Bundle.class,
                        hub.send("GET", "/Bundle?_summary=count", null, null).body())
                .getTotal();
    }

    @Test
    void theExampleIsAcceptedAndStored() {
        int before = storedBundles();
        HttpResponse<String> created = post(example());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(storedBundles()).isEqualTo(before + 1);
    }

    @Test
    void noMedicationsOrAllergiesIsSaidWithAnEmptyReason() {
        Bundle bundle = example();
        CodeableConcept nilKnown = new CodeableConcept(
                new Coding("http://terminology.hl7.org/CodeSystem/list-empty-reason", "nilknown", null));
        Composition.SectionComponent medications = section(bundle, "medications");
        medications.getEntry().clear();
        medications.setEmptyReason(nilKnown);
        Composition.SectionComponent allergies = section(bundle, "allergies");
        allergies.getEntry().clear();
        allergies.setEmptyReason(nilKnown.copy());
        // the resources no longer referenced from the sheet leave the document too
        bundle.getEntry()
                .removeIf(e -> List.of("MedicationStatement", "AllergyIntolerance")
                        .contains(e.getResource().fhirType()));
        HttpResponse<String> created = post(bundle);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    void theOptionalSectionsMayBeLeftOut() {
        Bundle bundle = example();
        List<String> optional = List.of("devices-procedures", "insurance", "preferred-hospital");
        sheet(bundle)
                .getSection()
                .removeIf(s -> optional.stream().anyMatch(code -> s.getCode().hasCoding(SECTION, code)));
        bundle.getEntry()
                .removeIf(e -> List.of("Procedure", "Coverage")
                                .contains(e.getResource().fhirType())
                        || "org-minami-hospital"
                                .equals(e.getResource().getIdElement().getIdPart()));
        HttpResponse<String> created = post(bundle);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
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
                        "allergies section missing (required section)",
                        b -> sheet(b).getSection().removeIf(s -> s.getCode().hasCoding(SECTION, "allergies")),
                        SHEET,
                        "Composition.section:allergies"),
                new Variant(
                        "a Composition that does not claim the profile is still held to it",
                        b -> {
                            sheet(b).getMeta().getProfile().clear();
                            sheet(b).getSection().removeIf(s -> s.getCode().hasCoding(SECTION, "wishes"));
                        },
                        SHEET,
                        "Composition.section:wishes"),
                new Variant(
                        "section code outside the value set",
                        b -> section(b, "devices-procedures")
                                .getCode()
                                .getCodingFirstRep()
                                .setCode("devices"),
                        SHEET + ".section[5].code",
                        "devices"),
                new Variant(
                        "emergency contact without a phone number",
                        b -> {
                            RelatedPerson daughter = entry(b, "rp-tanaka-yumi");
                            daughter.getTelecom().clear();
                            daughter.addTelecom()
                                    .setSystem(ContactPoint.ContactPointSystem.EMAIL)
                                    .setValue("yumi.tanaka@example.jp");
                        },
                        SHEET + ".section[0].entry[1]",
                        "renkei-emergency-contact"),
                new Variant(
                        "emergency contact without a relationship",
                        b -> EmergencySheetProfileTest.<RelatedPerson>entry(b, "rp-tanaka-yumi")
                                .getRelationship()
                                .clear(),
                        "Bundle.entry[12].resource/*RelatedPerson/rp-tanaka-yumi*/",
                        "RelatedPerson.relationship: minimum required = 1"),
                new Variant(
                        "first entry is not a Composition",
                        b -> b.getEntry().add(0, b.getEntry().remove(1)),
                        "Bundle",
                        "bdl-11"),
                new Variant(
                        "care team entry is a Condition (reference type)",
                        b -> section(b, "care-team").addEntry(new Reference("Condition/cond-sasaki-chf")),
                        SHEET + ".section[1].entry[3]",
                        "Condition"),
                new Variant(
                        "two wishes sections (cardinality)",
                        b -> sheet(b).addSection(section(b, "wishes").copy()),
                        SHEET,
                        "Composition.section:wishes: max allowed = 1"),
                new Variant(
                        "wishes without narrative",
                        b -> section(b, "wishes").setText(null),
                        SHEET + ".section[7]",
                        "Composition.section:wishes.text"),
                new Variant(
                        "medications neither listed nor said to be none",
                        b -> section(b, "medications").getEntry().clear(),
                        SHEET + ".section[3]",
                        "res-1"),
                new Variant(
                        "subject is a Practitioner (reference type)",
                        b -> sheet(b).setSubject(new Reference("Practitioner/pr-takahashi")),
                        SHEET + ".subject",
                        "Practitioner"),
                new Variant(
                        "not an emergency sheet (type pattern)",
                        b -> sheet(b).getType().getCodingFirstRep().setCode("discharge-summary"),
                        SHEET + ".type",
                        "emergency-sheet"),
                new Variant(
                        "document without an identifier", b -> b.setIdentifier(null), "Bundle", "Bundle.identifier"),
                new Variant(
                        "entry without a fullUrl",
                        b -> b.getEntry().get(3).setFullUrl(null),
                        "Bundle.entry[3]",
                        "fullUrl"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidVariants")
    void anInvalidEmergencySheetIsRefusedAtTheElementAndNothingIsStored(Variant variant) {
        int before = storedBundles();
        Bundle bundle = example();
        variant.change().accept(bundle);
        HttpResponse<String> refused = post(bundle);
        assertRefusedAt(refused, variant.location(), variant.says());
        assertThat(storedBundles()).isEqualTo(before);
    }
}
