package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubTestBase;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.ConditionalDeleteStatus;
import org.junit.jupiter.api.Test;

/**
 * Every interaction and operation {@code GET /fhir/metadata} advertises, sent with missing, empty and odd
 * ids, parameters, headers and bodies, to a hub without authentication (which reaches the deepest code):
 * no answer may be a server error, and every error answer must be an OperationOutcome. The requests are
 * derived from the CapabilityStatement, so whatever the hub advertises next is swept too.
 */
class AdvertisedInteractionsSweepTest extends HubTestBase {

    private static final String JSON = "application/fhir+json";
    private static final String XML = "application/fhir+xml";

    /** Ids for the id segment of a URL: empty, blank, traversal, too long, control and non-ASCII characters. */
    private static final List<String> ODD_IDS = List.of(
            "",
            "%20",
            "..",
            "%2E%2E",
            "a".repeat(200),
            "%00",
            "%E5%B1%B1",
            "-",
            "a.b",
            "does-not-exist",
            "a%3Fb",
            "a%23b");

    private static final List<String> ODD_VERSIONS =
            List.of("abc", "0", "-1", "99999999999999999999", "1.5", "%20", "W%2F%221%22");
    private static final List<String> ODD_IF_MATCH = List.of("", "abc", "W/\"abc\"", "W/\"-1\"", "*", "W/", "\"\"");
    private static final List<String> CONTROL_PARAMS = List.of(
            "",
            "_id=",
            "_id",
            "_count=-1",
            "_count=abc",
            "_count=0",
            "_count=99999999999",
            "_sort=",
            "_sort=-",
            "_sort=abc",
            "_include=",
            "_include=abc",
            "_include=Patient:x",
            "_include=*",
            "_revinclude=x",
            "_summary=abc",
            "_summary=count",
            "_elements=",
            "_total=abc",
            "_format=abc",
            "_pretty=abc",
            "abc=",
            "=x",
            "&&",
            "_lastUpdated=abc",
            "_lastUpdated=",
            "_has=x",
            "_since=abc",
            "_id=a&_id=",
            "_id:missing=abc",
            "_id:abc=x",
            "_lastUpdated=zz2024");
    private static final List<String> HISTORY_PARAMS = List.of(
            "",
            "_count=-1",
            "_count=abc",
            "_count=0",
            "_since=abc",
            "_since=",
            "_since=2024-13-45",
            "_at=abc",
            "_list=x",
            "_format=abc",
            "_offset=-1",
            "_offset=abc",
            "_offset=99999999999",
            "_offset=3&_count=1");
    private static final List<String> IF_NONE_EXIST = List.of(
            "",
            "?",
            "=",
            "abc=",
            "_id=",
            "_count=abc",
            "identifier=",
            "identifier=%7C",
            "_id=does-not-exist",
            "a".repeat(300) + "=x");
    private static final List<String> CONDITIONS = List.of(
            "",
            "_id=",
            "_id=does-not-exist",
            "abc=x",
            "_count=abc",
            "_id=a&_id=b",
            "_sort=abc",
            "identifier=",
            "_lastUpdated=abc");

    private final List<String> failures = new ArrayList<>();
    private int sent;
    private int pagesSeen;

    @Test
    void noAdvertisedInteractionAnswersWithAServerErrorAndEveryErrorIsAnOperationOutcome() {
        HttpResponse<String> metadata = get("/metadata");
        assertThat(metadata.statusCode()).isEqualTo(200);
        CapabilityStatement cs =
                HubInstance.fhirContext().newJsonParser().parseResource(CapabilityStatement.class, metadata.body());
        CapabilityStatementRestComponent rest = cs.getRestFirstRep();
        assertThat(rest.getResource()).isNotEmpty();

        String patient = seed("Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"山田\"}]}");
        for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
            sweepType(resource, patient);
        }
        for (var interaction : rest.getInteraction()) {
            switch (interaction.getCode()) {
                case TRANSACTION -> bundles("transaction");
                case BATCH -> bundles("batch");
                case HISTORYSYSTEM -> HISTORY_PARAMS.forEach(p -> probe("GET", "/_history" + query(p), null, null));
                case SEARCHSYSTEM -> CONTROL_PARAMS.forEach(p -> probe("GET", "/" + query(p), null, null));
                default ->
                    failures.add("the sweep does not know system interaction "
                            + interaction.getCode().toCode());
            }
        }
        for (var operation : rest.getOperation()) {
            operations("", operation.getName());
        }
        // pages are reachable whenever search or history is advertised
        for (String page : List.of(
                "_getpages=",
                "_getpages=abc",
                "_getpages=abc&_getpagesoffset=-1",
                "_getpages=abc&_getpagesoffset=x&_count=abc")) {
            probe("GET", "?" + page, null, null);
        }
        for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
            for (var interaction : resource.getInteraction()) {
                switch (interaction.getCode().toCode()) {
                    case "search-type" -> pages("/" + resource.getType() + "?_count=1");
                    case "history-type" -> pages("/" + resource.getType() + "/_history?_count=1");
                    default -> {}
                }
            }
        }
        assertThat(sent).as("requests sent").isGreaterThan(1000);
        assertThat(pagesSeen).as("next links followed").isPositive();
        assertThat(failures)
                .as("answers that were server errors or not OperationOutcomes")
                .isEmpty();
    }

    private void sweepType(CapabilityStatementRestResourceComponent resource, String patient) {
        String type = resource.getType();
        String body = minimal(type, patient);
        Set<String> interactions = new LinkedHashSet<>();
        resource.getInteraction().forEach(i -> interactions.add(i.getCode().toCode()));
        String existing = interactions.contains("create") ? seed(type, body) : null;
        List<String> ids = new ArrayList<>(ODD_IDS);
        if (existing != null) {
            ids.add(existing);
        }
        for (String interaction : interactions) {
            switch (interaction) {
                case "read" -> ids.forEach(id -> probe("GET", "/" + type + "/" + id, null, null));
                case "vread" -> {
                    for (String id : ids) {
                        probe("GET", "/" + type + "/" + id + "/_history/1", null, null);
                    }
                    String id = existing != null ? existing : "does-not-exist";
                    ODD_VERSIONS.forEach(v -> probe("GET", "/" + type + "/" + id + "/_history/" + v, null, null));
                    probe("GET", "/" + type + "/" + id + "/_history/", null, null);
                }
                case "update" -> update(type, ids, existing, body);
                case "delete" -> {
                    ids.forEach(id -> probe("DELETE", "/" + type + "/" + id, null, null));
                    String id = existing != null ? existing : "does-not-exist";
                    ODD_IF_MATCH.forEach(m -> probe("DELETE", "/" + type + "/" + id, null, null, "If-Match", m));
                    probe("DELETE", "/" + type, null, null);
                    probe("DELETE", "/" + type + "/", null, null);
                }
                case "history-instance" -> {
                    String id = existing != null ? existing : "does-not-exist";
                    HISTORY_PARAMS.forEach(
                            p -> probe("GET", "/" + type + "/" + id + "/_history" + query(p), null, null));
                    ids.forEach(i -> probe("GET", "/" + type + "/" + i + "/_history", null, null));
                }
                case "history-type" ->
                    HISTORY_PARAMS.forEach(p -> probe("GET", "/" + type + "/_history" + query(p), null, null));
                case "create" -> create(type, body);
                case "search-type" -> search(type, resource);
                default -> failures.add("the sweep does not know interaction " + interaction + " of " + type);
            }
        }
        if (resource.getConditionalCreate()) {
            IF_NONE_EXIST.forEach(c -> probe("POST", "/" + type, JSON, body, "If-None-Exist", c));
            IF_NONE_EXIST.forEach(c -> probe("POST", "/" + type, JSON, body, "If-None-Exist", type + "?" + c));
        }
        if (resource.getConditionalUpdate()) {
            CONDITIONS.forEach(c -> probe("PUT", "/" + type + "?" + c, JSON, body));
        }
        // Sent whatever is advertised: a type that does not support conditional delete must refuse it cleanly.
        if (interactions.contains("delete")
                || resource.getConditionalDelete() != ConditionalDeleteStatus.NOTSUPPORTED) {
            CONDITIONS.forEach(c -> probe("DELETE", "/" + type + "?" + c, null, null));
        }
        for (var operation : resource.getOperation()) {
            operations("/" + type, operation.getName());
            operations("/" + type + "/" + (existing != null ? existing : "does-not-exist"), operation.getName());
            operations("/" + type + "/" + "a".repeat(200), operation.getName());
        }
    }

    private void update(String type, List<String> ids, String existing, String body) {
        for (String id : ids) {
            probe("PUT", "/" + type + "/" + id, JSON, "{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\"}");
        }
        String id = existing != null ? existing : "does-not-exist";
        String path = "/" + type + "/" + id;
        String withId = body.replaceFirst("\\{", "{\"id\":\"" + id + "\",");
        for (String[] odd : oddBodies(type)) {
            probe("PUT", path, odd[0], odd[1]);
        }
        ODD_IF_MATCH.forEach(m -> probe("PUT", path, JSON, withId, "If-Match", m));
        probe("PUT", "/" + type, JSON, body);
        probe("PUT", "/" + type + "/", JSON, body);
        probe("PUT", path + "/_history/abc", JSON, withId);
        probe("PUT", path + "?_id=", JSON, withId);
    }

    private void create(String type, String body) {
        for (String[] odd : oddBodies(type)) {
            probe("POST", "/" + type, odd[0], odd[1]);
        }
        probe("POST", "/" + type + "/", JSON, body);
        probe("POST", "/" + type + "?_format=abc", JSON, body);
        probe("POST", "/" + type + "/does-not-exist", JSON, body);
    }

    private void search(String type, CapabilityStatementRestResourceComponent resource) {
        CONTROL_PARAMS.forEach(p -> probe("GET", "/" + type + query(p), null, null));
        for (var param : resource.getSearchParam()) {
            String name = param.getName();
            for (String value : List.of(
                    name + "=",
                    name + "=abc",
                    name + "=%7C",
                    name + "=gt",
                    name + "=a,",
                    name + ":missing=abc",
                    name + ":abc=x",
                    name + ":exact=",
                    name + "=Unknown/1",
                    name + "=" + "a".repeat(300))) {
                probe("GET", "/" + type + "?" + value, null, null);
            }
        }
        probe("POST", "/" + type + "/_search", "application/x-www-form-urlencoded", "_id=&_count=abc");
        probe("POST", "/" + type + "/_search", "application/x-www-form-urlencoded", "");
        probe("POST", "/" + type + "/_search", JSON, "{}");
        probe("POST", "/" + type + "/_search", null, null);
    }

    /** A real next link, followed as given and with its paging parameters made odd. */
    private void pages(String firstPage) {
        HttpResponse<String> first = send("GET", firstPage, null, null);
        sent++;
        java.util.regex.Matcher next = java.util.regex.Pattern.compile(
                        "\"relation\"\\s*:\\s*\"next\"\\s*,\\s*\"url\"\\s*:\\s*\"[^\"?]*\\?([^\"]+)\"")
                .matcher(first.body());
        if (first.statusCode() >= 500) {
            failures.add("GET " + firstPage + " -> " + first.statusCode() + ": " + abbreviate(first.body()));
        }
        if (!next.find()) {
            return; // one page only
        }
        String query = next.group(1);
        probe("GET", "?" + query, null, null);
        for (String[] change : List.of(
                new String[] {"_getpagesoffset", "-1"},
                new String[] {"_getpagesoffset", "abc"},
                new String[] {"_getpagesoffset", "99999999999"},
                new String[] {"_getpagesoffset", "2147483647"},
                new String[] {"_count", "-1"},
                new String[] {"_count", "abc"},
                new String[] {"_count", "0"},
                new String[] {"_count", "2147483647"},
                new String[] {"_bundletype", "abc"},
                new String[] {"_getpages", ""})) {
            probe(
                    "GET",
                    "?" + query.replaceAll("(^|&)" + change[0] + "=[^&]*", "$1" + change[0] + "=" + change[1]),
                    null,
                    null);
        }
        pagesSeen++;
    }

    /** Content-Type and body pairs no write should store. */
    private static List<String[]> oddBodies(String type) {
        String other = "Patient".equals(type) ? "Observation" : "Patient";
        return List.of(
                new String[] {null, null},
                new String[] {JSON, null},
                new String[] {JSON, ""},
                new String[] {JSON, "{}"},
                new String[] {JSON, "[]"},
                new String[] {JSON, "null"},
                new String[] {JSON, "\"x\""},
                new String[] {JSON, "{\"resourceType\":\"\"}"},
                new String[] {JSON, "{\"resourceType\":\"Abc\"}"},
                new String[] {JSON, "{\"resourceType\":\"" + other + "\"}"},
                new String[] {JSON, "{\"resourceType\":\"OperationOutcome\"}"},
                new String[] {JSON, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}"},
                new String[] {JSON, "{\"resourceType\":\"" + type + "\""},
                new String[] {JSON, "{\"resourceType\":\"" + type + "\",\"id\":\"\"}"},
                new String[] {JSON, "{\"resourceType\":\"" + type + "\",\"id\":\"" + "a".repeat(200) + "\"}"},
                new String[] {JSON, "{\"resourceType\":\"" + type + "\",\"meta\":{\"versionId\":\"abc\"}}"},
                new String[] {JSON, "{\"resourceType\":\"" + type + "\",\"contained\":[{}]}"},
                new String[] {JSON, "{\"resourceType\":\"" + type + "\",\"extension\":[{}]}"},
                new String[] {JSON, "<" + type + " xmlns=\"http://hl7.org/fhir\"/>"},
                new String[] {XML, "{\"resourceType\":\"" + type + "\"}"},
                new String[] {XML, "<x/>"},
                new String[] {XML, ""},
                new String[] {XML, "<" + type + " xmlns=\"http://hl7.org/fhir\"><id value=\"\"/></" + type + ">"},
                new String[] {"text/plain", "{\"resourceType\":\"" + type + "\"}"},
                new String[] {"application/json", "{\"resourceType\":\"" + type + "\"}"},
                new String[] {"application/fhir+json; charset=latin1", "{\"resourceType\":\"" + type + "\"}"},
                new String[] {"abc", "{\"resourceType\":\"" + type + "\"}"},
                new String[] {"", "{\"resourceType\":\"" + type + "\"}"});
    }

    private void operations(String base, String name) {
        String op = base + "/$" + name.replaceFirst("^\\$", "");
        for (String p : List.of(
                "",
                "x=",
                "id=",
                "id=abc",
                "_count=abc",
                "reason=",
                "content=abc",
                "eventsSinceNumber=abc",
                "eventsSinceNumber=-1",
                "eventsUntilNumber=99999999999999999999")) {
            probe("GET", op + query(p), null, null);
        }
        for (String body : List.of(
                "",
                "{}",
                "{\"resourceType\":\"Parameters\"}",
                "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"x\"}]}",
                "{\"resourceType\":\"Parameters\",\"parameter\":[{}]}",
                "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"reason\",\"valueString\":\"\"}]}",
                "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"reason\",\"valueInteger\":1}]}",
                "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"purpose\",\"valueCode\":\"abc\"},{\"name\":\"reason\",\"valueString\":\"x\"}]}",
                "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"id\",\"valueId\":\"\"}]}",
                "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"id\",\"resource\":{\"resourceType\":\"Patient\"}}]}",
                "{\"resourceType\":\"Patient\"}")) {
            probe("POST", op, JSON, body);
        }
        probe("POST", op, "text/plain", "x");
        probe("POST", op, null, null);
        probe("PUT", op, JSON, "{\"resourceType\":\"Parameters\"}");
        probe("DELETE", op, null, null);
    }

    private void bundles(String kind) {
        String other = "transaction".equals(kind) ? "batch" : "transaction";
        List<String> entries = List.of(
                "{}",
                "{\"request\":{}}",
                "{\"request\":{\"method\":\"GET\",\"url\":\"Patient\"}}",
                "{\"request\":{\"method\":\"PATCH\",\"url\":\"Patient/x\"}}",
                "{\"request\":{\"method\":\"HEAD\",\"url\":\"Patient/x\"}}",
                "{\"request\":{\"method\":\"DELETE\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient?\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient?_id=\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient?abc=x\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient?_id=does-not-exist\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"?_id=x\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Abc?_id=x\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"AuditEvent?_id=x\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/" + "a".repeat(200) + "\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Unknown/1\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"../x\"}}",
                "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/x\",\"ifMatch\":\"abc\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient?_id=x\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient/abc\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient/..\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient/abc\"},\"resource\":{\"resourceType\":\"Observation\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"Patient/abc\",\"ifMatch\":\"W/\\\"x\\\"\"},\"resource\":{\"resourceType\":\"Patient\",\"id\":\"abc\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"Abc/abc\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"PUT\",\"url\":\"AuditEvent/abc\"},\"resource\":{\"resourceType\":\"AuditEvent\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Patient/1\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Unknown\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"?\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Patient\"},\"resource\":{\"resourceType\":\"Observation\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"_id=\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"abc=\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"?\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"AuditEvent\"},\"resource\":{\"resourceType\":\"AuditEvent\"}}",
                "{\"fullUrl\":\"\",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"fullUrl\":\"urn:uuid:\",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"},\"resource\":{\"resourceType\":\"Patient\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Observation\"},\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\","
                        + "\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"urn:uuid:missing\"}}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Bundle\"},\"resource\":{\"resourceType\":\"Bundle\",\"type\":\""
                        + kind + "\"}}",
                "{\"request\":{\"method\":\"POST\",\"url\":\"Bundle\"},\"resource\":{\"resourceType\":\"Bundle\",\"type\":\""
                        + other + "\"," + "\"entry\":[{\"request\":{}}]}}");
        for (String entry : entries) {
            probe(
                    "POST",
                    "",
                    JSON,
                    "{\"resourceType\":\"Bundle\",\"type\":\"" + kind + "\",\"entry\":[" + entry + "]}");
        }
        String duplicate =
                "{\"fullUrl\":\"urn:uuid:6f1c1d2e-0000-4000-8000-00000000000a\",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"},"
                        + "\"resource\":{\"resourceType\":\"Patient\"}}";
        probe(
                "POST",
                "",
                JSON,
                "{\"resourceType\":\"Bundle\",\"type\":\"" + kind + "\",\"entry\":[" + duplicate + "," + duplicate
                        + "]}");
        for (String[] odd : oddBodies("Bundle")) {
            probe("POST", "", odd[0], odd[1]);
        }
        for (String type :
                List.of("", "abc", "history", "searchset", "document", "collection", "transaction-response")) {
            probe(
                    "POST",
                    "",
                    JSON,
                    "{\"resourceType\":\"Bundle\"" + (type.isEmpty() ? "" : ",\"type\":\"" + type + "\"") + "}");
        }
        probe("POST", "", JSON, "{\"resourceType\":\"Bundle\",\"type\":\"" + kind + "\",\"entry\":[]}");
        probe("POST", "", JSON, "{\"resourceType\":\"Bundle\",\"type\":\"" + kind + "\",\"entry\":[null]}");
        probe("POST", "/", JSON, "{\"resourceType\":\"Bundle\",\"type\":\"" + kind + "\"}");
        probe("PUT", "", JSON, "{\"resourceType\":\"Bundle\",\"type\":\"" + kind + "\"}");
        probe("DELETE", "", null, null);
    }

    /** A body the type accepts where that is easy; otherwise the bare resource (a refusal is fine, a 5xx is not). */
    private static String minimal(String type, String patient) {
        String subject = "\"subject\":{\"reference\":\"Patient/" + patient + "\"}";
        return switch (type) {
            case "Observation" ->
                "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}," + subject + "}";
            case "Condition" -> "{\"resourceType\":\"Condition\",\"code\":{\"text\":\"x\"}," + subject + "}";
            case "Communication" -> "{\"resourceType\":\"Communication\",\"status\":\"completed\"," + subject + "}";
            case "Binary" -> "{\"resourceType\":\"Binary\",\"contentType\":\"text/plain\",\"data\":\"eA==\"}";
            default -> "{\"resourceType\":\"" + type + "\"}";
        };
    }

    private String seed(String type, String body) {
        HttpResponse<String> created = send("POST", "/" + type, JSON, body);
        sent++;
        if (created.statusCode() >= 500) {
            failures.add("POST /" + type + " (seed) -> " + created.statusCode() + ": " + abbreviate(created.body()));
        }
        if (created.statusCode() != 201) {
            return null;
        }
        String location = created.headers().firstValue("Location").orElseThrow();
        String[] parts = location.substring(location.indexOf("/" + type + "/") + type.length() + 2)
                .split("/");
        return parts[0];
    }

    private static String query(String parameters) {
        return parameters.isEmpty() ? "" : "?" + parameters;
    }

    private void probe(String method, String path, String contentType, String body, String... headers) {
        HttpResponse<String> response;
        try {
            response = send(method, path, contentType, body, headers);
        } catch (IllegalArgumentException notAUri) {
            failures.add("the sweep built an invalid request " + method + " " + path);
            return;
        }
        sent++;
        String request = method + " " + path + (contentType == null ? "" : " [" + contentType + "]")
                + (body == null ? "" : " " + abbreviate(body))
                + (headers.length == 0 ? "" : " " + String.join(": ", headers));
        if (response.statusCode() >= 500) {
            failures.add(request + " -> " + response.statusCode() + ": " + abbreviate(response.body()));
        } else if (response.statusCode() >= 400 && !isOperationOutcome(response.body())) {
            failures.add(request + " -> " + response.statusCode() + " without an OperationOutcome: "
                    + abbreviate(response.body()));
        }
    }

    private static boolean isOperationOutcome(String body) {
        return body.contains("\"resourceType\": \"OperationOutcome\"")
                || body.contains("\"resourceType\":\"OperationOutcome\"")
                || body.contains("<OperationOutcome");
    }

    private static String abbreviate(String text) {
        String flat = text == null ? "" : text.replaceAll("\\s+", " ");
        return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
    }
}
