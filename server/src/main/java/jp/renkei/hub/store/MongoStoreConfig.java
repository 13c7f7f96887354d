package jp.renkei.hub.store;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jp.renkei.hub.search.IndexExtractor;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the embedded store or {@code MONGODB_URI} and wires the resource store on top of it. */
@Configuration(proxyBeanMethods = false)
class MongoStoreConfig {

    @Bean(destroyMethod = "close")
    EmbeddedMongoHolder embeddedMongo(StoreProperties properties) {
        return new EmbeddedMongoHolder(properties.useEmbedded() ? new EmbeddedMongo(properties.embedded()) : null);
    }

    @Bean(destroyMethod = "close")
    MongoClient mongoClient(StoreProperties properties, EmbeddedMongoHolder embedded) {
        String uri = embedded.mongo() != null ? embedded.mongo().connectionString() : properties.uri();
        MongoClientSettings.Builder settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .applyToConnectionPoolSettings(pool -> pool.maxSize(64).maxWaitTime(10, TimeUnit.SECONDS))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(10, TimeUnit.SECONDS));
        if (embedded.mongo() == null) {
            // Acknowledged means on a majority of the replica set and in its journal.
            settings.writeConcern(WriteConcern.MAJORITY.withJournal(true));
        }
        return MongoClients.create(settings.build());
    }

    @Bean
    Durability durability(EmbeddedMongoHolder embedded) {
        return embedded.mongo() != null ? embedded.mongo() : Durability.WRITE_CONCERN;
    }

    @Bean
    ResourceStore resourceStore(
            MongoClient client,
            StoreProperties properties,
            Durability durability,
            FhirContext fhirContext,
            SearchParameterRegistry registry,
            IndexExtractor extractor,
            Labeler labeler) {
        ResourceStore store = new ResourceStore(
                client.getDatabase(properties.database()), durability, fhirContext, registry, extractor, labeler);
        store.recover();
        return store;
    }

    @Bean
    SearchExecutor searchExecutor(ResourceStore store, SearchParameterRegistry registry) {
        return new SearchExecutor(store, registry);
    }

    @Bean
    Records records(ResourceStore store, FhirContext fhirContext, ObjectProvider<ReadCheck> checks) {
        return new Records(store, fhirContext, checks);
    }

    @Bean
    Writes writes(ResourceStore store, Records records, List<WriteRule> rules, SealingRule sealing) {
        return new Writes(store, records, rules, sealing);
    }

    /** Frozen search results; they count as gone after {@code renkei.fhir.search-retention}, a setting of the FHIR endpoint. */
    @Bean
    ResultSnapshots resultSnapshots(
            MongoClient client,
            StoreProperties properties,
            @Value("${renkei.fhir.search-retention}") Duration retention) {
        return new ResultSnapshots(client.getDatabase(properties.database()), retention);
    }

    @Bean
    BreakGlassGrantStore breakGlassGrantStore(MongoClient client, StoreProperties properties) {
        return new BreakGlassGrantStore(client.getDatabase(properties.database()));
    }

    @Bean
    SubscriptionStore subscriptionStore(MongoClient client, StoreProperties properties, Durability durability) {
        return new SubscriptionStore(client.getDatabase(properties.database()), durability);
    }

    @Bean
    NotificationEventStore notificationEventStore(MongoClient client, StoreProperties properties) {
        return new NotificationEventStore(client.getDatabase(properties.database()));
    }

    @Bean
    ReceiptStore receiptStore(MongoClient client, StoreProperties properties) {
        return new ReceiptStore(client.getDatabase(properties.database()));
    }

    @Bean
    AuditChainStore auditChainStore(MongoClient client, StoreProperties properties) {
        return new AuditChainStore(client.getDatabase(properties.database()));
    }

    @Bean
    AuditCheckpointStore auditCheckpointStore(MongoClient client, StoreProperties properties) {
        return new AuditCheckpointStore(client.getDatabase(properties.database()));
    }

    @Bean
    AuditCheckStore auditCheckStore(MongoClient client, StoreProperties properties) {
        return new AuditCheckStore(client.getDatabase(properties.database()));
    }

    /** Lets the embedded server be absent without a nullable bean. */
    record EmbeddedMongoHolder(EmbeddedMongo mongo) implements AutoCloseable {
        @Override
        public void close() {
            if (mongo != null) {
                mongo.close();
            }
        }
    }
}
