package jp.renkei.hub.sign;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stored signed record that no longer matches its signature (or lost it): the hub will not serve it. A 500,
 * because the fault is in what the hub holds, not in the request; unlike other 500s its OperationOutcome says
 * precisely what failed, so the reader knows the record itself is in question.
 */
public final class TamperedRecordException extends BaseServerResponseException {

    private static final Logger log = LoggerFactory.getLogger(TamperedRecordException.class);

    public TamperedRecordException(String message) {
        super(500, message, outcome(message));
    }

    /**
     * The refusal of a stored record that failed its integrity check, logged by id (never by content).
     *
     * @param why    what failed, naming no patient data
     * @param report the operation that reports the details ({@code $verify}, {@code $verify-audit-chain})
     */
    public static TamperedRecordException refused(StoredResource stored, String why, String report) {
        String record = stored.type() + "/" + stored.id() + "/_history/" + stored.version();
        log.error("Integrity check failed for {}: {}", record, why);
        return new TamperedRecordException("改ざんの疑いがあるため提供できません: " + record + " は完全性の検査に合格しませんでした"
                + " (the record failed its integrity check and is not served: " + why + "). " + report
                + " reports the details;"
                + " the hub's operator has been alerted in the log");
    }

    private static OperationOutcome outcome(String message) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.FATAL)
                .setCode(OperationOutcome.IssueType.EXCEPTION)
                .setDiagnostics(message);
        return outcome;
    }
}
