package jp.renkei.hub.consent;

import java.time.Duration;
import jp.renkei.hub.store.BreakGlassGrantStore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Emergency access grants, kept for {@code renkei.break-glass.duration}, which the access decision reads. */
@Configuration(proxyBeanMethods = false)
class ConsentConfig {

    @Bean
    BreakGlassGrants breakGlassGrants(
            BreakGlassGrantStore store, @Value("${renkei.break-glass.duration:60m}") Duration duration) {
        return new BreakGlassGrants(store, duration);
    }
}
