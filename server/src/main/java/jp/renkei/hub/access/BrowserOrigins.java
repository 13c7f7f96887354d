package jp.renkei.hub.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.filter.CorsFilter;

/**
 * The origins of browser apps served from elsewhere ({@code renkei.web.origins}, exact {@code scheme://host[:port]})
 * that may call the FHIR API and open the notification socket. A page of the hub's own origin needs no entry.
 * No wildcard: any site could then read what a stolen or phished bearer token opens. No credentials mode either:
 * the hub is called with bearer tokens, never cookies, so a browser has nothing to send on its own.
 *
 * @param origins the listed origins; empty: only same-origin pages
 */
@ConfigurationProperties("renkei.web")
public record BrowserOrigins(List<String> origins) {

    /** What a FHIR client sends beyond the headers every browser may send anyway. */
    static final List<String> REQUEST_HEADERS = List.of(
            "Authorization",
            "Content-Type",
            "Accept",
            "If-Match",
            "If-None-Match",
            "If-None-Exist",
            "Prefer",
            "X-Request-ID");
    /** What the hub answers with that a client reads: versions, where a record went, why it was refused. */
    static final List<String> RESPONSE_HEADERS = List.of(
            "ETag",
            "Location",
            "Content-Location",
            "Last-Modified",
            "Content-Disposition",
            "X-Request-ID",
            "WWW-Authenticate",
            "Retry-After");

    static final Duration PREFLIGHT_MAX_AGE = Duration.ofMinutes(30);

    public BrowserOrigins {
        List<String> checked = new ArrayList<>();
        for (String origin : origins == null ? List.<String>of() : origins) {
            if (origin != null && !origin.isBlank()) {
                checked.add(check(origin.strip()));
            }
        }
        origins = List.copyOf(checked);
    }

    private static String check(String origin) {
        if (origin.contains("*")) {
            throw new IllegalStateException(
                    "renkei.web.origins (RENKEI_WEB_ORIGINS) lists '" + origin + "': wildcards are "
                            + "not accepted; list the exact origin of each browser app, e.g. http://127.0.0.1:5173 "
                            + "(docs/security.md, Browser origins)");
        }
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            uri = null;
        }
        boolean exact = uri != null
                && uri.getScheme() != null
                && uri.getHost() != null
                && uri.getRawUserInfo() == null
                && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                && uri.getRawQuery() == null
                && uri.getRawFragment() == null
                && List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT));
        if (!exact) {
            throw new IllegalStateException(
                    "renkei.web.origins (RENKEI_WEB_ORIGINS) lists '" + origin + "', which is not "
                            + "an origin: scheme://host[:port] with http or https and nothing after it (no path, not even '/'), "
                            + "as a browser sends it, e.g. http://127.0.0.1:5173");
        }
        return origin;
    }

    /**
     * Spring's CORS filter for the security filter chain: the FHIR API (with {@code /fhir/metadata} and the SMART
     * configuration) answers listed origins; a preflight is answered without a token. A request from any other
     * origin is refused with 403 before it reaches anything else.
     */
    CorsFilter corsFilter() {
        CorsFilter filter = new CorsFilter(source());
        filter.setCorsProcessor(new Refusing());
        return filter;
    }

    CorsConfigurationSource source() {
        CorsConfiguration fhir = new CorsConfiguration();
        fhir.setAllowedOrigins(origins);
        fhir.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"));
        fhir.setAllowedHeaders(REQUEST_HEADERS);
        fhir.setExposedHeaders(RESPONSE_HEADERS);
        fhir.setAllowCredentials(false);
        fhir.setMaxAge(PREFLIGHT_MAX_AGE);
        return request -> isFhir(request) ? fhir : null;
    }

    /**
     * The FHIR API, told from the container's decoded and normalised mapping; Spring's path-pattern source would match the
     * path within the servlet ({@code /Patient}), which cannot tell {@code /fhir/Patient} from other servlets' paths.
     */
    private static boolean isFhir(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.equals("/fhir") || path.startsWith("/fhir/");
    }

    /** Refuses through {@code sendError}, so that the error valve answers an OperationOutcome (Spring writes plain text). */
    private static final class Refusing extends DefaultCorsProcessor {
        @Override
        protected void rejectRequest(ServerHttpResponse response) throws IOException {
            if (response instanceof ServletServerHttpResponse servlet) {
                servlet.getServletResponse().sendError(HttpServletResponse.SC_FORBIDDEN);
            } else {
                super.rejectRequest(response);
            }
        }
    }
}
