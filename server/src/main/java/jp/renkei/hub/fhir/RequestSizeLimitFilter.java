package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the configured limit with 413 before any of it is parsed. Bodies
 * without a Content-Length (chunked) are read up to the limit, so no size can slip through.
 */
final class RequestSizeLimitFilter extends OncePerRequestFilter {

    private final long limit;
    private final FhirContext fhirContext;

    RequestSizeLimitFilter(long limit, FhirContext fhirContext) {
        this.limit = limit;
        this.fhirContext = fhirContext;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            tooLarge(response);
            return;
        }
        if (declared >= 0) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), limit + 1);
        if (body.length > limit) {
            tooLarge(response);
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        OperationOutcomes.write(
                response,
                fhirContext,
                413,
                IssueType.TOOLONG,
                "Request body is larger than the limit of " + limit + " bytes (renkei.fhir.max-request-size)");
    }

    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < max && (n = in.read(buffer, 0, (int) Math.min(buffer.length, max - out.size()))) > 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }
            };
        }
    }
}
