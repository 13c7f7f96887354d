package jp.renkei.hub.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * What a SMART on FHIR client needs to find the authorization server: the CapabilityStatement's
 * {@code rest.security} and {@code /fhir/.well-known/smart-configuration}, both naming the
 * configured Keycloak realm's endpoints.
 */
public final class SmartConfiguration {

    private final AuthProperties auth;

    public SmartConfiguration(AuthProperties auth) {
        this.auth = auth;
    }

    private String endpoint(String name) {
        return auth.issuer() + "/protocol/openid-connect/" + name;
    }

    public CapabilityStatementRestSecurityComponent security() {
        CapabilityStatementRestSecurityComponent security = new CapabilityStatementRestSecurityComponent();
        security.addService(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")));
        Extension uris =
                security.addExtension().setUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        uris.addExtension("authorize", new UriType(endpoint("auth")));
        uris.addExtension("token", new UriType(endpoint("token")));
        security.setDescription(
                "OAuth2 bearer access tokens issued by " + auth.issuer() + " (audience " + auth.audience()
                        + "). Access is decided by profession, organisation and relation to the patient; SMART v2 scopes only"
                        + " narrow it. 認証: Keycloak のアクセストークン。職種・所属・患者との関係で判定します。");
        return security;
    }

    Map<String, Object> wellKnown() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("issuer", auth.issuer());
        config.put("jwks_uri", auth.jwksUri());
        config.put("authorization_endpoint", endpoint("auth"));
        config.put("token_endpoint", endpoint("token"));
        // not SMART's, but OpenID's: with them a browser client needs no second metadata document before signing in or
        // out
        config.put("end_session_endpoint", endpoint("logout"));
        config.put("revocation_endpoint", endpoint("revoke"));
        config.put("grant_types_supported", List.of("authorization_code", "client_credentials"));
        config.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        config.put("code_challenge_methods_supported", List.of("S256"));
        config.put(
                "scopes_supported",
                List.of(
                        "openid",
                        "fhirUser",
                        "patient/*.rs",
                        "user/*.rs",
                        "user/*.cruds",
                        "user/DocumentReference.cruds"));
        config.put(
                "capabilities",
                List.of(
                        "launch-standalone",
                        "client-public",
                        "client-confidential-symmetric",
                        "sso-openid-connect",
                        "permission-v2",
                        "permission-patient",
                        "permission-user"));
        return config;
    }

    /** Serves {@link #wellKnown()}; public, like the CapabilityStatement. */
    HttpServlet servlet() {
        byte[] body;
        try {
            body = new ObjectMapper().writeValueAsBytes(wellKnown());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("application/json");
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
            }
        };
    }
}
