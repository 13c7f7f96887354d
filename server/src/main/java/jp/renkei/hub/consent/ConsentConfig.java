package jp.renkei.hub.consent;

import com.mongodb.client.MongoClient;
import java.time.Duration;
import jp.renkei.hub.store.StoreProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Emergency access grants, kept for {@code renkei.break-glass.duration}, which the access decision reads. */
@Configuration(proxyBeanMethods = false)
class ConsentConfig {

    @Bean
    BreakGlassGrants breakGlassGrants(MongoClient client, StoreProperties store,
                                      @Value("${renkei.break-glass.duration:60m}") Duration duration) {
        return new BreakGlassGrants(client.getDatabase(store.database()), duration);
    }
}
