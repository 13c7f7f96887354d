package jp.renkei.hub.consent;

import java.util.List;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import org.hl7.fhir.r4.model.Consent;
import org.springframework.stereotype.Component;

/**
 * A patient's Consents as stored now, read afresh for every request so that a status change
 * (revoked, rejected, entered in error) counts from the very next request.
 */
@Component
public class PatientConsents {

    private final SearchExecutor searches;
    private final Records records;

    public PatientConsents(SearchExecutor searches, Records records) {
        this.searches = searches;
        this.records = records;
    }

    public List<Consent> of(String patient) {
        // Only privacy Consents decide access, and only they pass (and are held to) the integrity checks here: an
        // advance
        // directive changed in the database is refused wherever it is read, but must not close the patient's whole
        // record.
        return searches.aboutPatient("Consent", patient, true).stream()
                .filter(stored -> ConsentEvaluator.isPrivacy((Consent) records.unchecked(stored)))
                .map(stored -> records.resource(stored, Consent.class))
                .toList();
    }
}
