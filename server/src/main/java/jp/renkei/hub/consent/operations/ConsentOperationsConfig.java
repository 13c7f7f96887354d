package jp.renkei.hub.consent.operations;

import ca.uhn.fhir.context.FhirContext;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.consent.BreakGlassGrants;
import jp.renkei.hub.fhir.FhirProperties;
import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.fhir.SealingRule;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.SearchExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Declaring an emergency (break-glass: the operation and its notices) and withdrawing Consents. */
@Configuration(proxyBeanMethods = false)
public class ConsentOperationsConfig {

    @Bean
    BreakGlassNotice breakGlassNotice(ResourceStore store, SearchExecutor searches, FhirContext fhirContext,
                                      FhirProperties properties) {
        return new BreakGlassNotice(store, searches, fhirContext, properties.timeZone());
    }

    @Bean
    BreakGlassOperation breakGlassOperation(AccessGuard guard, ResourceStore store, BreakGlassGrants grants,
                                            BreakGlassNotice notice, SearchExecutor searches, FhirContext fhirContext) {
        return new BreakGlassOperation(guard, store, grants, notice, searches, fhirContext);
    }

    @Bean
    ConsentRevocation consentRevocation(AccessGuard guard, ResourceStore store, ConsentRecording recording,
                                        ResourceOperations operations, SealingRule sealing) {
        return new ConsentRevocation(guard, store, recording, operations, sealing);
    }
}
