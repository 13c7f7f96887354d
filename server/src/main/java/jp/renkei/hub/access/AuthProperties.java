package jp.renkei.hub.access;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where access tokens come from (see application.yml for the environment variables).
 *
 * @param enabled  false only for local tests of the FHIR mechanics: every request is then
 *                 unrestricted, so the hub refuses to start unless it listens on loopback only
 * @param issuer   the token issuer, the Keycloak realm URL
 * @param jwksUri  where the issuer's signing keys are published; re-read when a token names a new key
 * @param audience the audience a token must name to be accepted by this hub
 * @param clockSkew how far the issuer's clock may be off when checking expiry and not-before
 * @param introspection how the hub asks the issuer whether a token is still active ({@link ActiveTokens})
 */
@ConfigurationProperties("renkei.auth")
public record AuthProperties(
        boolean enabled,
        String issuer,
        String jwksUri,
        String audience,
        java.time.Duration clockSkew,
        @DefaultValue Introspection introspection) {

    public AuthProperties {
        if (clockSkew == null) {
            clockSkew = java.time.Duration.ofSeconds(30);
        }
        if (jwksUri == null || jwksUri.isBlank()) {
            jwksUri = issuer == null ? null : issuer + "/protocol/openid-connect/certs";
        }
        if (introspection == null) {
            introspection = new Introspection(true, null, null, null, null, null, null, 0);
        }
        if ((introspection.uri() == null || introspection.uri().isBlank()) && issuer != null) {
            introspection = introspection.at(issuer + "/protocol/openid-connect/token/introspect");
        }
    }

    /**
     * Token introspection (RFC 7662): a token is asked about again once its last answer is {@code recheck}
     * old, and refused once no answer younger than {@code maxAge} can be had.
     *
     * @param enabled      false: a user disabled, deleted or signed out keeps access until the token expires
     * @param uri          the issuer's introspection endpoint
     * @param clientId     the confidential client the hub authenticates as
     * @param clientSecret its secret, from the environment only
     * @param recheck      age of an answer after which the issuer is asked again
     * @param maxAge       age after which an answer is no longer used (the issuer did not answer since): refused
     * @param timeout      how long one question may take
     * @param cacheSize    most tokens whose answers each node keeps
     */
    public record Introspection(
            @DefaultValue("true") boolean enabled,
            String uri,
            @DefaultValue("renkei-hub") String clientId,
            String clientSecret,
            @DefaultValue("30s") Duration recheck,
            @DefaultValue("60s") Duration maxAge,
            @DefaultValue("5s") Duration timeout,
            @DefaultValue("20000") int cacheSize) {

        static final Introspection OFF = new Introspection(false, null, null, null, null, null, null, 0);

        public Introspection {
            clientId = clientId == null || clientId.isBlank() ? "renkei-hub" : clientId;
            recheck = recheck == null ? Duration.ofSeconds(30) : recheck;
            maxAge = maxAge == null ? Duration.ofSeconds(60) : maxAge;
            timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
            cacheSize = cacheSize <= 0 ? 20000 : cacheSize;
            if (enabled && maxAge.compareTo(recheck) <= 0) {
                throw new IllegalStateException("renkei.auth.introspection.max-age (" + maxAge
                        + ") must be longer than renkei.auth.introspection.recheck (" + recheck + ")");
            }
        }

        Introspection at(String introspectionUri) {
            return new Introspection(
                    enabled, introspectionUri, clientId, clientSecret, recheck, maxAge, timeout, cacheSize);
        }

        @Override
        public String toString() {
            // never the secret
            return "Introspection[enabled=" + enabled + ", uri=" + uri + ", clientId=" + clientId + ", recheck="
                    + recheck + ", maxAge=" + maxAge + ", timeout=" + timeout + ", cacheSize=" + cacheSize + "]";
        }
    }
}
