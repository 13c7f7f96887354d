package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * OperationOutcome answers: written outside HAPI's own exception handling (servlet filters, Tomcat's error valve), carried by
 * a 400, or given to an error that has none with the issue code its status means.
 */
final class OperationOutcomes {

    private OperationOutcomes() {}

    /** A 400 whose OperationOutcome names the specific issue and, when known, the element at fault (a FHIRPath). */
    static InvalidRequestException invalid(IssueType code, String expression, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        var issue = outcome.addIssue()
                .setSeverity(IssueSeverity.ERROR)
                .setCode(code)
                .setDiagnostics(diagnostics);
        if (expression != null) {
            issue.addExpression(expression);
        }
        return new InvalidRequestException(diagnostics, outcome);
    }

    /**
     * The issue code an error status means (operationoutcome.html, IssueType), for errors that do not name a more specific
     * one themselves: HAPI FHIR would say {@code processing} for every one.
     */
    static IssueType codeFor(int status) {
        return switch (status) {
            case 400 -> IssueType.INVALID;
            case 401 -> IssueType.LOGIN;
            case 403 -> IssueType.FORBIDDEN;
            case 404 -> IssueType.NOTFOUND;
            case 405, 406, 415, 501 -> IssueType.NOTSUPPORTED;
            case 409, 412 -> IssueType.CONFLICT;
            case 410 -> IssueType.DELETED;
            case 413, 414, 431 -> IssueType.TOOLONG;
            case 422 -> IssueType.BUSINESSRULE;
            case 429 -> IssueType.THROTTLED;
            case 503 -> IssueType.TRANSIENT;
            default -> status >= 500 ? IssueType.EXCEPTION : IssueType.PROCESSING;
        };
    }

    /** The outcome an error carries; one without gets an error issue with its message and the code its status means. */
    static OperationOutcome of(BaseServerResponseException error) {
        if (error.getOperationOutcome() instanceof OperationOutcome outcome && outcome.hasIssue()) {
            return outcome;
        }
        return outcome(codeFor(error.getStatusCode()), error.getMessage());
    }

    /** An information issue telling what was done, for {@code Prefer: return=OperationOutcome} and answers without a body. */
    static OperationOutcome information(String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(IssueSeverity.INFORMATION)
                .setCode(IssueType.INFORMATIONAL)
                .setDiagnostics(diagnostics);
        return outcome;
    }

    static void write(
            HttpServletResponse response, FhirContext fhirContext, int status, IssueType code, String diagnostics)
            throws IOException {
        OperationOutcome outcome = outcome(code, diagnostics);
        response.setStatus(status);
        response.setContentType("application/fhir+json;charset=utf-8");
        response.getOutputStream()
                .write(fhirContext
                        .newJsonParser()
                        .encodeResourceToString(outcome)
                        .getBytes(StandardCharsets.UTF_8));
    }

    static OperationOutcome outcome(IssueType code, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(code).setDiagnostics(diagnostics);
        return outcome;
    }
}
