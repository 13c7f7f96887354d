package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Tomcat refuses some URLs before any filter or servlet sees them (an encoded {@code /} or a NUL in the path); its
 * error report would be an HTML page. The hub's answers it as an OperationOutcome, like every other error.
 */
final class OutcomeErrorReportValve extends ErrorReportValve {

    private final FhirContext fhirContext;

    private OutcomeErrorReportValve(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    /**
     * Puts this valve in place of the host's error report valves. Ordered last, so that it runs after Spring Boot's own
     * customizer, which adds one of Tomcat's.
     */
    record Installer(FhirContext fhirContext) implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Pipeline host = context.getParent().getPipeline();
                for (Valve valve : host.getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        host.removeValve(valve);
                    }
                }
                host.addValve(new OutcomeErrorReportValve(fhirContext));
                // on start the host adds a valve of this class unless one is present, Tomcat's own by default
                ((StandardHost) context.getParent()).setErrorReportValveClass(OutcomeErrorReportValve.class.getName());
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(status >= 500 ? IssueType.EXCEPTION : IssueType.INVALID)
                .setDiagnostics(status >= 500 ? "内部エラーが発生しました (internal error)"
                        : "リクエストを処理できません (the request was refused before it reached the FHIR server: its URL is"
                                + " malformed, or contains an encoded '/' or a control character; HTTP status " + status + ")");
        try {
            response.setContentType("application/fhir+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(fhirContext.newJsonParser().encodeResourceToString(outcome));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the response was already under way: nothing more can be said
        }
    }
}
