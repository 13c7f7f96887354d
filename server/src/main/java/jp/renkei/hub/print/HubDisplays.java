package jp.renkei.hub.print;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeSystem;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The Japanese names of the codes of the hub's own code systems (the {@code CodeSystem} resources of the
 * profiles package on the classpath), so that a form prints 退院前カンファレンス for a coding whose display is
 * missing or English. Loaded once; the package does not change while the hub runs.
 */
final class HubDisplays {

    private static final String LOCATION = "classpath*:renkei/profiles/CodeSystem-*.json";

    private HubDisplays() {}

    /** The display of the code in the hub's code system, or null when the hub has no such code. */
    static String display(String system, String code) {
        return system == null || code == null ? null : Loaded.DISPLAYS.get(system + "|" + code);
    }

    /** Initialised on first use (holder idiom), so that forms that never need it do not read the package. */
    private static final class Loaded {

        static final Map<String, String> DISPLAYS = load();

        private static Map<String, String> load() {
            FhirContext context = FhirContext.forR4Cached();
            Map<String, String> out = new HashMap<>();
            try {
                for (Resource file : new PathMatchingResourcePatternResolver().getResources(LOCATION)) {
                    try (InputStream in = file.getInputStream()) {
                        CodeSystem system = context.newJsonParser().parseResource(CodeSystem.class, in);
                        add(system.getUrl(), system.getConcept(), out);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the hub's code systems", e);
            }
            return Map.copyOf(out);
        }

        private static void add(
                String url, List<CodeSystem.ConceptDefinitionComponent> concepts, Map<String, String> out) {
            for (CodeSystem.ConceptDefinitionComponent concept : concepts) {
                if (concept.hasCode() && concept.hasDisplay()) {
                    out.put(url + "|" + concept.getCode(), concept.getDisplay());
                }
                add(url, concept.getConcept(), out);
            }
        }
    }
}
