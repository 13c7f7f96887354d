package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.NpmPackageValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.utilities.npm.NpmPackage;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The profiles as a FHIR NPM package, used the way another system would: read with HAPI's package
 * reader, loaded into a validator of its own (not the hub's), and the packaged example checked with it.
 */
class FhirPackageTest {

    private final FhirContext fhir = HubInstance.fhirContext();

    private String packagePath() throws IOException {
        org.springframework.core.io.Resource[] found = new PathMatchingResourcePatternResolver()
                .getResources("classpath*:renkei/package/jp.renkei.fhir-*.tgz");
        assertThat(found).hasSize(1);
        return "classpath:renkei/package/" + found[0].getFilename();
    }

    @Test
    void thePackageDescribesItselfAndHoldsSnapshots() throws IOException {
        NpmPackage npm;
        try (InputStream in = getClass().getResourceAsStream("/" + packagePath().substring("classpath:".length()))) {
            npm = NpmPackage.fromPackage(in);
        }
        assertThat(npm.name()).isEqualTo("jp.renkei.fhir");
        assertThat(npm.fhirVersion()).isEqualTo("4.0.1");
        assertThat(npm.canonical()).isEqualTo("http://renkei.example.jp/fhir");
        assertThat(npm.getFolders()).containsKeys("package", "example");
        List<String> profiles = npm.listResources("StructureDefinition");
        assertThat(profiles).contains("StructureDefinition-renkei-advance-directive.json");
        for (String file : profiles) {
            try (InputStream in = npm.load("package", file)) {
                StructureDefinition sd = fhir.newJsonParser()
                        .parseResource(
                                StructureDefinition.class, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                assertThat(sd.getSnapshot().getElement()).as(file).isNotEmpty();
            }
        }
        assertThat(npm.getFolders().get("example").listFiles()).contains("Consent-advance-directive-example.json");
    }

    @Test
    void anotherSystemValidatesWithThePackageAlone() throws IOException {
        NpmPackageValidationSupport renkei = new NpmPackageValidationSupport(fhir);
        renkei.loadPackageFromClasspath(packagePath());
        UnknownCodeSystemWarningValidationSupport unknown = new UnknownCodeSystemWarningValidationSupport(fhir);
        unknown.setNonExistentCodeSystemSeverity(ca.uhn.fhir.context.support.IValidationSupport.IssueSeverity.WARNING);
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(fhir),
                renkei,
                new InMemoryTerminologyServerValidationSupport(fhir),
                new CommonCodeSystemsTerminologyService(fhir),
                unknown);
        FhirValidator validator = fhir.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
        Consent example;
        try (InputStream in =
                getClass().getResourceAsStream("/renkei/profiles/Consent-advance-directive-example.json")) {
            example = fhir.newJsonParser()
                    .parseResource(Consent.class, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThat(errors(validator.validateWithResult(example))).isEmpty();

        example.getProvision()
                .getProvision()
                .get(0)
                .getCodeFirstRep()
                .getCodingFirstRep()
                .setCode("no-such-treatment");
        assertThat(errors(validator.validateWithResult(example))).isNotEmpty();
    }

    private static List<String> errors(ValidationResult result) {
        return result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(m -> m.getLocationString() + ": " + m.getMessage())
                .toList();
    }
}
