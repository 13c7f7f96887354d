package jp.renkei.hub.access;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.context.SmartScopes;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Reads a Keycloak access token of realm {@code renkei} into a {@link Caller}: roles from the
 * top-level {@code roles} claim (or {@code realm_access.roles}), keeping only roles the access
 * policy knows; FHIR identities from the claims the realm's {@code renkei-identity} scope emits.
 */
final class JwtCallerConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    private final AccessPolicy policy;

    JwtCallerConverter(AccessPolicy policy) {
        this.policy = policy;
    }

    /** The claims a Caller is read from; kept with a Subscription to judge for its owner later. */
    static final List<String> IDENTITY_CLAIMS = List.of(
            "sub",
            "preferred_username",
            "azp",
            "roles",
            "realm_access",
            "practitioner",
            "practitioner_role",
            "organization",
            "patient",
            "related_person",
            "scope",
            "scp",
            "family_name",
            "given_name",
            "name");

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        return new CallerAuthentication(jwt, caller(jwt.getClaims(), policy));
    }

    /** A new Caller (nothing remembered yet) from a token's claims. */
    static Caller caller(Map<String, Object> claims, AccessPolicy policy) {
        Set<String> roles = new LinkedHashSet<>();
        Object claimed = claims.get("roles");
        if (claimed == null && claims.get("realm_access") instanceof Map<?, ?> realm) {
            claimed = realm.get("roles");
        }
        if (claimed instanceof Collection<?> values) {
            values.stream().map(String::valueOf).filter(policy::isRole).forEach(roles::add);
        }
        String subject = string(claims, "sub");
        return new Caller(
                subject,
                firstNonNull(string(claims, "preferred_username"), subject),
                personName(claims),
                string(claims, "azp"),
                roles,
                string(claims, "practitioner"),
                string(claims, "practitioner_role"),
                string(claims, "organization"),
                string(claims, "patient"),
                string(claims, "related_person"),
                SmartScopes.parse(firstNonNull(string(claims, "scope"), string(claims, "scp"))),
                policy.purposeOf(roles),
                false);
    }

    /** 姓 名 from {@code family_name} and {@code given_name}, else {@code name}; null when the token names no one. */
    private static String personName(Map<String, Object> claims) {
        String family = claims.get("family_name") instanceof String f ? f.trim() : "";
        String given = claims.get("given_name") instanceof String g ? g.trim() : "";
        String name = (family + " " + given).trim();
        if (!name.isEmpty()) {
            return name;
        }
        return claims.get("name") instanceof String n && !n.isBlank() ? n.trim() : null;
    }

    private static String string(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        if (value instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" "));
        }
        return value == null ? null : String.valueOf(value);
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
