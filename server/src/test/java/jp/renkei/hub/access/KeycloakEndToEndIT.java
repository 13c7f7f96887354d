package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import jp.renkei.hub.Await;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.notify.Notifications;
import jp.renkei.hub.notify.SocketClient;
import jp.renkei.hub.notify.Topic;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real Keycloak, started through {@code deploy/keycloak.sh} on ports of its own with the realm
 * in {@code keycloak/} (shared with the other classes that need it, {@link RealKeycloak}); the demo data loaded as the
 * demo hub administrator; then demo users' tokens (password grant, dev only) and the integration client's (client
 * credentials) through a running hub.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RealKeycloak.Shared.class)
class KeycloakEndToEndIT {

    private static final String PASSWORD = "renkei-dev-only"; // dev-only demo password, see keycloak/README.md
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ObjectMapper mapper = new ObjectMapper();
    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private String keycloak;
    private String issuer;
    private HubInstance hub;

    @BeforeAll
    void start(RealKeycloak realKeycloak) throws Exception {
        keycloak = realKeycloak.url();
        issuer = realKeycloak.issuer();
        // a hub of its own (docs/architecture.md §10), trusting the real Keycloak; the demo data loaded into it.
        // The shipped defaults for introspection (recheck 30 s, at most 60 s old); the dev-only secret of the realm
        // file
        hub = new HubInstance(
                Files.createTempDirectory("renkei-e2e"),
                "renkei.auth.enabled=true",
                "renkei.auth.issuer=" + issuer,
                "renkei.auth.clock-skew=0s",
                "renkei.auth.introspection.client-secret=dev-only-change-me-renkei-hub");
        realKeycloak.loadDemoData(hub);
    }

    @AfterAll
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    // ---- tokens from Keycloak ----------------------------------------------------------------------

    private String password(String username) throws Exception {
        return token(
                issuer,
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

    private String token(String realmUrl, Map<String, String> form) throws Exception {
        return signIn(realmUrl, form).get("access_token").asText();
    }

    /** The token endpoint's whole answer: access and refresh token. */
    private JsonNode signIn(String realmUrl, Map<String, String> form) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(realmUrl + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(form(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return mapper.readTree(response.body());
    }

    private static HttpRequest.BodyPublisher form(Map<String, String> form) {
        return HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    /** DEV-ONLY master-realm admin of deploy/keycloak.sh, for the admin REST API. */
    private String admin() throws Exception {
        return token(
                keycloak + "/realms/master",
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

    private HttpResponse<String> adminApi(String admin, String method, String path, String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(keycloak + "/admin/realms/renkei" + path))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                json == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String userId(String admin, String username) throws Exception {
        HttpResponse<String> users = adminApi(admin, "GET", "/users?exact=true&username=" + username, null);
        assertThat(users.statusCode()).as(users.body()).isEqualTo(200);
        return mapper.readTree(users.body()).get(0).get("id").asText();
    }

    private HttpResponse<String> fhir(String method, String path, String body, String token) {
        return hub.send(
                method, path, body == null ? null : "application/fhir+json", body, "Authorization", "Bearer " + token);
    }

    private HttpResponse<String> post(Resource resource, String token) {
        return fhir("POST", "/" + resource.fhirType(), json.encodeResourceToString(resource), token);
    }

    // ---- through the hub -------------------------------------------------------------------------------

    @Test
    void theDemoLoadScriptSignsInAtKeycloakAndLoadingAgainCreatesNothing() throws Exception {
        // the data is loaded already (start); a user runs deploy/load-demo.sh again, signing in as hub-admin here
        ProcessBuilder builder = new ProcessBuilder(
                        "bash", ROOT.resolve("deploy/load-demo.sh").toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment()
                .put("RENKEI_PORT", Integer.toString(URI.create(hub.baseUrl()).getPort()));
        builder.environment().put("RENKEI_AUTH_ISSUER", issuer);
        builder.environment().remove("RENKEI_TOKEN");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        // other tests here may have amended demo records (put back as "updated"); nothing is created, no Consent
        // replaced
        assertThat(output).contains(": 0 created, ").contains(", 3 kept as they were");
    }

    @Test
    void demoUsersGetWhatTheirProfessionAndCareTeamAllow() throws Exception {
        String careManager = password("care-manager");
        String careWorker = password("care-worker");
        String pharmacist = password("pharmacist");
        String nurse = password("hospital-nurse");
        String homeDoctor = password("physician.home");

        assertThat(fhir("GET", "/Patient/pat-yamada", null, careManager).statusCode())
                .isEqualTo(200);
        // 鈴木 トメ's team has no care manager and no MSW
        assertThat(fhir("GET", "/Patient/pat-suzuki", null, careManager).statusCode())
                .isEqualTo(404);
        assertThat(fhir("GET", "/Patient/pat-suzuki", null, password("msw")).statusCode())
                .isEqualTo(404);

        Condition diagnosis = (Condition) CareRecords.about("Condition", null, "pat-yamada");
        HttpResponse<String> created = post(diagnosis, homeDoctor);
        assertThat(created.statusCode()).isEqualTo(201);
        String conditionId = json.parseResource(Condition.class, created.body())
                .getIdElement()
                .getIdPart();
        assertThat(fhir("GET", "/Condition/" + conditionId, null, careManager).statusCode())
                .isEqualTo(200);
        // care workers see no diagnoses; the municipal officer is in no care team and sees nothing
        assertThat(fhir("GET", "/Condition/" + conditionId, null, careWorker).statusCode())
                .isEqualTo(403);
        assertThat(fhir("GET", "/Condition?patient=Patient/pat-yamada", null, careWorker)
                        .statusCode())
                .isEqualTo(403);
        assertThat(fhir("GET", "/Condition/" + conditionId, null, password("municipal-officer"))
                        .statusCode())
                .isEqualTo(404);
        // the patient and her daughter read it
        assertThat(fhir("GET", "/Condition/" + conditionId, null, password("patient.yamada"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(fhir("GET", "/Condition/" + conditionId, null, password("family.yamada"))
                        .statusCode())
                .isEqualTo(200);

        // a pharmacist reports on medication, but writes no discharge sheet
        assertThat(post(CareRecords.about("Observation", "medication", "pat-yamada"), pharmacist)
                        .statusCode())
                .isEqualTo(201);
        assertThat(post(CareRecords.about("Communication", "medication", "pat-yamada"), pharmacist)
                        .statusCode())
                .isEqualTo(201);
        assertThat(post(CareRecords.about("Composition", "discharge-summary", "pat-yamada"), pharmacist)
                        .statusCode())
                .isEqualTo(403);

        // the hospital's discharge sheet: the care manager reads it but cannot amend it; the nurse who wrote it can,
        // and
        // the hospital's EHR interface, which is not on her care team, does not even see it (organisation alone grants
        // nothing)
        HttpResponse<String> sheet = post(CareRecords.about("Composition", "discharge-summary", "pat-yamada"), nurse);
        assertThat(sheet.statusCode()).isEqualTo(201);
        Composition discharge = json.parseResource(Composition.class, sheet.body());
        String sheetPath = "/Composition/" + discharge.getIdElement().getIdPart();
        assertThat(fhir("GET", sheetPath, null, careManager).statusCode()).isEqualTo(200);
        discharge.setTitle("退院時情報提供書（修正）");
        String amended = json.encodeResourceToString(discharge);
        assertThat(fhir("PUT", sheetPath, amended, careManager).statusCode()).isEqualTo(403);
        String integration = token(
                issuer,
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        "renkei-integration",
                        "client_secret",
                        "dev-only-change-me-renkei-integration"));
        assertThat(fhir("PUT", sheetPath, amended, integration).statusCode()).isEqualTo(404);
        assertThat(fhir("GET", sheetPath, null, integration).statusCode()).isEqualTo(404);
        assertThat(fhir("PUT", sheetPath, amended, nurse).statusCode()).isEqualTo(200);

        // a care worker's search for observations shows the daily-living ones only
        assertThat(post(CareRecords.about("Observation", "daily-living", "pat-yamada"), careWorker)
                        .statusCode())
                .isEqualTo(201);
        Bundle seen = json.parseResource(
                Bundle.class,
                fhir("GET", "/Observation?patient=Patient/pat-yamada", null, careWorker)
                        .body());
        assertThat(seen.getTotal()).isEqualTo(1);
        assertThat(((Observation) seen.getEntryFirstRep().getResource())
                        .getCategoryFirstRep()
                        .getCodingFirstRep()
                        .getCode())
                .isEqualTo("daily-living");
    }

    // ---- ending access in Keycloak (アクセスの失効) ----------------------------------------------------

    /** How long the hub may take to notice that access ended (docs/security.md). */
    private static final long ENDS_WITHIN = 60_000;

    @Test
    void aDisabledDeletedOrSignedOutUserLosesAccessAndTheirSocketWithinAMinute() throws Exception {
        Map<String, JsonNode> sessions = new LinkedHashMap<>();
        Map<String, SocketClient> sockets = new LinkedHashMap<>();
        // therapist: disabled; dentist: deleted; visiting-nurse: signs out; physician.hospital: nothing happens
        for (String user : java.util.List.of("therapist", "dentist", "visiting-nurse", "physician.hospital")) {
            JsonNode session = signIn(
                    issuer,
                    Map.of(
                            "grant_type",
                            "password",
                            "client_id",
                            "renkei-web",
                            "username",
                            user,
                            "password",
                            PASSWORD,
                            "scope",
                            "openid"));
            sessions.put(user, session);
            String access = session.get("access_token").asText();
            assertThat(fhir("GET", "/Patient/pat-yamada", null, access).statusCode())
                    .as(user)
                    .isEqualTo(200);
            sockets.put(user, listen(access));
        }
        try {
            String admin = admin();
            HttpResponse<String> disabled =
                    adminApi(admin, "PUT", "/users/" + userId(admin, "therapist"), "{\"enabled\":false}");
            assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(204);
            HttpResponse<String> deleted = adminApi(admin, "DELETE", "/users/" + userId(admin, "dentist"), null);
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            HttpResponse<String> signedOut = HTTP.send(
                    HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/logout"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(form(Map.of(
                                    "client_id",
                                    "renkei-web",
                                    "refresh_token",
                                    sessions.get("visiting-nurse")
                                            .get("refresh_token")
                                            .asText())))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signedOut.statusCode()).as(signedOut.body()).isEqualTo(204);
            long deadline = System.currentTimeMillis() + ENDS_WITHIN;

            for (String user : java.util.List.of("therapist", "dentist", "visiting-nurse")) {
                String access = sessions.get(user).get("access_token").asText();
                HttpResponse<String> refused = Await.atMost(
                        java.time.Duration.ofMillis(Math.max(0, deadline - System.currentTimeMillis())),
                        () -> fhir("GET", "/Patient/pat-yamada", null, access),
                        r -> r.statusCode() != 200);
                assertThat(refused.statusCode())
                        .as(user + " refused within 60 s")
                        .isEqualTo(401);
                assertThat(refused.body()).contains("no longer active");
                SocketClient.Closed closed =
                        sockets.get(user).awaitClose(Math.max(1, deadline - System.currentTimeMillis()));
                assertThat(closed.code()).as(user + "'s socket").isEqualTo(1008);
                assertThat(closed.reason()).contains("access ended");
            }
            String control =
                    sessions.get("physician.hospital").get("access_token").asText();
            assertThat(fhir("GET", "/Patient/pat-yamada", null, control).statusCode())
                    .isEqualTo(200);
            assertThat(sockets.get("physician.hospital").isClosed()).isFalse();
        } finally {
            sockets.values().forEach(SocketClient::close);
        }
    }

    /** A socket bound to a new Subscription of the token's user, its handshake read. */
    private SocketClient listen(String access) throws Exception {
        HttpResponse<String> created = post(Notifications.subscription(Topic.COMMUNICATION, "id-only", 0), access);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
        HttpResponse<String> binding = fhir(
                "POST",
                "/Subscription/" + id + "/$get-ws-binding-token",
                json.encodeResourceToString(new Parameters()),
                access);
        assertThat(binding.statusCode()).as(binding.body()).isEqualTo(200);
        return SocketClient.bound(json.parseResource(Parameters.class, binding.body()), 20_000);
    }

    @Test
    void anExpiredKeycloakTokenIsRefused() throws Exception {
        // DEV-ONLY master-realm admin of deploy/keycloak.sh shortens the integration client's token lifespan
        String admin = token(
                keycloak + "/realms/master",
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "admin-cli",
                        "username",
                        "admin",
                        "password",
                        "dev-only-admin"));
        HttpResponse<String> clients = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(keycloak + "/admin/realms/renkei/clients?clientId=renkei-integration"))
                        .header("Authorization", "Bearer " + admin)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        ObjectNode client = (ObjectNode) mapper.readTree(clients.body()).get(0);
        ObjectNode attributes =
                client.has("attributes") ? (ObjectNode) client.get("attributes") : client.putObject("attributes");
        attributes.put("access.token.lifespan", "5");
        HttpResponse<String> updated = HTTP.send(
                HttpRequest.newBuilder(URI.create(keycloak + "/admin/realms/renkei/clients/"
                                + client.get("id").asText()))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(client.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);

        String shortLived = token(
                issuer,
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        "renkei-integration",
                        "client_secret",
                        "dev-only-change-me-renkei-integration"));
        JsonNode claims = mapper.readTree(
                java.util.Base64.getUrlDecoder().decode(shortLived.split("\\.")[1]));
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isLessThanOrEqualTo(5);
        assertThat(fhir("GET", "/Organization/org-hospital", null, shortLived).statusCode())
                .isEqualTo(200);
        Thread.sleep(6_500); // the 5 s token must expire: letting that time pass is the point, not a wait for an event
        HttpResponse<String> expired = fhir("GET", "/Organization/org-hospital", null, shortLived);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("expired");
    }

    @Test
    void aTokenOfAnotherIssuerIsRefused() throws Exception {
        String master = token(
                keycloak + "/realms/master",
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "admin-cli",
                        "username",
                        "admin",
                        "password",
                        "dev-only-admin"));
        HttpResponse<String> response = fhir("GET", "/Organization/org-hospital", null, master);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(fhir("GET", "/Organization/org-hospital", null, password("care-manager"))
                        .statusCode())
                .isEqualTo(200);
    }

    // ---- the web app's sign-in (web/src/auth/oidc.ts) --------------------------------------------------------

    /**
     * What the web app does in the browser, step by step over HTTP: the issuer from the hub's smart-configuration,
     * authorization code with PKCE S256 to a redirect URI under /app/ on the hub's (random) loopback port, Keycloak's
     * login page in Japanese, the code exchanged with its verifier, the hub read with the token, renewal by refresh
     * token, and sign-out by end-session with the ID token as hint, after which the session's refresh token is dead.
     */
    @Test
    void theWebAppSignsInWithAuthorizationCodeAndPkceUnderAppAndSignsOut() throws Exception {
        Browser browser = new Browser();
        String app = hub.baseUrl().replaceFirst("/fhir$", "") + "/app/";
        JsonNode smart = mapper.readTree(
                hub.send("GET", "/.well-known/smart-configuration", null, null).body());
        assertThat(smart.get("issuer").asText()).isEqualTo(issuer);
        String authorize = smart.get("authorization_endpoint").asText();
        String redirect = app + "callback";
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String verifier = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String challenge = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(verifier.getBytes(StandardCharsets.US_ASCII)));

        // a redirect outside the app is refused, also on the loopback host
        HttpResponse<String> elsewhere = browser.send(HttpRequest.newBuilder(URI.create(authorize + "?"
                + query(Map.of(
                        "client_id",
                        "renkei-web",
                        "response_type",
                        "code",
                        "scope",
                        "openid",
                        "redirect_uri",
                        app.replace("/app/", "/elsewhere/"),
                        "state",
                        "s1",
                        "code_challenge",
                        challenge,
                        "code_challenge_method",
                        "S256")))));
        assertThat(elsewhere.statusCode()).isEqualTo(400);
        // without a PKCE challenge there is no code either (PKCE S256 is required)
        HttpResponse<String> noPkce = browser.send(HttpRequest.newBuilder(URI.create(authorize + "?"
                + query(Map.of(
                        "client_id",
                        "renkei-web",
                        "response_type",
                        "code",
                        "scope",
                        "openid",
                        "redirect_uri",
                        redirect,
                        "state",
                        "s0")))));
        assertThat(noPkce.headers().firstValue("Location").orElse(""))
                .startsWith(redirect + "?")
                .contains("error=invalid_request")
                .doesNotContain("code=");

        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(authorize + "?"
                + query(Map.of(
                        "client_id",
                        "renkei-web",
                        "response_type",
                        "code",
                        "scope",
                        "openid profile",
                        "redirect_uri",
                        redirect,
                        "state",
                        "s2",
                        "code_challenge",
                        challenge,
                        "code_challenge_method",
                        "S256")))));
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        assertThat(login.body()).as("Keycloak's login page in Japanese").containsPattern("<html[^>]*lang=\"ja\"");
        java.util.regex.Matcher action =
                java.util.regex.Pattern.compile("action=\"([^\"]+)\"").matcher(login.body());
        assertThat(action.find()).isTrue();
        HttpResponse<String> signedIn =
                browser.send(HttpRequest.newBuilder(URI.create(action.group(1).replace("&amp;", "&")))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(form(Map.of("username", "care-manager", "password", PASSWORD))));
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
        URI back = URI.create(signedIn.headers().firstValue("Location").orElseThrow());
        assertThat(back.toString()).startsWith(redirect + "?").contains("state=s2");
        String code = java.util.Arrays.stream(back.getRawQuery().split("&"))
                .filter(p -> p.startsWith("code="))
                .map(p -> java.net.URLDecoder.decode(p.substring(5), StandardCharsets.UTF_8))
                .findFirst()
                .orElseThrow();

        JsonNode tokens = signIn(
                issuer,
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "client_id",
                        "renkei-web",
                        "code",
                        code,
                        "redirect_uri",
                        redirect,
                        "code_verifier",
                        verifier));
        assertThat(tokens.has("id_token")).isTrue();
        HttpResponse<String> patients =
                fhir("GET", "/Patient", null, tokens.get("access_token").asText());
        assertThat(patients.statusCode()).isEqualTo(200);
        assertThat(patients.body()).contains("pat-yamada").doesNotContain("pat-suzuki");

        JsonNode renewed = signIn(
                issuer,
                Map.of(
                        "grant_type",
                        "refresh_token",
                        "client_id",
                        "renkei-web",
                        "refresh_token",
                        tokens.get("refresh_token").asText()));
        assertThat(fhir(
                                "GET",
                                "/Patient/pat-yamada",
                                null,
                                renewed.get("access_token").asText())
                        .statusCode())
                .isEqualTo(200);

        String endSession = mapper.readTree(HTTP.send(
                                HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("end_session_endpoint")
                .asText();
        HttpResponse<String> signedOut = browser.send(HttpRequest.newBuilder(URI.create(endSession + "?"
                + query(Map.of(
                        "id_token_hint",
                        renewed.get("id_token").asText(),
                        "post_logout_redirect_uri",
                        app + "signed-out",
                        "client_id",
                        "renkei-web")))));
        assertThat(signedOut.statusCode()).as(signedOut.body()).isEqualTo(302);
        assertThat(signedOut.headers().firstValue("Location")).hasValue(app + "signed-out");
        HttpResponse<String> afterSignOut = HTTP.send(
                HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(form(Map.of(
                                "grant_type",
                                "refresh_token",
                                "client_id",
                                "renkei-web",
                                "refresh_token",
                                renewed.get("refresh_token").asText())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(afterSignOut.statusCode()).isEqualTo(400);
    }

    /**
     * Redirects not followed, Keycloak's cookies kept by name and sent back: Keycloak marks them Secure also on plain
     * HTTP, which browsers accept on loopback but java.net.CookieManager never sends over http.
     */
    private static final class Browser {
        private final HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        private final Map<String, String> cookies = new LinkedHashMap<>();

        HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
            if (!cookies.isEmpty()) {
                request.header(
                        "Cookie",
                        cookies.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining("; ")));
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : response.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    cookies.put(
                            pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            return response;
        }
    }

    private static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
