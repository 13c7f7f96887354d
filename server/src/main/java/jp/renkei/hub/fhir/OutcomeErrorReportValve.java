package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Tomcat's answer to an error that no servlet wrote a body for: a request refused before any servlet
 * ran (malformed request line, URL or headers too long), every {@code sendError} outside the FHIR
 * servlet (unknown path, wrong method) and an error status left without a body. Instead of Tomcat's HTML page it answers an OperationOutcome,
 * in XML when {@code _format} or Accept asks for XML, else JSON. Replaces Tomcat's ErrorReportValve on
 * the host, so it also sees requests that never reached the application.
 */
final class OutcomeErrorReportValve extends ErrorReportValve {

    private final FhirContext fhirContext;

    OutcomeErrorReportValve(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    @Override
    protected void report(Request request, Response response, Throwable failure) {
        int status = response.getStatus();
        // Tomcat's valve answers only sendError; an error status set with no body (actuator's unknown health
        // group) gets an outcome too. Whatever wrote a body (HAPI, the security filters) keeps it.
        if (status < 400 || response.getContentWritten() > 0 || (response.isError() && !response.setErrorReported())) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        ContainerError error = ContainerError.of(request, status, failure);
        String diagnostics = error.status() >= 500 && error.status() != 503
                ? ErrorTranslation.incident(where(request), failure).getMessage()
                : error.diagnostics();
        OperationOutcome outcome = OperationOutcomes.outcome(error.code(), diagnostics);
        boolean xml = wantsXml(request.getQueryString(), request.getHeader("Accept"));
        String body = (xml ? fhirContext.newXmlParser() : fhirContext.newJsonParser()).encodeResourceToString(outcome);
        try {
            response.setStatus(error.status());
            response.setContentType(xml ? "application/fhir+xml;charset=utf-8" : "application/fhir+json;charset=utf-8");
            response.setContentLength(body.getBytes(StandardCharsets.UTF_8).length);
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was committed meanwhile: nothing more can be said
        }
    }

    /** Method and path for the incident log: never the query, which may name patients. */
    private static String where(Request request) {
        return request.getCoyoteRequest().requestURI().isNull()
                ? "(request line not parsed)"
                : request.getMethod() + " " + request.getRequestURI();
    }

    /** {@code _format} decides if present (FHIR's rule), else the first FHIR format named in Accept. */
    static boolean wantsXml(String query, String accept) {
        String format = formatParameter(query);
        if (format != null) {
            return format.toLowerCase(Locale.ROOT).contains("xml");
        }
        if (accept != null) {
            for (String range : accept.split(",")) {
                String type = range.split(";")[0].trim().toLowerCase(Locale.ROOT);
                if (type.endsWith("xml")) {
                    return true;
                }
                if (type.endsWith("json")) {
                    return false;
                }
            }
        }
        return false;
    }

    private static String formatParameter(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("_format=")) {
                try {
                    return URLDecoder.decode(pair.substring("_format=".length()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException malformed) {
                    return null;
                }
            }
        }
        return null;
    }
}
