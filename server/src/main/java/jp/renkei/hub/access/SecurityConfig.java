package jp.renkei.hub.access;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServlet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * The hub as an OAuth2 resource server: every request to {@code /fhir} except the
 * CapabilityStatement needs a valid access token from the configured issuer (signature checked
 * against its JWKS, issuer, audience, expiry) that the issuer still holds active ({@link ActiveTokens}). What
 * the token's holder may then do is decided per interaction by {@link AccessGuard}. Errors are FHIR OperationOutcomes.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    @Bean
    AccessPolicy accessPolicy() {
        return AccessPolicy.loadDefault();
    }

    @Bean
    SmartConfiguration smartConfiguration(AuthProperties auth) {
        return new SmartConfiguration(auth);
    }

    @Bean
    ServletRegistrationBean<HttpServlet> smartConfigurationServlet(SmartConfiguration smart) {
        // An exact mapping outranks the FHIR servlet's /fhir/* prefix.
        return new ServletRegistrationBean<>(smart.servlet(), "/fhir/.well-known/smart-configuration");
    }

    /**
     * Asks Keycloak whether tokens are still active ({@link ActiveTokens}); with authentication on, only
     * an explicit {@code renkei.auth.introspection.enabled=false} turns it off, never a missing secret.
     */
    @Bean(destroyMethod = "close")
    ActiveTokens activeTokens(AuthProperties auth) {
        AuthProperties.Introspection introspection = auth.introspection();
        if (!auth.enabled()) {
            return ActiveTokens.off();
        }
        if (!introspection.enabled()) {
            log.warn(
                    "Token introspection is OFF (renkei.auth.introspection.enabled=false): a user disabled, deleted or "
                            + "signed out in the issuer keeps access to the hub until their access token expires.");
            return ActiveTokens.off();
        }
        if (introspection.clientSecret() == null || introspection.clientSecret().isBlank()) {
            throw new IllegalStateException(
                    "renkei.auth.introspection.client-secret (RENKEI_AUTH_INTROSPECTION_CLIENT_SECRET) "
                            + "must be set: the hub asks the issuer as client " + introspection.clientId()
                            + " whether tokens are "
                            + "still active (docs/security.md); set RENKEI_AUTH_INTROSPECTION_ENABLED=false only to accept tokens "
                            + "until they expire");
        }
        return new ActiveTokens(introspection);
    }

    @Bean
    SecurityFilterChain securityFilterChain(
            HttpSecurity http,
            AuthProperties auth,
            AccessPolicy policy,
            FhirContext fhirContext,
            RejectedTokens audit,
            ActiveTokens activeTokens,
            BrowserOrigins browserOrigins,
            @Value("${server.address:}") String bindAddress)
            throws Exception {
        // browser apps of other origins (renkei.web.origins): answered before any token is asked for, errors included
        http.addFilter(browserOrigins.corsFilter());
        http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .anonymous(AbstractHttpConfigurer::disable);
        if (!auth.enabled()) {
            LoopbackOnly.require(bindAddress, "renkei.auth.enabled=false");
            log.warn(
                    "Authentication is OFF (renkei.auth.enabled=false): every request is unrestricted. "
                            + "For local tests only; listening on {} only.",
                    bindAddress);
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        AuthenticationEntryPoint unauthenticated = new OutcomeWriting(fhirContext, audit).entryPoint();
        AccessDeniedHandler denied = new OutcomeWriting(fhirContext, audit).deniedHandler();
        http.authorizeHttpRequests(a -> a.requestMatchers(
                                HttpMethod.GET, "/fhir/metadata", "/fhir/.well-known/smart-configuration")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers("/error")
                        .permitAll()
                        // the web app's files (web.WebAppConfig): public, like any FHIR client's code; its data is not
                        .requestMatchers(HttpMethod.GET, "/", "/app", "/app/**")
                        .permitAll()
                        .requestMatchers(HttpMethod.HEAD, "/", "/app", "/app/**")
                        .permitAll()
                        // the notification socket authenticates itself: a binding token from $get-ws-binding-token
                        .requestMatchers(HttpMethod.GET, "/notifications")
                        .permitAll()
                        .requestMatchers("/fhir", "/fhir/**")
                        .authenticated()
                        .anyRequest()
                        .denyAll())
                .oauth2ResourceServer(o -> o.jwt(j -> j.decoder(jwtDecoder(auth, activeTokens))
                                .jwtAuthenticationConverter(new JwtCallerConverter(policy)))
                        .authenticationEntryPoint(unauthenticated)
                        .accessDeniedHandler(denied))
                .exceptionHandling(
                        e -> e.authenticationEntryPoint(unauthenticated).accessDeniedHandler(denied));
        return http.build();
    }

    /**
     * Keys are fetched from the JWKS endpoint when first needed and again whenever a token names a
     * key id not yet known, so Keycloak can rotate its keys without a hub restart.
     */
    static JwtDecoder jwtDecoder(AuthProperties auth) {
        if (auth.issuer() == null || auth.issuer().isBlank()) {
            throw new IllegalStateException("renkei.auth.issuer (RENKEI_AUTH_ISSUER) must name the token issuer");
        }
        NimbusJwtDecoder decoder =
                NimbusJwtDecoder.withJwkSetUri(auth.jwksUri()).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTimestampValidator(auth.clockSkew()),
                new JwtIssuerValidator(auth.issuer()),
                required("exp", "the token has no expiry (exp)"),
                required("sub", "the token names no subject (sub)"),
                audience(auth.audience())));
        return decoder;
    }

    /** Verified as above, then asked whether still active at the issuer. */
    static JwtDecoder jwtDecoder(AuthProperties auth, ActiveTokens activeTokens) {
        JwtDecoder verified = jwtDecoder(auth);
        return token -> {
            Jwt jwt = verified.decode(token);
            switch (activeTokens.check(jwt)) {
                case ENDED ->
                    throw new BadJwtException(
                            "the token is no longer active: its user signed out, " + "was disabled or deleted");
                case UNCONFIRMED -> throw new NotConfirmed();
                default -> {}
            }
            return jwt;
        };
    }

    /**
     * The issuer could not be asked in time. A {@link BadJwtException}, so that the bearer-token filter hands it
     * to {@link OutcomeWriting#entryPoint()} (which answers 503) instead of rethrowing it as a server error.
     */
    static final class NotConfirmed extends BadJwtException {
        NotConfirmed() {
            super("the token issuer could not confirm the token");
        }
    }

    private static OAuth2TokenValidator<Jwt> audience(String audience) {
        return jwt -> jwt.getAudience() != null && jwt.getAudience().contains(audience)
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error(
                        "invalid_token",
                        "the token is not meant for this hub (audience " + audience + " missing)",
                        null));
    }

    private static OAuth2TokenValidator<Jwt> required(String claim, String message) {
        return jwt -> jwt.hasClaim(claim)
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", message, null));
    }

    /**
     * 401 and 403 from the security filters as OperationOutcomes, keeping the Bearer challenge header;
     * a FHIR request refused for its token is audited.
     */
    private record OutcomeWriting(FhirContext fhirContext, RejectedTokens audit) {

        AuthenticationEntryPoint entryPoint() {
            BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
            return (request, response, failure) -> {
                String reason = request.getHeader("Authorization") == null ? "no token" : reason(failure);
                if (request.getRequestURI().startsWith("/fhir")) {
                    audit.recordRejectedToken(request, reason);
                }
                if (causedBy(failure, NotConfirmed.class)) {
                    // not the token's fault: no challenge, the client should retry rather than sign in again
                    response.setStatus(503);
                    response.setHeader("Retry-After", "5");
                    write(
                            response,
                            OperationOutcome.IssueType.TRANSIENT,
                            "アクセストークンを確認できません (the token issuer "
                                    + "could not be reached to confirm the access token; try again shortly)");
                    return;
                }
                challenge.commence(request, response, failure);
                write(
                        response,
                        OperationOutcome.IssueType.LOGIN,
                        request.getHeader("Authorization") == null
                                ? "アクセストークンが必要です (a bearer access token is required)"
                                : "アクセストークンが無効です (the access token was rejected: " + reason + ")");
            };
        }

        AccessDeniedHandler deniedHandler() {
            BearerTokenAccessDeniedHandler challenge = new BearerTokenAccessDeniedHandler();
            return (request, response, failure) -> {
                challenge.handle(request, response, failure);
                write(response, OperationOutcome.IssueType.FORBIDDEN, "この操作は許可されていません (not allowed)");
            };
        }

        private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }

        /** Why a token failed, in words that name no claim values. */
        private static String reason(Exception failure) {
            StringBuilder text = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                text.append(' ').append(t.getMessage());
                if (t instanceof OAuth2AuthenticationException oauth
                        && oauth.getError().getDescription() != null) {
                    text.append(' ').append(oauth.getError().getDescription());
                }
            }
            String message = text.toString();
            for (String known : List.of(
                    "no longer active",
                    "could not confirm",
                    "expired",
                    "iss claim",
                    "issuer",
                    "audience",
                    "signature",
                    "Signed JWT rejected",
                    "no expiry",
                    "no subject",
                    "Malformed",
                    "not before")) {
                if (message.contains(known)) {
                    return switch (known) {
                        case "no longer active" -> "no longer active";
                        case "could not confirm" -> "not confirmed by the issuer";
                        case "expired" -> "expired";
                        case "iss claim", "issuer" -> "wrong issuer";
                        case "audience" -> "wrong audience";
                        case "signature", "Signed JWT rejected" -> "signature not verified";
                        case "no expiry" -> "no expiry";
                        case "no subject" -> "no subject";
                        case "not before" -> "not yet valid";
                        default -> "malformed";
                    };
                }
            }
            return "invalid";
        }

        private void write(
                jakarta.servlet.http.HttpServletResponse response, OperationOutcome.IssueType code, String diagnostics)
                throws java.io.IOException {
            OperationOutcome outcome = new OperationOutcome();
            outcome.addIssue()
                    .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(code)
                    .setDiagnostics(diagnostics);
            byte[] body =
                    fhirContext.newJsonParser().encodeResourceToString(outcome).getBytes(StandardCharsets.UTF_8);
            response.setContentType("application/fhir+json;charset=UTF-8");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
