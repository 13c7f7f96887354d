package jp.renkei.hub.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * What the profiles package ({@code renkei-fhir-profiles}, {@code renkei/profiles/}) publishes that the CapabilityStatement
 * points at: the resource profiles the hub validates against, by the type they constrain, and the definitions of the hub's
 * own operations, by their code. Read once; only the few elements needed, not the whole snapshots.
 */
final class PublishedConformance {

    private final Map<String, List<String>> profilesByType = new TreeMap<>();
    private final Map<String, String> operationsByCode = new TreeMap<>();

    private PublishedConformance() {}

    static PublishedConformance load() {
        PublishedConformance published = new PublishedConformance();
        ObjectMapper json = new ObjectMapper();
        try {
            for (Resource file :
                    new PathMatchingResourcePatternResolver().getResources("classpath*:renkei/profiles/*.json")) {
                JsonNode r;
                try (InputStream in = file.getInputStream()) {
                    r = json.readTree(in);
                }
                String resourceType = r.path("resourceType").asText();
                if (resourceType.equals("StructureDefinition")
                        && r.path("kind").asText().equals("resource")
                        && r.path("derivation").asText().equals("constraint")) {
                    published
                            .profilesByType
                            .computeIfAbsent(r.path("type").asText(), t -> new ArrayList<>())
                            .add(r.path("url").asText());
                } else if (resourceType.equals("OperationDefinition")) {
                    published.operationsByCode.put(
                            r.path("code").asText(), r.path("url").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Renkei profiles package", e);
        }
        published.profilesByType.values().forEach(urls -> urls.sort(String::compareTo));
        return published;
    }

    /** Canonical URLs of the published profiles of a resource type, sorted. */
    List<String> profilesOf(String type) {
        return profilesByType.getOrDefault(type, List.of());
    }

    /** The canonical URL of the OperationDefinition of {@code $code}, or null when the hub publishes none. */
    String operation(String code) {
        return operationsByCode.get(code.startsWith("$") ? code.substring(1) : code);
    }
}
