package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every write of a profiled resource is validated offline against base R4 and the Renkei profiles:
 * the example is accepted; each invalid variant is refused with 422 at the element at fault, and
 * nothing is stored.
 */
class ProfileValidationTest extends HubValidationTest {

    private static final String TREATMENT = "http://renkei.example.jp/fhir/CodeSystem/life-sustaining-treatment";
    private static final String END_OF_LIFE_PLACE =
            "http://renkei.example.jp/fhir/StructureDefinition/end-of-life-place";

    private Consent example() {
        return ProfileExamples.load(Consent.class, "Consent-advance-directive-example.json");
    }

    private HttpResponse<String> post(Consent consent) {
        return hub.send("POST", "/Consent", "application/fhir+json", json.encodeResourceToString(consent));
    }

    private int storedDirectives() {
        return json.parseResource(
                        Bundle.class,
                        hub.send("GET", "/Consent?patient=Patient/pat-yamada&_summary=count", null, null)
                                .body())
                .getTotal();
    }

    @Test
    void theExampleConformsAndAnAdvanceDirectiveIsHeldToTheProfileEvenUnclaimed() {
        HttpResponse<String> created = post(example());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // a profile the hub does not hold (here JP Core's) is no reason to refuse
        Consent alsoJpCore = example();
        alsoJpCore.getMeta().addProfile("http://jpfhir.jp/fhir/core/StructureDefinition/JP_Consent");
        assertThat(post(alsoJpCore).statusCode()).isEqualTo(201);
        Consent unclaimed = example();
        unclaimed.getMeta().getProfile().clear();
        unclaimed
                .getProvision()
                .getProvisionFirstRep()
                .getCodeFirstRep()
                .getCodingFirstRep()
                .setCode("resuscitation");
        HttpResponse<String> refused = post(unclaimed);
        assertThat(refused.statusCode()).isEqualTo(422);
    }

    @Test
    void theEndOfLifePlaceAndTheProxyAreOptionalAndAProxyMayBeOneOfSeveralActors() {
        Consent consent = example();
        assertThat(consent.getExtensionByUrl(END_OF_LIFE_PLACE))
                .as("the example records the place")
                .isNotNull();
        assertThat(consent.getProvision()
                        .getActorFirstRep()
                        .getRole()
                        .getCodingFirstRep()
                        .getCode())
                .isEqualTo("HPOWATT");
        consent.getExtension().clear();
        consent.getProvision().getActor().clear();
        HttpResponse<String> withoutEither = post(consent);
        assertThat(withoutEither.statusCode()).as(withoutEither.body()).isEqualTo(201);
        Consent twoProxies = example();
        twoProxies
                .getProvision()
                .addActor()
                .setRole(twoProxies.getProvision().getActorFirstRep().getRole().copy())
                .setReference(new Reference("RelatedPerson/rp-yamada-michiko"));
        // another actor that is not a proxy (here the physician who witnessed the talk) is not held to the proxy rules
        twoProxies
                .getProvision()
                .addActor()
                .setRole(new CodeableConcept(
                        new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "WIT", null)))
                .setReference(new Reference("Practitioner/dr-sato"));
        HttpResponse<String> created = post(twoProxies);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    record Variant(String name, Consumer<Consent> change, String location, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Variant> invalidVariants() {
        return List.of(
                new Variant("missing signed original (required element)", c -> c.setSource(null), "Consent", "source"),
                new Variant(
                        "treatment code not in the value set",
                        c -> c.getProvision()
                                .getProvisionFirstRep()
                                .getCodeFirstRep()
                                .getCodingFirstRep()
                                .setCode("resuscitation"),
                        "Consent.provision.provision[0].code[0]",
                        "resuscitation"),
                new Variant(
                        "two treatments in one choice (cardinality)",
                        c -> c.getProvision()
                                .getProvisionFirstRep()
                                .addCode(new CodeableConcept(new Coding(TREATMENT, "dialysis", null))),
                        "Consent.provision.provision[0]",
                        "Consent.provision.provision.code: max allowed = 1"),
                new Variant(
                        "patient is a Practitioner (reference type)",
                        c -> c.setPatient(new Reference("Practitioner/dr-sato")),
                        "Consent.patient",
                        "Practitioner"),
                new Variant(
                        "no choice at all",
                        c -> c.getProvision().getProvision().clear(),
                        "Consent.provision",
                        "provision"),
                new Variant(
                        "category is not an advance directive (fixed pattern)",
                        c -> c.getCategoryFirstRep().getCodingFirstRep().setCode("59284-0"),
                        "Consent.category[0]",
                        "75320-2"),
                new Variant(
                        "proxy decision-maker is a Practitioner (reference type)",
                        c -> c.getProvision().getActorFirstRep().setReference(new Reference("Practitioner/dr-sato")),
                        "Consent.provision.actor[0].reference",
                        "Practitioner"),
                new Variant(
                        "end-of-life place not in the value set",
                        c -> ((CodeableConcept)
                                        c.getExtensionByUrl(END_OF_LIFE_PLACE).getValue())
                                .getCodingFirstRep()
                                .setCode("nursing-home"),
                        "Consent.extension[0].value.ofType(CodeableConcept)",
                        "nursing-home"),
                new Variant(
                        "two end-of-life places (cardinality)",
                        c -> c.addExtension(
                                END_OF_LIFE_PLACE,
                                new CodeableConcept(new Coding(
                                        "http://renkei.example.jp/fhir/CodeSystem/end-of-life-place",
                                        "hospital",
                                        null))),
                        "Consent",
                        "Consent.extension:endOfLifePlace: max allowed = 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidVariants")
    void anInvalidAdvanceDirectiveIsRefusedAtTheElementAndNothingIsStored(Variant variant) {
        int before = storedDirectives();
        Consent consent = example();
        variant.change().accept(consent);
        HttpResponse<String> refused = post(consent);
        assertRefusedAt(refused, variant.location(), variant.says());
        assertThat(storedDirectives()).isEqualTo(before);
    }
}
