package jp.renkei.hub;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real hub on a random loopback port with the embedded store in a given directory. Tests that
 * restart the hub start two instances on the same directory, one after the other.
 */
public final class HubInstance implements AutoCloseable {

    private static final FhirContext CLIENT_CONTEXT = FhirContext.forR4();

    static {
        CLIENT_CONTEXT.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        CLIENT_CONTEXT.getRestfulClientFactory().setSocketTimeout(60_000);
    }

    private final ConfigurableApplicationContext context;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String baseUrl;

    public HubInstance(Path dataDir, String... extraProperties) {
        // Command-line arguments outrank application.yml and the environment, so a developer's
        // MONGODB_URI or RENKEI_PORT cannot leak into a test.
        // Tests of the FHIR mechanics run unauthenticated (loopback only); access tests pass renkei.auth.*.
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--renkei.store.embedded.data-dir=" + dataDir,
                "--renkei.store.uri="));
        if (java.util.Arrays.stream(extraProperties).noneMatch(p -> p.startsWith("renkei.auth."))) {
            args.add("--renkei.auth.enabled=false");
        }
        // Token introspection has its own tests (TokenIntrospectionTest, KeycloakEndToEndIT), which configure it;
        // the others accept a token until it expires.
        if (java.util.Arrays.stream(extraProperties).noneMatch(p -> p.startsWith("renkei.auth.introspection."))) {
            args.add("--renkei.auth.introspection.enabled=false");
        }
        // Signed documents have their own tests (sign package), which configure a PKI; the others store them unsigned.
        if (java.util.Arrays.stream(extraProperties).noneMatch(p -> p.startsWith("renkei.sign."))) {
            args.add("--renkei.sign.required=false");
        }
        // Checkpoints of an anchored audit chain are copied outside the store; a hub's copies belong to its data alone.
        if (java.util.Arrays.stream(extraProperties).noneMatch(p -> p.startsWith("renkei.audit.anchor-dir="))) {
            args.add("--renkei.audit.anchor-dir=" + dataDir.resolve("audit-anchors"));
        }
        for (String property : extraProperties) {
            args.add("--" + property);
        }
        this.context = new SpringApplicationBuilder(RenkeiApplication.class).run(args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.baseUrl = "http://127.0.0.1:" + port + "/fhir";
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Raw HTTP, for what a FHIR client would not send; {@code headers} are name, value pairs. */
    public HttpResponse<String> send(String method, String path, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public IGenericClient client() {
        return CLIENT_CONTEXT.newRestfulGenericClient(baseUrl);
    }

    public static FhirContext fhirContext() {
        return CLIENT_CONTEXT;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }

    /** Deletes a closed hub's store directory: the files grow large in the bigger tests. A leftover is no failure. */
    public static void deleteStore(Path dataDir) {
        try (var files = java.nio.file.Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is not a test failure
        }
    }
}
