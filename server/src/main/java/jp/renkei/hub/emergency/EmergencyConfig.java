package jp.renkei.hub.emergency;

import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The emergency summary operation. */
@Configuration(proxyBeanMethods = false)
class EmergencyConfig {

    @Bean
    EmergencySummary emergencySummary(ResourceOperations operations, SearchExecutor searches, Records records) {
        return new EmergencySummary(operations, searches, records);
    }
}
