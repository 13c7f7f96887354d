package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.renkei.hub.Await;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.notify.Notifications;
import jp.renkei.hub.notify.SocketClient;
import jp.renkei.hub.notify.Topic;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Whether a token is still active, asked of a {@link TestIssuer}'s introspection endpoint (the real Keycloak's in
 * {@link KeycloakEndToEndIT}): how often the issuer is asked, and that the hub fails closed when it cannot ask.
 * Short periods here: asked again after 2 s, refused when unconfirmed for 4 s.
 */
@Hub(
        own = "it makes its issuer fail and end tokens, and asks it on a schedule of its own",
        properties = {
            "renkei.auth.introspection.client-secret=" + TestIssuer.HUB_SECRET,
            "renkei.auth.introspection.recheck=2s",
            "renkei.auth.introspection.max-age=4s",
            "renkei.auth.introspection.timeout=2s"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenIntrospectionTest {

    /** Generous: a starved host can stall for seconds. */
    private static final long WAIT = 20_000;

    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private SecuredHub secured;
    private TestIssuer issuer;

    @BeforeAll
    void start(SecuredHub secured) throws Exception {
        this.secured = secured;
        issuer = secured.issuer;
        secured.seed("Organization", "org-a", new Organization().setName("いわて在宅ケアセンター"), null);
    }

    @AfterEach
    void issuerAnswersAgain() {
        issuer.failIntrospection(false);
    }

    @Test
    void aTokenIsAskedAboutOnceAndAgainOnlyAfterTheRecheckPeriod() {
        String token = user("u-cache");
        int before = issuer.introspections();
        long started = System.currentTimeMillis();
        for (int i = 0; i < 20; i++) {
            assertThat(read(token).statusCode()).isEqualTo(200);
        }
        long periods = (System.currentTimeMillis() - started) / 2000;
        assertThat(issuer.introspections() - before).isBetween(1, 1 + (int) periods + 1);
    }

    @Test
    void aTokenEndedAtTheIssuerIsRefusedAndItsSocketClosed() throws Exception {
        String ending = user("u-ending");
        String staying = user("u-staying");
        try (SocketClient socket = listen(ending);
                SocketClient control = listen(staying)) {
            issuer.end(ending);
            assertThat(until(ending, 401).body()).contains("no longer active");
            SocketClient.Closed closed = socket.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).contains("access ended");
            assertThat(read(staying).statusCode()).isEqualTo(200);
            assertThat(control.isClosed()).isFalse();
        }
    }

    /**
     * Each Subscription bound to a socket is checked with the access token of its latest binding: after a re-bind with a
     * binding token from a new access token, the old one ending changes nothing, the new one ending closes the socket.
     */
    @Test
    void aRebindMovesTheSocketsAccessCheckToTheNewAccessToken() throws Exception {
        // the same user's access tokens of two sessions (a refreshed token differs from the one before it)
        String before = issuer.token()
                .roles("physician")
                .subject("u-rebind")
                .claim("organization", "org-a")
                .claim("sid", "one")
                .sign();
        String after = issuer.token()
                .roles("physician")
                .subject("u-rebind")
                .claim("organization", "org-a")
                .claim("sid", "two")
                .sign();
        HttpResponse<String> created = secured.hub.send(
                "POST",
                "/Subscription",
                "application/fhir+json",
                json.encodeResourceToString(Notifications.subscription(Topic.COMMUNICATION, "id-only", 1)),
                "Authorization",
                "Bearer " + before);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
        try (SocketClient socket = SocketClient.bound(bindingToken(id, before), WAIT)) {
            socket.bind(Notifications.value(bindingToken(id, after), "token"));
            assertThat(nextOfType(socket, "handshake")).isNotNull();
            issuer.end(before);
            until(before, 401);
            // the hub now knows the old token ended; two heartbeat rounds later the socket is still open
            assertThat(nextOfType(socket, "heartbeat")).isNotNull();
            assertThat(nextOfType(socket, "heartbeat")).isNotNull();
            assertThat(socket.isClosed()).isFalse();
            issuer.end(after);
            SocketClient.Closed closed = socket.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).contains("access ended");
        }
    }

    private Parameters bindingToken(String subscription, String token) {
        HttpResponse<String> binding = secured.hub.send(
                "POST",
                "/Subscription/" + subscription + "/$get-ws-binding-token",
                "application/fhir+json",
                json.encodeResourceToString(new Parameters()),
                "Authorization",
                "Bearer " + token);
        assertThat(binding.statusCode()).as(binding.body()).isEqualTo(200);
        return json.parseResource(Parameters.class, binding.body());
    }

    private static org.hl7.fhir.r4.model.Bundle nextOfType(SocketClient socket, String type)
            throws InterruptedException {
        long until = System.currentTimeMillis() + WAIT;
        while (System.currentTimeMillis() < until) {
            org.hl7.fhir.r4.model.Bundle next = socket.next(Math.max(1, until - System.currentTimeMillis()));
            if (next != null && type.equals(Notifications.type(next))) {
                return next;
            }
        }
        return null;
    }

    @Test
    void whenTheIssuerCannotBeAskedAnUnconfirmedTokenIsRefusedWith503AndItsSocketClosed() throws Exception {
        String known = user("u-known");
        try (SocketClient socket = listen(known)) {
            issuer.failIntrospection(true);
            // never confirmed: refused at once, as a passing failure rather than a bad token
            HttpResponse<String> unknown = read(user("u-new"));
            assertThat(unknown.statusCode()).isEqualTo(503);
            assertThat(unknown.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(unknown.headers().firstValue("WWW-Authenticate")).isEmpty();
            OperationOutcome outcome = json.parseResource(OperationOutcome.class, unknown.body());
            assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
            assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("could not be reached");
            // confirmed before: served on its last answer until that is 4 s old, then refused too
            until(known, 503);
            SocketClient.Closed closed = socket.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(1013);
            assertThat(closed.reason()).contains("not confirmed");
            issuer.failIntrospection(false);
            until(known, 200);
        }
    }

    @Test
    void theHubDoesNotStartWithoutItsIntrospectionSecret() throws Exception {
        Path dir = Files.createTempDirectory("renkei-no-secret");
        try {
            assertThatThrownBy(() -> new HubInstance(
                                    dir,
                                    "renkei.auth.enabled=true",
                                    "renkei.auth.issuer=" + issuer.issuer(),
                                    "renkei.auth.introspection.enabled=true")
                            .close())
                    .hasStackTraceContaining("RENKEI_AUTH_INTROSPECTION_CLIENT_SECRET");
        } finally {
            HubInstance.deleteStore(dir);
        }
    }

    private String user(String subject) {
        return issuer.token()
                .roles("physician")
                .subject(subject)
                .claim("organization", "org-a")
                .sign();
    }

    private HttpResponse<String> read(String token) {
        return secured.hub.send("GET", "/Organization/org-a", null, null, "Authorization", "Bearer " + token);
    }

    /** Reads until the answer has this status, for at most {@link #WAIT}. */
    private HttpResponse<String> until(String token, int status) throws InterruptedException {
        HttpResponse<String> response =
                Await.atMost(java.time.Duration.ofMillis(WAIT), () -> read(token), r -> r.statusCode() == status);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response;
    }

    /** A socket bound to a new Subscription of the token's user, its handshake read. */
    private SocketClient listen(String token) throws InterruptedException {
        HttpResponse<String> created = secured.hub.send(
                "POST",
                "/Subscription",
                "application/fhir+json",
                json.encodeResourceToString(Notifications.subscription(Topic.COMMUNICATION, "id-only", 0)),
                "Authorization",
                "Bearer " + token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
        HttpResponse<String> binding = secured.hub.send(
                "POST",
                "/Subscription/" + id + "/$get-ws-binding-token",
                "application/fhir+json",
                json.encodeResourceToString(new Parameters()),
                "Authorization",
                "Bearer " + token);
        assertThat(binding.statusCode()).as(binding.body()).isEqualTo(200);
        return SocketClient.bound(json.parseResource(Parameters.class, binding.body()), WAIT);
    }
}
