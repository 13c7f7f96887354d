package jp.renkei.hub.print;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * 503: the hub cannot print because no usable Japanese font is installed. The OperationOutcome says,
 * in Japanese and English, which font files were looked for and how to install one; it is a setup
 * problem of the hub, not a failure of the request, so it is never answered as a 500.
 */
final class FontUnavailable extends BaseServerResponseException {

    public static final int STATUS = 503;

    FontUnavailable(String diagnostics) {
        super(STATUS, diagnostics, outcome(diagnostics));
    }

    private static OperationOutcome outcome(String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.NOTFOUND)
                .setDiagnostics(diagnostics);
        return outcome;
    }
}
