package jp.renkei.hub.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Content-Security-Policy of the app's responses. Scripts come only from the hub ({@code script-src 'self'},
 * no inline script: the built index.html has none). The app talks to the hub ({@code 'self'} and its notification
 * socket on the same host, named as {@code ws:}/{@code wss:} too for browsers before CSP 3) and to the token issuer
 * (discovery, token exchange and refresh); sign-in and sign-out are top-level navigations, which CSP does not
 * govern. The app may not be framed, embed plugins or change its base URL. The app shell's service worker and its
 * manifest come from the hub alone ({@code worker-src 'self'; manifest-src 'self'}, named although {@code default-src}
 * would cover them, so that widening {@code default-src} never widens them).
 *
 * <p>{@code style-src} needs {@code 'unsafe-inline'}: Mantine writes {@code <style>} elements at run time (the
 * theme's CSS variables, its global classes, responsive style props), which CSP counts as inline styles. A nonce
 * would cover them only if the hub wrote a fresh one into every index.html; an inline style cannot run script, so
 * the protection that matters, no inline or foreign script, stays whole.
 */
final class ContentSecurityPolicy {

    // Tomcat has already checked the Host header; this keeps anything unexpected out of a response header all the same.
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+\\]");

    private final String fixedStart;
    private final String fixedEnd;

    ContentSecurityPolicy(String issuer) {
        String issuerOrigin = origin(issuer);
        this.fixedStart =
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                        + "font-src 'self' data:; connect-src 'self'"
                        + (issuerOrigin == null ? "" : " " + issuerOrigin);
        this.fixedEnd =
                "; worker-src 'self'; manifest-src 'self'; frame-src 'none'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
                        + (issuerOrigin == null ? "" : " " + issuerOrigin);
    }

    String header(HttpServletRequest request) {
        String host = request.getServerName();
        if (host == null || !HOST.matcher(host).matches()) {
            return fixedStart + fixedEnd;
        }
        int port = request.getServerPort();
        String authority = host + (port > 0 && port != 80 && port != 443 ? ":" + port : "");
        return fixedStart + " ws://" + authority + " wss://" + authority + fixedEnd;
    }

    /** scheme://host[:port] of an absolute http(s) URL, or null. */
    static String origin(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            URI uri = URI.create(url.trim());
            String scheme = uri.getScheme();
            if (uri.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                return null;
            }
            return scheme.toLowerCase(Locale.ROOT) + "://" + uri.getHost()
                    + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
