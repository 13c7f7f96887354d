package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.r4.model.OperationOutcome;

/** A 422 whose OperationOutcome names the element at fault by its FHIRPath ({@code issue.expression}). */
public final class Unprocessable {

    private Unprocessable() {}

    public static UnprocessableEntityException at(
            FhirContext fhirContext, String expression, OperationOutcome.IssueType code, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(code)
                .setDiagnostics(diagnostics)
                .addExpression(expression);
        return new UnprocessableEntityException(fhirContext, outcome);
    }
}
