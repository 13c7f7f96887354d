package jp.renkei.hub.access;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
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

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        Set<String> roles = new LinkedHashSet<>();
        Object claimed = jwt.getClaims().get("roles");
        if (claimed == null && jwt.getClaims().get("realm_access") instanceof Map<?, ?> realm) {
            claimed = realm.get("roles");
        }
        if (claimed instanceof Collection<?> values) {
            values.stream().map(String::valueOf).filter(policy::isRole).forEach(roles::add);
        }
        Caller caller = new Caller(jwt.getSubject(),
                firstNonNull(jwt.getClaimAsString("preferred_username"), jwt.getSubject()),
                jwt.getClaimAsString("azp"), roles,
                jwt.getClaimAsString("practitioner"), jwt.getClaimAsString("practitioner_role"),
                jwt.getClaimAsString("organization"), jwt.getClaimAsString("patient"),
                jwt.getClaimAsString("related_person"),
                SmartScopes.parse(firstNonNull(jwt.getClaimAsString("scope"), jwt.getClaimAsString("scp"))),
                policy.purposeOf(roles), false);
        return new CallerAuthentication(jwt, caller);
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
