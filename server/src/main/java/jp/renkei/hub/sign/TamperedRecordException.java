package jp.renkei.hub.sign;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A stored signed record that no longer matches its signature (or lost it): the hub will not serve it. A 500,
 * because the fault is in what the hub holds, not in the request; unlike other 500s its OperationOutcome says
 * precisely what failed, so the reader knows the record itself is in question.
 */
public final class TamperedRecordException extends BaseServerResponseException {

    public TamperedRecordException(String message) {
        super(500, message, outcome(message));
    }

    private static OperationOutcome outcome(String message) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.FATAL).setCode(OperationOutcome.IssueType.EXCEPTION)
                .setDiagnostics(message);
        return outcome;
    }
}
