package jp.renkei.hub.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.renkei.hub.Hub;
import jp.renkei.hub.access.SecuredHub;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The web app as a hub with authentication on serves it: public files at /app/, the index for the app's own
 * routes, its Content-Security-Policy and caching, and nothing else opened by it.
 */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAppServingTest {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final Pattern SCRIPT_TAG = Pattern.compile("<script\\b([^>]*)>", Pattern.CASE_INSENSITIVE);

    private SecuredHub secured;
    private String root;
    private int port;

    @BeforeAll
    void start(SecuredHub secured) throws IOException {
        this.secured = secured;
        root = secured.hub.baseUrl().replaceFirst("/fhir$", "");
        port = URI.create(root).getPort();
    }

    @Test
    void theRootRedirectsToTheApp() {
        HttpResponse<String> response = get("/");
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/app/"));
        HttpResponse<String> app = get("/app");
        assertThat(app.statusCode()).isEqualTo(302);
        assertThat(app.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/app/"));
    }

    @Test
    void theAppIsServedWithoutATokenWithItsContentSecurityPolicy() {
        HttpResponse<String> response = get("/app/");
        assertIndex(response);
        String csp = response.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp)
                .contains(
                        "script-src 'self';",
                        "frame-ancestors 'none'",
                        "object-src 'none'",
                        "base-uri 'self'",
                        "default-src 'self'");
        assertThat(csp).doesNotContainPattern("script-src[^;]*unsafe");
        String connect = directive(csp, "connect-src");
        assertThat(connect.split(" "))
                .contains(
                        "'self'",
                        ContentSecurityPolicy.origin(secured.issuer.issuer()),
                        "ws://127.0.0.1:" + port,
                        "wss://127.0.0.1:" + port);
        assertThat(response.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(c -> assertThat(c).contains("no-cache"));
    }

    @Test
    void theIndexHasNoInlineScript() {
        String index = get("/app/").body();
        Matcher tags = SCRIPT_TAG.matcher(index);
        int scripts = 0;
        while (tags.find()) {
            scripts++;
            assertThat(tags.group(1)).as("every script is a file of the hub").contains("src=\"/app/assets/");
        }
        assertThat(scripts).isPositive();
        assertThat(index).doesNotContain("javascript:").doesNotContainPattern("\\son[a-z]+=");
    }

    @Test
    void aDeepLinkOfTheAppAnswersTheIndex() {
        assertIndex(get("/app/patients/x"));
        assertIndex(get("/app/patients/pat-yamada/timeline?tab=1"));
    }

    @Test
    void aBuiltAssetIsServedWithItsTypeAndKeptForAYear() {
        Matcher script = Pattern.compile("src=\"(/app/assets/[^\"]+\\.js)\"")
                .matcher(get("/app/").body());
        assertThat(script.find()).isTrue();
        HttpResponse<String> asset = get(script.group(1));
        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(asset.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(c -> assertThat(c).contains("max-age=31536000", "immutable"));
        assertThat(asset.headers().firstValue("Content-Security-Policy")).isPresent();
    }

    /**
     * Offline home visits (docs/web-app.md §11): the browser installs the app from its manifest (served with its
     * registered type, which neither Tomcat nor Spring maps) and runs the app shell's service worker from /app/sw.js,
     * a script asked again every time (no-cache: a new build's worker replaces the old one at once), whose default scope
     * is /app/; the CSP lets both come from the hub only.
     */
    @Test
    void theServiceWorkerAndTheManifestAreServedForAnInstallableAppShell() throws IOException {
        HttpResponse<String> worker = get("/app/sw.js");
        assertThat(worker.statusCode()).isEqualTo(200);
        assertThat(worker.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(worker.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(
                        c -> assertThat(c).contains("no-cache").doesNotContain("immutable", "max-age=31536000"));
        assertThat(worker.body()).contains("renkei-shell-").doesNotContain("<div id=\"root\">");
        String csp = worker.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(directive(csp, "worker-src")).isEqualTo("worker-src 'self'");
        assertThat(directive(csp, "manifest-src")).isEqualTo("manifest-src 'self'");

        assertThat(get("/app/").body()).contains("<link rel=\"manifest\" href=\"/app/manifest.webmanifest\"");
        HttpResponse<String> manifest = get("/app/manifest.webmanifest");
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/manifest+json"));
        JsonNode parsed = new ObjectMapper().readTree(manifest.body());
        assertThat(parsed.path("start_url").asText()).isEqualTo("/app/");
        assertThat(parsed.path("scope").asText()).isEqualTo("/app/");
        assertThat(parsed.path("display").asText()).isEqualTo("standalone");
        assertThat(parsed.path("lang").asText()).isEqualTo("ja");
        assertThat(parsed.path("name").asText()).contains("連携");
        assertThat(parsed.path("icons")).isNotEmpty();
        for (JsonNode icon : parsed.path("icons")) {
            HttpResponse<String> image = get(icon.path("src").asText());
            assertThat(image.statusCode()).as(icon.toString()).isEqualTo(200);
            assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
        }
    }

    @Test
    void aMissingAssetIsNotFoundRatherThanTheIndex() {
        HttpResponse<String> missing = get("/app/assets/index-00000000.js");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).doesNotContain("<div id=\"root\">");
    }

    @Test
    void theDataStillNeedsAToken() {
        assertThat(get("/fhir/Patient").statusCode()).isEqualTo(401);
        assertThat(send("POST", "/app/").statusCode()).isIn(401, 403, 405);
        assertThat(send("DELETE", "/app/index.html").statusCode()).isIn(401, 403, 405);
        assertThat(get("/actuator").statusCode()).isIn(401, 403, 404);
    }

    @Test
    void noPathThroughTheAppReachesDataOrFiles() throws IOException {
        for (String path : new String[] {
            "/app/../fhir/Patient",
            "/app/%2e%2e/fhir/Patient",
            "/app/..%2ffhir/Patient",
            "/app/..;/fhir/Patient",
            "/app/%2e%2e/%2e%2e/application.yml",
            "/app/../../application.yml",
            "/app/..%5c..%5capplication.yml",
            "/app/assets/../../application.yml",
            "/app/%252e%252e/application.yml",
            "/app/../static/app/index.html",
            "/app/../jp/renkei/hub/RenkeiApplication.class"
        }) {
            String answer = raw(path);
            int status = Integer.parseInt(answer.substring(9, 12));
            assertThat(answer)
                    .as(path)
                    .doesNotContain("\"resourceType\":\"Bundle\"", "renkei:", "auth:", "<div id=\"root\">");
            assertThat(status).as(path).isNotEqualTo(200);
        }
    }

    private void assertIndex(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(response.body()).contains("<div id=\"root\">");
        assertThat(response.headers().firstValue("Content-Security-Policy")).isPresent();
    }

    private static String directive(String csp, String name) {
        for (String directive : csp.split(";")) {
            if (directive.trim().startsWith(name + " ")) {
                return directive.trim();
            }
        }
        throw new AssertionError("no " + name + " in " + csp);
    }

    private HttpResponse<String> get(String path) {
        return send("GET", path);
    }

    private HttpResponse<String> send(String method, String path) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(root + path))
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The request line exactly as written (an HTTP client would normalise the dot segments away). */
    private String raw(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
