package jp.renkei.hub.sign;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The bytes a signature covers: the resource as HAPI FHIR encodes it in JSON, without the elements that
 * change when it is stored or that hold the signature itself ({@code id}, {@code meta}, and a Bundle's
 * {@code signature}, as the FHIR signature guidance and CDex exclude them), in the JSON Canonicalization
 * Scheme's form (RFC 8785): no whitespace, object members sorted by their names' UTF-16 code units, strings
 * escaped minimally and written as UTF-8.
 *
 * <p>One deliberate departure from RFC 8785: numbers keep their literal text. FHIR decimals carry their
 * precision in it ({@code 1.50} is not {@code 1.5}), which re-serialising through a double would lose.
 *
 * <p>The resource is encoded by HAPI first, on signing and on verifying alike, so that what the hub stores
 * (HAPI's encoding, with the narrative's XHTML re-serialised) verifies against the signer's signature. A
 * signer must therefore sign that form: {@code deploy/pki.sh sign} does.
 *
 * <p>Also left out: the hub's own stamp on a Consent (who recorded it, {@code consent-recording}), which the hub
 * writes into every Consent it stores, after the witness signed.
 */
final class CanonicalJson {

    /** Top-level members left out of what is signed. */
    private static final Set<String> UNSIGNED = Set.of("id", "meta", "signature");
    /** Top-level extensions the hub writes into what it stores, left out of what is signed. */
    private static final Set<String> HUB_STAMPS =
            Set.of("http://renkei.example.jp/fhir/StructureDefinition/consent-recording");

    private static final JsonFactory JSON = new JsonFactory();

    private final FhirContext fhirContext;

    public CanonicalJson(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    /** The canonical bytes of the resource as it would be signed. */
    public byte[] of(IBaseResource resource) {
        return of(fhirContext.newJsonParser().encodeResourceToString(resource));
    }

    /** The canonical bytes of a resource given as JSON text (any member order, any whitespace). */
    public static byte[] of(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("A resource in JSON is an object");
            }
            Map<String, Object> root = object(parser);
            UNSIGNED.forEach(root::remove);
            if (root.get("extension") instanceof List<?> extensions) {
                List<?> kept = extensions.stream()
                        .filter(e -> !(e instanceof Map<?, ?> m
                                && m.get("url") instanceof String url
                                && HUB_STAMPS.contains(url)))
                        .toList();
                if (kept.isEmpty()) {
                    root.remove("extension");
                } else {
                    root.put("extension", kept);
                }
            }
            StringBuilder out = new StringBuilder(json.length());
            write(root, out);
            return out.toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Not well-formed JSON: "
                            + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                                    ? j.getOriginalMessage()
                                    : e.getMessage()),
                    e);
        }
    }

    private static Map<String, Object> object(JsonParser parser) throws IOException {
        // String.compareTo orders by UTF-16 code units, which is RFC 8785's order
        Map<String, Object> members = new TreeMap<>();
        while (parser.nextToken() != JsonToken.END_OBJECT) {
            String name = parser.currentName();
            parser.nextToken();
            if (members.put(name, value(parser)) != null) {
                throw new IllegalArgumentException("Duplicate member \"" + name + "\"");
            }
        }
        return members;
    }

    private static Object value(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> object(parser);
            case START_ARRAY -> {
                List<Object> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(parser));
                }
                yield items;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new NumberText(parser.getText());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("Unexpected JSON token " + parser.currentToken());
        };
    }

    /** A number as written, so a decimal's precision survives. */
    private record NumberText(String text) {}

    @SuppressWarnings("unchecked")
    private static void write(Object value, StringBuilder out) {
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> member : ((Map<String, Object>) map).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(member.getKey(), out);
                out.append(':');
                write(member.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof NumberText number) {
            out.append(number.text());
        } else {
            out.append(value); // true, false, null
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
