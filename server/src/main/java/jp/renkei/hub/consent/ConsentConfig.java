package jp.renkei.hub.consent;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.client.MongoClient;
import java.time.Duration;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.fhir.FhirProperties;
import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.fhir.SealingRule;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoreProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Emergency access (its grants, kept for {@code renkei.break-glass.duration}, notices and operation)
 * and the withdrawal of Consents.
 */
@Configuration(proxyBeanMethods = false)
public class ConsentConfig {

    @Bean
    BreakGlassGrants breakGlassGrants(MongoClient client, StoreProperties store,
                                      @Value("${renkei.break-glass.duration:60m}") Duration duration) {
        return new BreakGlassGrants(client.getDatabase(store.database()), duration);
    }

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
