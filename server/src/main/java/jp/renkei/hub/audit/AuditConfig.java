package jp.renkei.hub.audit;

import com.mongodb.client.MongoClient;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.StoreProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The audit trail's pieces: its hash chain in the hub's database, the interceptor and the verification operation. */
@Configuration(proxyBeanMethods = false)
public class AuditConfig {

    @Bean
    AuditChain auditChain(MongoClient client, StoreProperties store) {
        return new AuditChain(client.getDatabase(store.database()));
    }

    @Bean
    AuditInterceptor auditInterceptor(AuditTrail trail, AccessGuard guard) {
        return new AuditInterceptor(trail, guard);
    }

    @Bean
    AuditChainProvider auditChainProvider(AuditChain chain, ResourceStore store, AccessGuard guard) {
        return new AuditChainProvider(chain, store, guard);
    }
}
