package jp.renkei.hub.consent;

import ca.uhn.fhir.context.FhirContext;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jp.renkei.hub.search.SearchParameterRegistry;
import jp.renkei.hub.search.SearchQuery;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Consent;
import org.springframework.stereotype.Component;

/**
 * A patient's Consents as stored now, read afresh for every request so that a status change
 * (revoked, rejected, entered in error) counts from the very next request.
 */
@Component
public class PatientConsents {

    private final ResourceStore store;
    private final SearchExecutor searches;
    private final SearchParameterRegistry registry;
    private final FhirContext fhirContext;

    public PatientConsents(ResourceStore store, SearchExecutor searches, SearchParameterRegistry registry,
                           FhirContext fhirContext) {
        this.store = store;
        this.searches = searches;
        this.registry = registry;
        this.fhirContext = fhirContext;
    }

    public List<Consent> of(String patient) {
        SearchQuery query = SearchQuery.parse("Consent", Map.of("patient", new String[] {"Patient/" + patient}),
                registry, ZoneOffset.UTC);
        List<Consent> consents = new ArrayList<>();
        for (StoredResource stored : store.readCurrent("Consent", new ArrayList<>(searches.search(query)), true)) {
            if (!stored.deleted()) {
                consents.add(fhirContext.newJsonParser().parseResource(Consent.class, stored.json()));
            }
        }
        return consents;
    }
}
