package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every kind of bad request gets an OperationOutcome naming the problem, the right status, and writes nothing. */
class BadInputTest extends HubTestBase {

    private static final String JSON = "application/fhir+json";

    private void assertOutcome(HttpResponse<String> response, int status, String diagnosticsContains) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).contains("OperationOutcome").contains(diagnosticsContains);
        assertThat(response.body()).doesNotContain("at jp.renkei").doesNotContain("Exception:");
    }

    private int patients() {
        return client.search()
                .forResource("Patient")
                .returnBundle(Bundle.class)
                .execute()
                .getTotal();
    }

    private int observations() {
        return client.search()
                .forResource("Observation")
                .returnBundle(Bundle.class)
                .execute()
                .getTotal();
    }

    /** What the shared hub held before the test: a refused request leaves it so. */
    private int patientsBefore;

    private int observationsBefore;

    @BeforeEach
    void countBefore() {
        patientsBefore = patients();
        observationsBefore = observations();
    }

    @Test
    void malformedJsonAndXml() {
        assertOutcome(
                send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"山田\""),
                400,
                "Failed to parse");
        assertOutcome(
                send("POST", "/Patient", "application/fhir+xml", "<Patient xmlns=\"http://hl7.org/fhir\"><name>"),
                400,
                "Failed to parse");
        assertOutcome(
                send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"nmae\":[{\"text\":\"x\"}]}"),
                400,
                "nmae");
        assertOutcome(
                send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"birthDate\":\"昭和15年\"}"), 400, "昭和15年");
        assertThat(patients()).isEqualTo(patientsBefore);
    }

    @Test
    void unknownResourceTypeAndMismatchedIds() {
        assertOutcome(get("/Kaigo/1"), 404, "Kaigo");
        assertOutcome(send("PUT", "/Patient/abc", JSON, "{\"resourceType\":\"Patient\",\"id\":\"xyz\"}"), 400, "xyz");
        assertOutcome(send("PUT", "/Patient/abc", JSON, "{\"resourceType\":\"Patient\"}"), 400, "ID");
        assertOutcome(
                send(
                        "POST",
                        "/Patient",
                        JSON,
                        "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}"),
                400,
                "Observation");
        assertThat(patients()).isEqualTo(patientsBefore);
        assertThat(observations()).isEqualTo(observationsBefore);
    }

    @Test
    void wrongContentTypeAndOversizedBody() {
        assertOutcome(send("POST", "/Patient", "text/plain", "{\"resourceType\":\"Patient\"}"), 415, "text/plain");
        assertOutcome(
                send("POST", "/Patient", "application/x-www-form-urlencoded", "name=x"), 415, "not a FHIR format");
        String big = "{\"resourceType\":\"Patient\",\"name\":[{\"text\":\"" + "あ".repeat(4 * 1024 * 1024) + "\"}]}";
        assertOutcome(send("POST", "/Patient", JSON, big), 413, "limit");
        assertThat(patients()).isEqualTo(patientsBefore);
    }

    @Test
    void malformedSearchParameters() {
        assertOutcome(get("/Patient?birthdate=yesterday"), 400, "yesterday");
        assertOutcome(get("/Patient?colour=red"), 400, "colour");
        assertOutcome(get("/Observation?patient="), 400, "empty");
        assertOutcome(get("/Observation?_sort=status"), 400, "status");
    }

    @Test
    void unexpectedFailuresCarryNoDetails() {
        var response = ErrorTranslationProbe.translate(new IllegalStateException("患者 山田太郎 の DB エラー"));
        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(response.getMessage()).doesNotContain("山田").contains("incident");
    }

    // ---- input the specification forbids -------------------------------------------------------

    private HttpResponse<String> sendBytes(String method, String path, String contentType, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path))
                .header("Content-Type", contentType)
                .header("Accept", JSON)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body's text with {@code BAD} replaced by bytes that are no UTF-8 (a lone continuation byte, a truncated sequence). */
    private static byte[] withInvalidUtf8(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] marker = "BAD".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + marker.length <= utf8.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(utf8, i, i + marker.length), marker)) {
                byte[] out = new byte[utf8.length];
                System.arraycopy(utf8, 0, out, 0, utf8.length);
                out[i] = (byte) 0xE5; // 山 is E5 B1 B1: a lead byte
                out[i + 1] = (byte) 0x28; // ... followed by '(' instead of a continuation byte
                out[i + 2] = (byte) 0xB1; // ... and a stray continuation byte
                return out;
            }
        }
        throw new IllegalArgumentException("no BAD marker");
    }

    private void assertIssue(
            HttpResponse<String> response, int status, OperationOutcome.IssueType code, String expression) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        OperationOutcome outcome =
                HubInstance.fhirContext().newJsonParser().parseResource(OperationOutcome.class, response.body());
        assertThat(outcome.getIssueFirstRep().getCode()).as(response.body()).isEqualTo(code);
        if (expression != null) {
            assertThat(outcome.getIssueFirstRep().getExpression())
                    .as(response.body())
                    .extracting(e -> e.getValue())
                    .containsExactly(expression);
        }
    }

    private static String transaction(String kind, String secondFamily, String secondFullUrl) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"" + kind + "\",\"entry\":["
                + "{\"fullUrl\":\"urn:uuid:0d5b2f4e-0000-4000-8000-000000000001\",\"resource\":{\"resourceType\":\"Patient\","
                + "\"name\":[{\"family\":\"山田\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
                + "{\"fullUrl\":\"" + secondFullUrl + "\",\"resource\":{\"resourceType\":\"Patient\","
                + "\"name\":[{\"family\":\"" + secondFamily
                + "\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}";
    }

    @Test
    void invalidUtf8IsRefusedAndNothingIsStored() {
        String patient = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"BAD\"}]}";
        assertIssue(
                sendBytes("POST", "/Patient", JSON, withInvalidUtf8(patient)),
                400,
                OperationOutcome.IssueType.STRUCTURE,
                null);
        assertIssue(
                sendBytes(
                        "PUT",
                        "/Patient/utf8-put",
                        JSON,
                        withInvalidUtf8(
                                "{\"resourceType\":\"Patient\",\"id\":\"utf8-put\",\"name\":[{\"family\":\"BAD\"}]}")),
                400,
                OperationOutcome.IssueType.STRUCTURE,
                null);
        assertIssue(
                sendBytes(
                        "POST",
                        "/Patient",
                        "application/fhir+xml",
                        withInvalidUtf8(
                                "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"BAD\"/></name></Patient>")),
                400,
                OperationOutcome.IssueType.STRUCTURE,
                null);
        for (String kind : List.of("transaction", "batch")) {
            assertIssue(
                    sendBytes(
                            "POST",
                            "",
                            JSON,
                            withInvalidUtf8(transaction(kind, "BAD", "urn:uuid:0d5b2f4e-0000-4000-8000-000000000002"))),
                    400,
                    OperationOutcome.IssueType.STRUCTURE,
                    null);
        }
        assertThat(patients()).isEqualTo(patientsBefore);
        assertThat(get("/Patient/utf8-put").statusCode()).isEqualTo(404);
    }

    @Test
    void controlCharactersInStringsAreRefusedWithTheirLocationAndNothingIsStored() {
        assertIssue(
                send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"山\\u0000田\"}]}"),
                400,
                OperationOutcome.IssueType.VALUE,
                "Patient.name[0].family");
        assertIssue(
                send(
                        "POST",
                        "/Patient",
                        JSON,
                        "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"山田\","
                                + "\"given\":[\"太郎\",\"\\u001b[31m\"]}]}"),
                400,
                OperationOutcome.IssueType.VALUE,
                "Patient.name[0].given[1]");
        assertIssue(
                send(
                        "POST",
                        "/Patient",
                        JSON,
                        "{\"resourceType\":\"Patient\",\"extension\":[{\"url\":\"http://example.org/x\","
                                + "\"valueString\":\"a\\bb\"}]}"),
                400,
                OperationOutcome.IssueType.VALUE,
                "Patient.extension[0].value");
        assertIssue(
                send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\\ud800\"}]}"),
                400,
                OperationOutcome.IssueType.VALUE,
                "Patient.name[0].family");
        assertIssue(
                send(
                        "PUT",
                        "/Patient/nul-put",
                        JSON,
                        "{\"resourceType\":\"Patient\",\"id\":\"nul-put\",\"name\":[{\"family\":\"\\u0000\"}]}"),
                400,
                OperationOutcome.IssueType.VALUE,
                "Patient.name[0].family");
        HttpResponse<String> xml = send(
                "POST",
                "/Patient",
                "application/fhir+xml",
                "<?xml version=\"1.1\"?><Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"山&#1;田\"/></name></Patient>");
        assertThat(xml.statusCode()).as(xml.body()).isEqualTo(400);
        assertThat(xml.body()).contains("OperationOutcome");
        assertIssue(
                send(
                        "POST",
                        "",
                        JSON,
                        transaction("transaction", "\\u0007", "urn:uuid:0d5b2f4e-0000-4000-8000-000000000002")),
                400,
                OperationOutcome.IssueType.VALUE,
                "Bundle.entry[1].resource.name[0].family");
        // a batch is refused as a whole, like one that does not parse: its first, valid entry is not written either
        assertIssue(
                send(
                        "POST",
                        "",
                        JSON,
                        transaction("batch", "\\u0007", "urn:uuid:0d5b2f4e-0000-4000-8000-000000000002")),
                400,
                OperationOutcome.IssueType.VALUE,
                "Bundle.entry[1].resource.name[0].family");
        assertThat(patients()).isEqualTo(patientsBefore);
        assertThat(get("/Patient/nul-put").statusCode()).isEqualTo(404);
    }

    @Test
    void aTransactionOrBatchWithTwoEntriesSharingAFullUrlIsRefusedAndNothingIsStored() {
        for (String kind : List.of("transaction", "batch")) {
            HttpResponse<String> refused =
                    send("POST", "", JSON, transaction(kind, "佐藤", "urn:uuid:0d5b2f4e-0000-4000-8000-000000000001"));
            assertIssue(refused, 400, OperationOutcome.IssueType.INVARIANT, "Bundle.entry[1].fullUrl");
            assertThat(refused.body()).contains("bdl-7");
        }
        assertThat(patients()).isEqualTo(patientsBefore);
    }

    /**
     * operationoutcome.html (IssueType) and http.html: each error names its specific issue code, not the generic
     * {@code processing}: not-found (404), deleted (410), conflict (409, 412), not-supported (405, 415), too-long (413),
     * structure (unparsable body) and invalid (a request the hub cannot accept). 401/403: AccessBehaviourTest.
     */
    @Test
    void eachErrorStatusCarriesItsSpecificIssueCode() {
        assertIssue(get("/Organization/never-was"), 404, OperationOutcome.IssueType.NOTFOUND, null);
        assertIssue(get("/Kaigo/1"), 404, OperationOutcome.IssueType.NOTFOUND, null);
        String org = "{\"resourceType\":\"Organization\",\"name\":\"盛岡訪問看護ステーション\"}";
        HttpResponse<String> created = send("POST", "/Organization", JSON, org);
        String id = HubInstance.fhirContext()
                .newJsonParser()
                .parseResource(org.hl7.fhir.r4.model.Organization.class, created.body())
                .getIdElement()
                .getIdPart();
        assertIssue(
                send(
                        "PUT",
                        "/Organization/" + id,
                        JSON,
                        org.replace("{", "{\"id\":\"" + id + "\","),
                        "If-Match",
                        "W/\"9\""),
                412,
                OperationOutcome.IssueType.CONFLICT,
                null);
        assertThat(send("DELETE", "/Organization/" + id, null, null).statusCode())
                .isEqualTo(200);
        assertIssue(get("/Organization/" + id), 410, OperationOutcome.IssueType.DELETED, null);
        assertIssue(
                send("DELETE", "/Subscription?_id=x", null, null), 405, OperationOutcome.IssueType.NOTSUPPORTED, null);
        assertIssue(
                send("POST", "/Organization", "text/plain", org), 415, OperationOutcome.IssueType.NOTSUPPORTED, null);
        assertIssue(
                send("POST", "/Organization", JSON, org.replace("name", "nmae")),
                400,
                OperationOutcome.IssueType.STRUCTURE,
                null);
        assertIssue(get("/Organization?colour=red"), 400, OperationOutcome.IssueType.INVALID, null);
        String big = "{\"resourceType\":\"Organization\",\"name\":\"" + "あ".repeat(4 * 1024 * 1024) + "\"}";
        assertIssue(send("POST", "/Organization", JSON, big), 413, OperationOutcome.IssueType.TOOLONG, null);
        // writers colliding past every retry: no request provokes it on purpose
        var conflict = ErrorTranslationProbe.translate(
                new jp.renkei.hub.store.VersionConflictException("Organization/x: 50 attempts", false));
        assertThat(conflict.getStatusCode()).isEqualTo(409);
        assertThat(((OperationOutcome) conflict.getOperationOutcome())
                        .getIssueFirstRep()
                        .getCode())
                .isEqualTo(OperationOutcome.IssueType.CONFLICT);
    }
}
