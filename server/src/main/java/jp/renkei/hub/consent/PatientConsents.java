package jp.renkei.hub.consent;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
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
    private final FhirContext fhirContext;

    public PatientConsents(SearchExecutor searches, FhirContext fhirContext) {
        this.searches = searches;
        this.fhirContext = fhirContext;
    }

    public List<Consent> of(String patient) {
        return searches.aboutPatient("Consent", patient, true).stream()
                .map(stored -> fhirContext.newJsonParser().parseResource(Consent.class, stored.json())).toList();
    }
}
