package jp.renkei.hub.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.core.io.Resource;
import org.springframework.web.servlet.resource.PathResourceResolver;
import org.springframework.web.servlet.resource.ResourceResolverChain;

/**
 * The app's own routes ({@code /app/patients/123}) are not files: a path under {@code /app/} that names no built
 * file answers {@code index.html}, whose router then shows the page. Missing assets stay 404, so a stale hashed
 * script is an error the browser reports, not an HTML page it fails to run.
 */
final class ClientRoutes extends PathResourceResolver {

    @Override
    protected Resource resolveResourceInternal(
            HttpServletRequest request,
            String requestPath,
            List<? extends Resource> locations,
            ResourceResolverChain chain) {
        Resource file = super.resolveResourceInternal(request, requestPath, locations, chain);
        if (file != null || requestPath.startsWith("assets/")) {
            return file;
        }
        return super.resolveResourceInternal(request, "index.html", locations, chain);
    }
}
