package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** OperationOutcome answers: written outside HAPI's own exception handling (servlet filters, Tomcat's error valve), or carried by a 400. */
final class OperationOutcomes {

    private OperationOutcomes() {
    }

    /** A 400 whose OperationOutcome names the specific issue and, when known, the element at fault (a FHIRPath). */
    static InvalidRequestException invalid(IssueType code, String expression, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        var issue = outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(code).setDiagnostics(diagnostics);
        if (expression != null) {
            issue.addExpression(expression);
        }
        return new InvalidRequestException(diagnostics, outcome);
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
