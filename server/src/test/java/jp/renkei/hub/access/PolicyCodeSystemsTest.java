package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.CodeSystem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The policy's own classification schemes and the CodeSystems published in the profiles package name
 * the same codes with the same Japanese labels, so a document a partner codes from the package is
 * classified as the policy means.
 */
class PolicyCodeSystemsTest {

    private final AccessPolicy policy = AccessPolicy.loadDefault();

    @ParameterizedTest(name = "{0} = CodeSystem {1}")
    @CsvSource({"careDocument, care-document", "careTopic, care-topic"})
    void policyKindsAreThePublishedCodes(String scheme, String codeSystemId) throws IOException {
        AccessPolicy.KindScheme kinds = policy.schemes().stream()
                .filter(s -> s.name().equals(scheme))
                .findFirst()
                .orElseThrow();
        CodeSystem published;
        try (InputStream in = getClass().getResourceAsStream("/renkei/profiles/CodeSystem-" + codeSystemId + ".json")) {
            published = (CodeSystem) HubInstance.fhirContext()
                    .newJsonParser()
                    .parseResource(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThat(published.getUrl()).isEqualTo(kinds.system());
        Map<String, String> codes = new TreeMap<>();
        published.getConcept().forEach(c -> codes.put(c.getCode(), c.getDisplay()));
        Map<String, String> policyCodes = new TreeMap<>(kinds.labels());
        policyCodes.remove("unclassified");
        assertThat(codes).isEqualTo(policyCodes);
    }
}
