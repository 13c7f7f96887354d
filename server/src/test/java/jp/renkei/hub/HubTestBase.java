package jp.renkei.hub;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** One hub per test class, on its own fresh data directory; plain HTTP for what a FHIR client would not send. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HubTestBase {

    protected HubInstance hub;
    protected IGenericClient client;
    protected Path dataDir;

    @BeforeAll
    void startHub() throws IOException {
        dataDir = Files.createTempDirectory("renkei-test");
        hub = new HubInstance(dataDir);
        client = hub.client();
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    protected HttpResponse<String> send(String method, String path, String contentType, String body, String... headers) {
        return hub.send(method, path, contentType, body, headers);
    }

    protected HttpResponse<String> get(String path) {
        return send("GET", path, null, null);
    }
}
