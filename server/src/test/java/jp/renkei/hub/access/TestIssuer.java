package jp.renkei.hub.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token issuer for tests: its own RSA keys, a JWKS endpoint on a random loopback port, and
 * tokens shaped like those of the realm {@code renkei} (roles, FHIR identity claims, scope,
 * audience {@code renkei-hub}). Keys can be rotated while a hub is running. Its introspection endpoint
 * (RFC 7662, client {@code renkei-hub} with {@link #HUB_SECRET}) says a token is active until {@link #end} is
 * called for it, and can be made to fail as an unreachable Keycloak would. Its token endpoint answers the
 * {@code refresh_token} grant (RFC 6749 §6) for refresh tokens from {@link #refreshToken}, each time with a new access token.
 */
public final class TestIssuer implements AutoCloseable {

    private final HttpServer server;
    private final String issuer;
    private final List<RSAKey> published = new ArrayList<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final AtomicInteger introspections = new AtomicInteger();
    private final java.util.Set<String> ended = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean introspectionFails;
    private final Map<String, java.util.function.Supplier<String>> refreshTokens =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The test-only secret of the hub's introspection client. */
    public static final String HUB_SECRET = "test-only-renkei-hub-secret";

    private volatile RSAKey signing;

    public TestIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/renkei-test";
        signing = newKey();
        published.add(signing);
        server.createContext("/realms/renkei-test/protocol/openid-connect/certs", exchange -> {
            jwksFetches.incrementAndGet();
            byte[] body;
            synchronized (published) {
                body = new JWKSet(published.stream()
                                .map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK())
                                .toList())
                        .toString()
                        .getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/realms/renkei-test/protocol/openid-connect/token/introspect", exchange -> {
            introspections.incrementAndGet();
            String expected = "Basic "
                    + java.util.Base64.getEncoder()
                            .encodeToString(("renkei-hub:" + HUB_SECRET).getBytes(StandardCharsets.UTF_8));
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = 200;
            String answer;
            if (introspectionFails) {
                status = 503;
                answer = "{}";
            } else if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                answer = "{\"error\":\"invalid_client\"}";
            } else {
                String token = java.util.Arrays.stream(form.split("&"))
                        .filter(p -> p.startsWith("token="))
                        .map(p -> java.net.URLDecoder.decode(p.substring("token=".length()), StandardCharsets.UTF_8))
                        .findFirst()
                        .orElse("");
                // signature and expiry are the hub's to check; this only knows which tokens ended
                answer = "{\"active\":" + !ended.contains(token) + "}";
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/realms/renkei-test/protocol/openid-connect/token", exchange -> {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair :
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(
                            pair.substring(0, eq),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            java.util.function.Supplier<String> accessTokens =
                    refreshTokens.get(String.valueOf(form.get("refresh_token")));
            int status = 400;
            String answer = "{\"error\":\"invalid_grant\"}";
            if ("refresh_token".equals(form.get("grant_type")) && accessTokens != null) {
                status = 200;
                answer = "{\"access_token\":\"" + accessTokens.get()
                        + "\",\"token_type\":\"Bearer\",\"refresh_token\":\"" + form.get("refresh_token") + "\"}";
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** Hub properties that trust this issuer. */
    public String[] hubProperties() {
        return new String[] {
            "renkei.auth.enabled=true", "renkei.auth.issuer=" + issuer, "renkei.auth.audience=renkei-hub"
        };
    }

    /** Hub properties that make the hub ask this issuer whether tokens are still active. */
    public static String[] introspectionProperties() {
        return new String[] {"renkei.auth.introspection.client-secret=" + HUB_SECRET};
    }

    /** The token endpoint (its {@code refresh_token} grant only). */
    public String tokenEndpoint() {
        return issuer + "/protocol/openid-connect/token";
    }

    /** A refresh token that the token endpoint exchanges for a new access token from {@code accessTokens}, as often as asked. */
    public String refreshToken(java.util.function.Supplier<String> accessTokens) {
        String refresh = UUID.randomUUID().toString();
        refreshTokens.put(refresh, accessTokens);
        return refresh;
    }

    /** The token's user signed out, was disabled or deleted: introspection says inactive from now on. */
    public void end(String token) {
        ended.add(token);
    }

    /** Introspection answers 503 (true) as an unreachable issuer would, or works again (false). */
    public void failIntrospection(boolean fail) {
        introspectionFails = fail;
    }

    public int introspections() {
        return introspections.get();
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** Signs new tokens with a new key, published next to the old ones as a rotating Keycloak does. */
    public void rotate() {
        RSAKey next = newKey();
        synchronized (published) {
            published.add(next);
        }
        signing = next;
    }

    public Token token() {
        return new Token();
    }

    /** A token under construction; every claim can be set or removed. */
    public final class Token {
        private final Map<String, Object> claims = new LinkedHashMap<>();
        private RSAKey key = signing;

        Token() {
            Instant now = Instant.now();
            claims.put("iss", issuer);
            claims.put("sub", UUID.randomUUID().toString());
            claims.put("aud", "renkei-hub");
            claims.put("iat", Date.from(now));
            claims.put("exp", Date.from(now.plusSeconds(300)));
            claims.put("azp", "renkei-web");
        }

        public Token claim(String name, Object value) {
            if (value == null) {
                claims.remove(name);
            } else {
                claims.put(name, value instanceof Instant i ? Date.from(i) : value);
            }
            return this;
        }

        public Token roles(String... roles) {
            return claim("roles", List.of(roles));
        }

        public Token subject(String subject) {
            return claim("sub", subject);
        }

        public Token scope(String scope) {
            return claim("scope", scope);
        }

        /** Signs with a key this issuer never published, as a forger would. */
        public Token foreignKey() {
            key = newKey();
            return this;
        }

        public String sign() {
            JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();
            claims.forEach(set::claim);
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(key.getKeyID())
                            .build(),
                    set.build());
            try {
                jwt.sign(new RSASSASigner(key));
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            return jwt.serialize();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
