package jp.renkei.hub.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.CodeSystem;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The published hand-off CodeSystem holds every hand-off kind and fee-rule add-on the hub uses. */
class HandoffCodeSystemTest {

    @Test
    void everyHandoffKindAndFeeRuleIsPublished() throws IOException {
        CodeSystem published;
        try (InputStream in = getClass().getResourceAsStream("/renkei/profiles/CodeSystem-handoff.json")) {
            published = (CodeSystem) HubInstance.fhirContext()
                    .newJsonParser()
                    .parseResource(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThat(published.getUrl()).isEqualTo(TaskWorkflow.HANDOFF);
        Set<String> codes = new HashSet<>();
        published.getConcept().forEach(group -> group.getConcept().forEach(c -> codes.add(c.getCode())));

        Set<String> used = new HashSet<>(List.of("admission-info", "discharge-summary", "contact-form"));
        try (InputStream in = getClass().getResourceAsStream("/" + FeeRules.RESOURCE)) {
            Map<String, Object> rules = new Yaml().load(in);
            for (Object set : (List<?>) rules.get("ruleSets")) {
                for (Object d : (List<?>) ((Map<?, ?>) set).get("deadlines")) {
                    used.add((String) ((Map<?, ?>) d).get("code"));
                    used.add((String) ((Map<?, ?>) d).get("handoff"));
                }
            }
        }
        assertThat(codes).containsAll(used);
    }
}
