package jp.renkei.hub.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/** The security headers of every response under {@code /app}: the {@link ContentSecurityPolicy} and no referrer. */
final class AppHeaders extends OncePerRequestFilter {

    private final ContentSecurityPolicy policy;

    AppHeaders(ContentSecurityPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", policy.header(request));
        // the authorization response's code and state are in the URL of /app/ after sign-in: never send it on
        response.setHeader("Referrer-Policy", "no-referrer");
        chain.doFilter(request, response);
    }
}
