package jp.renkei.hub.print;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives a {@code $pdf} answer its file name. HAPI streams a returned Binary with a bare
 * {@code Content-Disposition: Attachment;} that it sets itself just before writing; this filter's
 * response wrapper replaces that value with {@code attachment; filename=…; filename*=UTF-8''…} once the
 * operation has named the file (request attribute {@link #FILE_NAME}). Other requests pass untouched.
 */
final class DownloadName extends OncePerRequestFilter {

    static final String FILE_NAME = DownloadName.class.getName() + ".fileName";
    static final String ASCII_NAME = DownloadName.class.getName() + ".asciiName";
    private static final String HEADER = "Content-Disposition";

    /** Remembers the names for this request: an ASCII fallback and the Japanese name. */
    static void name(HttpServletRequest request, String asciiName, String fileName) {
        request.setAttribute(ASCII_NAME, asciiName);
        request.setAttribute(FILE_NAME, fileName);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return !(uri.endsWith("/$pdf") || uri.endsWith("/%24pdf"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, new HttpServletResponseWrapper(response) {
            @Override
            public void setHeader(String name, String value) {
                super.setHeader(name, rename(request, name, value));
            }

            @Override
            public void addHeader(String name, String value) {
                if (HEADER.equalsIgnoreCase(name) && request.getAttribute(FILE_NAME) != null) {
                    super.setHeader(name, rename(request, name, value));
                } else {
                    super.addHeader(name, value);
                }
            }
        });
    }

    private static String rename(HttpServletRequest request, String name, String value) {
        Object fileName = request.getAttribute(FILE_NAME);
        if (!HEADER.equalsIgnoreCase(name) || fileName == null) {
            return value;
        }
        String encoded =
                URLEncoder.encode(fileName.toString(), StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + request.getAttribute(ASCII_NAME) + "\"; filename*=UTF-8''" + encoded;
    }
}
