package jp.renkei.hub;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    private final HttpClient http = HttpClient.newHttpClient();

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

    protected HttpResponse<String> send(String method, String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected HttpResponse<String> get(String path) {
        return send("GET", path, null, null);
    }
}
