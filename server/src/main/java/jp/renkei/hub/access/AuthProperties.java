package jp.renkei.hub.access;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where access tokens come from (see application.yml for the environment variables).
 *
 * @param enabled  false only for local tests of the FHIR mechanics: every request is then
 *                 unrestricted, so the hub refuses to start unless it listens on loopback only
 * @param issuer   the token issuer, the Keycloak realm URL
 * @param jwksUri  where the issuer's signing keys are published; re-read when a token names a new key
 * @param audience the audience a token must name to be accepted by this hub
 * @param clockSkew how far the issuer's clock may be off when checking expiry and not-before
 */
@ConfigurationProperties("renkei.auth")
public record AuthProperties(boolean enabled, String issuer, String jwksUri, String audience,
                             java.time.Duration clockSkew) {

    public AuthProperties {
        if (clockSkew == null) {
            clockSkew = java.time.Duration.ofSeconds(30);
        }
        if (jwksUri == null || jwksUri.isBlank()) {
            jwksUri = issuer == null ? null : issuer + "/protocol/openid-connect/certs";
        }
    }
}
