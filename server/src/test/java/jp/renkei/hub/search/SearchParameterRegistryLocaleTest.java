package jp.renkei.hub.search;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.Locale;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;
import org.junit.jupiter.api.Test;

/**
 * The search parameters' types come out the same whatever the JVM's default locale: in Turkish, "STRING" in lower case
 * is "strıng" (dotless i), which is no FHIR search parameter type, and the hub would not start.
 */
class SearchParameterRegistryLocaleTest {

    @Test
    void aTurkishDefaultLocaleStillReadsTheCapabilityStatementInput() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            // a context of its own, as a hub on such a JVM has: HAPI keys its resource names in the locale it starts in
            SearchParameterRegistry registry = new SearchParameterRegistry(FhirContext.forR4());
            assertThat(registry.capabilityInput().getRestFirstRep().getResource().stream()
                            .filter(r -> r.getType().equals("Patient"))
                            .findFirst()
                            .orElseThrow()
                            .getSearchParam())
                    .filteredOn(p -> p.getName().equals("name"))
                    .singleElement()
                    .satisfies(p -> assertThat(p.getType()).isEqualTo(SearchParamType.STRING));
        } finally {
            Locale.setDefault(before);
        }
    }
}
