package jp.renkei.hub.access;

import jp.renkei.hub.context.Caller;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

/** A verified access token and the {@link Caller} read from it. */
final class CallerAuthentication extends AbstractAuthenticationToken {

    private final transient Jwt token;
    private final transient Caller caller;

    CallerAuthentication(Jwt token, Caller caller) {
        super(caller.roles().stream()
                .map(r -> new SimpleGrantedAuthority("ROLE_" + r))
                .toList());
        this.token = token;
        this.caller = caller;
        setAuthenticated(true);
    }

    Caller caller() {
        return caller;
    }

    @Override
    public Object getCredentials() {
        return token;
    }

    @Override
    public Object getPrincipal() {
        return caller.subject();
    }

    @Override
    public String getName() {
        return caller.subject();
    }
}
