package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.notify.Notifications;
import jp.renkei.hub.notify.SocketClient;
import jp.renkei.hub.notify.Topic;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Browser apps of other origins (CORS, {@code renkei.web.origins}) on a hub that lists two of them: preflights, answers
 * and errors readable by a listed origin only, and the notification socket's Origin check.
 */
// two origins with a space after the comma, as an operator would write them; a small body limit for the 413
@Hub(
        own = "its settings: the origins it allows and a small body limit",
        properties = {
            "renkei.web.origins=" + BrowserOriginsTest.LISTED + ", https://renkei-web.example.jp",
            "renkei.fhir.max-request-size=16KB"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserOriginsTest {

    static final String LISTED = "http://127.0.0.1:5173";
    private static final String UNLISTED = "https://elsewhere.example.com";
    private static final long WAIT = 20_000;

    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private SecuredHub secured;
    private String token;
    /** The hub's own origin, as its own pages would send it. */
    private String sameOrigin;

    @BeforeAll
    void start(SecuredHub secured) throws Exception {
        this.secured = secured;
        secured.seed("Organization", "org-a", new Organization().setName("いわて在宅ケアセンター"), null);
        token = secured.issuer
                .token()
                .roles("physician")
                .subject("u-cors")
                .claim("organization", "org-a")
                .sign();
        sameOrigin = secured.hub.baseUrl().substring(0, secured.hub.baseUrl().length() - "/fhir".length());
    }

    @Test
    void aPreflightFromAListedOriginIsAnsweredWithoutATokenOnEveryFhirPath() {
        for (String path : List.of(
                "",
                "/Organization/org-a",
                "/Patient/_search",
                "/metadata",
                "/.well-known/smart-configuration",
                "/Subscription/abc/$get-ws-binding-token")) {
            HttpResponse<String> preflight = preflight(
                    LISTED,
                    path,
                    "PUT",
                    "authorization, content-type, accept, if-match, if-none-match, if-none-exist, prefer, x-request-id");
            assertThat(preflight.statusCode())
                    .as(path + ": " + preflight.body())
                    .isIn(200, 204);
            assertThat(header(preflight, "Access-Control-Allow-Origin"))
                    .as(path)
                    .isEqualTo(LISTED);
            // methods are case-sensitive
            assertThat(header(preflight, "Access-Control-Allow-Methods").split(", *"))
                    .as(path)
                    .contains("GET", "POST", "PUT", "PATCH", "DELETE");
            assertThat(list(preflight, "Access-Control-Allow-Headers"))
                    .as(path)
                    .contains(
                            "authorization",
                            "content-type",
                            "accept",
                            "if-match",
                            "if-none-match",
                            "if-none-exist",
                            "prefer",
                            "x-request-id");
            assertThat(header(preflight, "Access-Control-Max-Age")).as(path).isEqualTo("1800");
            assertThat(list(preflight, "Vary")).as(path).contains("origin");
            // bearer tokens, not cookies: no credentials mode
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials"))
                    .as(path)
                    .isEmpty();
        }
        // the second listed origin too, a DELETE
        HttpResponse<String> other =
                preflight("https://renkei-web.example.jp", "/Organization/org-a", "DELETE", "authorization");
        assertThat(other.statusCode()).isIn(200, 204);
        assertThat(header(other, "Access-Control-Allow-Origin")).isEqualTo("https://renkei-web.example.jp");
    }

    @Test
    void anUnlistedOriginGetsNoCorsHeadersButTheHubsOwnOriginNeedsNoEntry() {
        for (String path : List.of("/Organization/org-a", "/metadata")) {
            HttpResponse<String> preflight = preflight(UNLISTED, path, "GET", "authorization");
            assertThat(preflight.statusCode()).as(path).isEqualTo(403);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                    .as(path)
                    .isEmpty();
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
                    .as(path)
                    .isEmpty();
            assertThat(outcome(preflight).getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.FORBIDDEN);
        }
        // a real request with a valid token: refused, nothing a page of that origin could read
        HttpResponse<String> read = read(UNLISTED);
        assertThat(read.statusCode()).isEqualTo(403);
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(read.body()).doesNotContain("いわて在宅ケアセンター");
        // an origin differing only in scheme or port is another origin
        assertThat(read("https://127.0.0.1:5173").headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
        assertThat(read("http://127.0.0.1:5174").headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
        // the hub's own pages send their origin on writes and fetches; they need no CORS
        HttpResponse<String> own = read(sameOrigin);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(own.body()).contains("いわて在宅ケアセンター");
    }

    @Test
    void aRequestFromAListedOriginMayReadTheAnswerAndTheHeadersAClientNeeds() {
        HttpResponse<String> read = read(LISTED);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(header(read, "Access-Control-Allow-Origin")).isEqualTo(LISTED);
        assertThat(list(read, "Access-Control-Expose-Headers"))
                .contains(
                        "etag",
                        "location",
                        "content-location",
                        "last-modified",
                        "x-request-id",
                        "www-authenticate",
                        "retry-after",
                        "content-disposition");
        assertThat(read.headers().firstValue("ETag")).isPresent();
        assertThat(read.headers().firstValue("X-Request-ID")).isPresent();
        assertThat(list(read, "Vary")).contains("origin");
        assertThat(read.headers().firstValue("Access-Control-Allow-Credentials"))
                .isEmpty();
        // what needs no token needs no token from a listed origin either
        for (String path : List.of("/metadata", "/.well-known/smart-configuration")) {
            HttpResponse<String> open = secured.hub.send("GET", path, null, null, "Origin", LISTED);
            assertThat(open.statusCode()).as(path).isEqualTo(200);
            assertThat(header(open, "Access-Control-Allow-Origin")).as(path).isEqualTo(LISTED);
        }
    }

    @Test
    void errorsToAListedOriginCarryItsOriginSoThatTheAppCanReadThem() {
        HttpResponse<String> noToken = secured.hub.send("GET", "/Organization/org-a", null, null, "Origin", LISTED);
        assertError(noToken, 401, OperationOutcome.IssueType.LOGIN);
        assertThat(noToken.headers().firstValue("WWW-Authenticate")).isPresent();
        assertError(
                secured.hub.send(
                        "GET",
                        "/Organization/org-a",
                        null,
                        null,
                        "Origin",
                        LISTED,
                        "Authorization",
                        "Bearer " + secured.issuer.token().foreignKey().sign()),
                401,
                OperationOutcome.IssueType.LOGIN);
        // the access guard's refusal: a physician does not maintain the directory
        assertError(
                send("POST", "/Organization", json.encodeResourceToString(new Organization().setName("新しい事業所"))),
                403,
                OperationOutcome.IssueType.FORBIDDEN);
        assertError(send("GET", "/Organization/no-such-organization", null), 404, OperationOutcome.IssueType.NOTFOUND);
        Subscription restHook = Notifications.subscription(Topic.COMMUNICATION, "id-only", 0);
        restHook.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK);
        HttpResponse<String> unprocessable = send("POST", "/Subscription", json.encodeResourceToString(restHook));
        assertThat(unprocessable.statusCode()).as(unprocessable.body()).isEqualTo(422);
        assertThat(header(unprocessable, "Access-Control-Allow-Origin")).isEqualTo(LISTED);
        // the hub's body-size filter, and Tomcat's error valve (a method the SMART configuration does not serve)
        assertError(
                send(
                        "POST",
                        "/Organization",
                        "{\"resourceType\":\"Organization\",\"name\":\"" + "あ".repeat(8000) + "\"}"),
                413,
                OperationOutcome.IssueType.TOOLONG);
        HttpResponse<String> valve = send("POST", "/.well-known/smart-configuration", "{}");
        assertThat(valve.statusCode()).as(valve.body()).isEqualTo(405);
        assertThat(header(valve, "Access-Control-Allow-Origin")).isEqualTo(LISTED);
        assertThat(outcome(valve).getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTSUPPORTED);
    }

    /**
     * A page of another site must not open a socket with a binding token it got hold of; the hub's own pages, the
     * listed origins and clients that are not browsers (no Origin) bind as before.
     */
    @Test
    void theNotificationSocketAdmitsTheHubsOwnAndListedOriginsAndClientsWithoutOrigin() throws Exception {
        String subscription = subscription();
        for (String origin : Arrays.asList(LISTED, sameOrigin, null)) {
            Parameters binding = bindingToken(subscription);
            try (SocketClient socket = new SocketClient(Notifications.value(binding, "websocket-url"), origin)) {
                socket.bind(Notifications.value(binding, "token"));
                Bundle handshake = socket.next(WAIT);
                assertThat(handshake).as("handshake for origin " + origin).isNotNull();
                assertThat(Notifications.type(handshake)).isEqualTo("handshake");
            }
        }
        String url = Notifications.value(bindingToken(subscription), "websocket-url");
        for (String origin : List.of(UNLISTED, "null", "http://127.0.0.1:5174")) {
            assertThatThrownBy(() -> new SocketClient(url, origin).close())
                    .as(origin)
                    .hasCauseInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause())
                                    .getResponse()
                                    .statusCode())
                            .isEqualTo(403));
        }
    }

    @Test
    void aWildcardOrAnythingButAnExactOriginStopsTheStart() throws Exception {
        Path dir = Files.createTempDirectory("renkei-cors-wildcard");
        try {
            assertThatThrownBy(() -> new HubInstance(dir, "renkei.web.origins=" + LISTED + ",*").close())
                    .hasStackTraceContaining("RENKEI_WEB_ORIGINS")
                    .hasStackTraceContaining("wildcards are not accepted");
        } finally {
            HubInstance.deleteStore(dir);
        }
        for (String notAnOrigin : List.of(
                "https://*.example.jp",
                "http://127.0.0.1:5173/",
                "http://127.0.0.1:5173/app",
                "127.0.0.1:5173",
                "ftp://example.jp",
                "null")) {
            assertThatThrownBy(() -> new BrowserOrigins(List.of(notAnOrigin)))
                    .as(notAnOrigin)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(notAnOrigin);
        }
        assertThat(new BrowserOrigins(List.of(" https://app.example.jp ", "", "http://[::1]:8080")).origins())
                .containsExactly("https://app.example.jp", "http://[::1]:8080");
        assertThat(new BrowserOrigins(null).origins()).isEmpty();
    }

    private String subscription() {
        HttpResponse<String> created = send(
                "POST",
                "/Subscription",
                json.encodeResourceToString(Notifications.subscription(Topic.COMMUNICATION, "id-only", 0)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
    }

    private Parameters bindingToken(String subscription) {
        HttpResponse<String> binding = send(
                "POST",
                "/Subscription/" + subscription + "/$get-ws-binding-token",
                json.encodeResourceToString(new Parameters()));
        assertThat(binding.statusCode()).as(binding.body()).isEqualTo(200);
        return json.parseResource(Parameters.class, binding.body());
    }

    private HttpResponse<String> preflight(String origin, String path, String method, String headers) {
        return secured.hub.send(
                "OPTIONS",
                path,
                null,
                null,
                "Origin",
                origin,
                "Access-Control-Request-Method",
                method,
                "Access-Control-Request-Headers",
                headers);
    }

    private HttpResponse<String> read(String origin) {
        return secured.hub.send(
                "GET", "/Organization/org-a", null, null, "Origin", origin, "Authorization", "Bearer " + token);
    }

    /** From the listed origin with the physician's token. */
    private HttpResponse<String> send(String method, String path, String body) {
        return secured.hub.send(
                method,
                path,
                body == null ? null : "application/fhir+json",
                body,
                "Origin",
                LISTED,
                "Authorization",
                "Bearer " + token);
    }

    private void assertError(HttpResponse<String> response, int status, OperationOutcome.IssueType code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(header(response, "Access-Control-Allow-Origin"))
                .as(status + " carries the origin")
                .isEqualTo(LISTED);
        assertThat(outcome(response).getIssueFirstRep().getCode()).isEqualTo(code);
    }

    private OperationOutcome outcome(HttpResponse<String> response) {
        return json.parseResource(OperationOutcome.class, response.body());
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** A comma-separated header's values, lower case, from all its lines. */
    private static List<String> list(HttpResponse<String> response, String name) {
        return response.headers().allValues(name).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(v -> v.strip().toLowerCase(Locale.ROOT))
                .toList();
    }
}
