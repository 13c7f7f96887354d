package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SearchParameter;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Every example instance shipped in the profiles jar claims (or must conform to) a Renkei profile and
 * passes the hub's own validator with no error: what partners copy from the package is what the hub
 * accepts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExamplesValidateTest {

    private final FhirContext fhir = HubInstance.fhirContext();
    private ProfileValidation validation;

    @BeforeAll
    void setUp() {
        validation = new ProfileValidation(fhir);
    }

    Stream<String> examples() throws IOException {
        List<String> names = new ArrayList<>();
        for (org.springframework.core.io.Resource file :
                new PathMatchingResourcePatternResolver().getResources("classpath*:renkei/profiles/*.json")) {
            Resource r = parse(file.getFilename());
            if (!(r instanceof StructureDefinition
                    || r instanceof CodeSystem
                    || r instanceof ValueSet
                    || r instanceof SearchParameter
                    || r instanceof org.hl7.fhir.r4.model.OperationDefinition)) {
                names.add(file.getFilename());
            }
        }
        return names.stream().sorted();
    }

    @Test
    void thePackageHoldsExamples() throws IOException {
        assertThat(examples()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleValidatesAgainstItsProfiles(String file) throws IOException {
        Resource example = parse(file);
        ProfileValidation.requiredProfile(example);
        assertThat(example.getMeta().getProfile())
                .extracting(CanonicalType::getValue)
                .as("%s claims a Renkei profile", file)
                .anyMatch(validation.profiles()::contains);
        OperationOutcome outcome = validation.validate(example);
        String errors = outcome.getIssue().stream()
                .filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
                        || i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
                .map(i -> i.getExpression() + ": " + i.getDiagnostics())
                .collect(Collectors.joining("\n"));
        assertThat(errors).as(file).isEmpty();
    }

    private Resource parse(String file) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/renkei/profiles/" + file)) {
            return (Resource) fhir.newJsonParser().parseResource(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
