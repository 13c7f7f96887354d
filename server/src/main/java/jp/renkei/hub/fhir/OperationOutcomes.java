package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** OperationOutcome answers written outside HAPI's own exception handling (servlet filters, Tomcat's error valve). */
final class OperationOutcomes {

    private OperationOutcomes() {
    }

    static void write(HttpServletResponse response, FhirContext fhirContext, int status, IssueType code,
                      String diagnostics) throws IOException {
        OperationOutcome outcome = outcome(code, diagnostics);
        response.setStatus(status);
        response.setContentType("application/fhir+json;charset=utf-8");
        response.getOutputStream().write(fhirContext.newJsonParser().encodeResourceToString(outcome)
                .getBytes(StandardCharsets.UTF_8));
    }

    static OperationOutcome outcome(IssueType code, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(code).setDiagnostics(diagnostics);
        return outcome;
    }
}
