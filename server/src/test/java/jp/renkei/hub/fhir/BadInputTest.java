package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import jp.renkei.hub.HubTestBase;
import org.hl7.fhir.r4.model.Bundle;
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
        return client.search().forResource("Patient").returnBundle(Bundle.class).execute().getTotal();
    }

    @Test
    void malformedJsonAndXml() {
        assertOutcome(send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"山田\""), 400, "Failed to parse");
        assertOutcome(send("POST", "/Patient", "application/fhir+xml", "<Patient xmlns=\"http://hl7.org/fhir\"><name>"), 400, "Failed to parse");
        assertOutcome(send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"nmae\":[{\"text\":\"x\"}]}"), 400, "nmae");
        assertOutcome(send("POST", "/Patient", JSON, "{\"resourceType\":\"Patient\",\"birthDate\":\"昭和15年\"}"), 400, "昭和15年");
        assertThat(patients()).isZero();
    }

    @Test
    void unknownResourceTypeAndMismatchedIds() {
        assertOutcome(get("/Kaigo/1"), 404, "Kaigo");
        assertOutcome(send("PUT", "/Patient/abc", JSON, "{\"resourceType\":\"Patient\",\"id\":\"xyz\"}"), 400, "xyz");
        assertOutcome(send("PUT", "/Patient/abc", JSON, "{\"resourceType\":\"Patient\"}"), 400, "ID");
        assertOutcome(send("POST", "/Patient", JSON, "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}"), 400, "Observation");
        assertThat(patients()).isZero();
        assertThat(client.search().forResource("Observation").returnBundle(Bundle.class).execute().getTotal()).isZero();
    }

    @Test
    void wrongContentTypeAndOversizedBody() {
        assertOutcome(send("POST", "/Patient", "text/plain", "{\"resourceType\":\"Patient\"}"), 415, "text/plain");
        assertOutcome(send("POST", "/Patient", "application/x-www-form-urlencoded", "name=x"), 415, "not a FHIR format");
        String big = "{\"resourceType\":\"Patient\",\"name\":[{\"text\":\"" + "あ".repeat(4 * 1024 * 1024) + "\"}]}";
        assertOutcome(send("POST", "/Patient", JSON, big), 413, "limit");
        assertThat(patients()).isZero();
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
}
