package jp.renkei.hub.consent.operations;

import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.consent.BreakGlassGrants;
import jp.renkei.hub.fhir.FhirProperties;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.Writes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Declaring an emergency (break-glass: the operation and its notices) and withdrawing Consents. */
@Configuration(proxyBeanMethods = false)
class ConsentOperationsConfig {

    @Bean
    BreakGlassNotice breakGlassNotice(
            Records records, Writes writes, SearchExecutor searches, FhirProperties properties) {
        return new BreakGlassNotice(records, writes, searches, properties.timeZone());
    }

    @Bean
    BreakGlassOperation breakGlassOperation(
            AccessGuard guard,
            Records records,
            BreakGlassGrants grants,
            BreakGlassNotice notice,
            SearchExecutor searches) {
        return new BreakGlassOperation(guard, records, grants, notice, searches);
    }

    @Bean
    ConsentRevocation consentRevocation(AccessGuard guard, Records records, ConsentRecording recording, Writes writes) {
        return new ConsentRevocation(guard, records, recording, writes);
    }
}
