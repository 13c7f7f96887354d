package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The real Keycloak, started through {@code deploy/keycloak.sh} on ports of its own with the realm in {@code keycloak/}
 * and an in-memory database, once for the whole test run: each start costs one to two minutes on a 2-core machine.
 * A test class gets it with {@code @ExtendWith(RealKeycloak.Shared.class)} and a {@code RealKeycloak} parameter (of its
 * {@code @BeforeAll}, say); it starts on first use and stops when the run ends.
 *
 * <p>Shared means that what one class changes in the realm the classes after it see: a class changes only users and
 * clients no other class relies on (KeycloakEndToEndIT disables {@code therapist}, deletes {@code dentist}, shortens
 * {@code renkei-integration}'s tokens), or puts back what it changed ({@link #allowWebOrigin}).
 */
public final class RealKeycloak implements ExtensionContext.Store.CloseableResource {

    /** DEV ONLY: the demo users' password, see keycloak/README.md. */
    public static final String PASSWORD = "renkei-dev-only";

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, String> env = new LinkedHashMap<>();
    private String url;

    private RealKeycloak() {}

    /** Resolves a {@code RealKeycloak} parameter to the run's one instance. */
    public static final class Shared implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == RealKeycloak.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot()
                    .getStore(ExtensionContext.Namespace.create(RealKeycloak.class))
                    .getOrComputeIfAbsent(RealKeycloak.class, key -> new RealKeycloak(), RealKeycloak.class);
        }
    }

    /** Its base URL, e.g. http://127.0.0.1:41234; starts it on first use. */
    public synchronized String url() {
        if (url == null) {
            int port = freePort();
            env.put("KEYCLOAK_PORT", Integer.toString(port));
            env.put("KEYCLOAK_MGMT_PORT", Integer.toString(freePort()));
            env.put("RENKEI_RUN_DIR", ROOT.resolve("server/target/keycloak-e2e").toString());
            env.put("KEYCLOAK_DB", "dev-mem"); // its own database: a developer's Keycloak may run next to it
            script("start", 900);
            url = "http://127.0.0.1:" + port;
        }
        return url;
    }

    public String issuer() {
        return url() + "/realms/renkei";
    }

    @Override
    public synchronized void close() {
        if (url != null) {
            script("stop", 120);
        }
    }

    private void script(String command, int timeoutSeconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(
                            "bash", ROOT.resolve("deploy/keycloak.sh").toString(), command)
                    .directory(ROOT.toFile())
                    .redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
                    .as("deploy/keycloak.sh " + command + " finished")
                    .isTrue();
            assertThat(process.exitValue())
                    .as("deploy/keycloak.sh " + command + ":\n" + output)
                    .isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- tokens and the admin REST API ---------------------------------------------------------------------

    /** A demo user's access token (password grant of renkei-web, dev only). */
    public String password(String username) throws Exception {
        return token(
                issuer(),
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "renkei-web",
                        "username",
                        username,
                        "password",
                        PASSWORD,
                        "scope",
                        "openid"));
    }

    /** DEV-ONLY master-realm admin of deploy/keycloak.sh, for the admin REST API. */
    private String admin() throws Exception {
        return token(
                url() + "/realms/master",
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "admin-cli",
                        "username",
                        "admin",
                        "password",
                        "dev-only-admin"));
    }

    private static String token(String realmUrl, Map<String, String> form) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(realmUrl + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                                .collect(Collectors.joining("&"))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body()).get("access_token").asText();
    }

    private HttpResponse<String> adminApi(String method, String path, String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url() + "/admin/realms/renkei" + path))
                        .header("Authorization", "Bearer " + admin())
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                json == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Lets the web app served on {@code origin} (a hub on a random port) call the token endpoint, by adding the origin
     * to the web origins (CORS) of client renkei-web in this Keycloak only; {@code false} takes it out again. The realm
     * file lists the ports of deploy/up.sh and the Vite dev server, and is not widened for a test.
     */
    public void allowWebOrigin(String origin, boolean allowed) throws Exception {
        HttpResponse<String> found = adminApi("GET", "/clients?clientId=renkei-web", null);
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        ObjectNode client = (ObjectNode) MAPPER.readTree(found.body()).get(0);
        ArrayNode origins = client.withArray("webOrigins");
        for (int i = origins.size() - 1; i >= 0; i--) {
            if (origins.get(i).asText().equals(origin)) {
                origins.remove(i);
            }
        }
        if (allowed) {
            origins.add(origin);
        }
        HttpResponse<String> updated =
                adminApi("PUT", "/clients/" + client.get("id").asText(), client.toString());
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);
    }

    // ---- the demo data --------------------------------------------------------------------------------------

    /** Loads keycloak/demo-fhir.json into a new hub as the demo hub administrator, as deploy/load-demo.sh does. */
    public void loadDemoData(HubInstance hub) throws Exception {
        HttpResponse<String> loaded = hub.send(
                "POST",
                "",
                "application/fhir+json",
                Files.readString(ROOT.resolve("keycloak/demo-fhir.json")),
                "Authorization",
                "Bearer " + password("hub-admin"));
        assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
        assertThat(HubInstance.fhirContext()
                        .newJsonParser()
                        .parseResource(Bundle.class, loaded.body())
                        .getEntry())
                .hasSize(37)
                .allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
    }
}
