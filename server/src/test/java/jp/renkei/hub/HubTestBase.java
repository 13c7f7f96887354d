package jp.renkei.hub;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A class of tests of the FHIR mechanics against a hub without authentication: the run's shared one unless the class
 * says why it needs its own ({@link Hub}); plain HTTP for what a FHIR client would not send.
 */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HubTestBase {

    protected HubInstance hub;
    protected IGenericClient client;

    @BeforeAll
    void startHub(HubInstance hub) {
        this.hub = hub;
        client = hub.client();
    }

    protected HttpResponse<String> send(
            String method, String path, String contentType, String body, String... headers) {
        return hub.send(method, path, contentType, body, headers);
    }

    protected HttpResponse<String> get(String path) {
        return send("GET", path, null, null);
    }
}
