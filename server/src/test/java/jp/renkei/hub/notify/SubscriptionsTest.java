package jp.renkei.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.store.EmbeddedMongo;
import jp.renkei.hub.store.StoreProperties;
import jp.renkei.hub.store.SubscriptionStore;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The Subscriptions a change is matched against: those of its patients and those without a patient filter,
 * kept right as Subscriptions are created, change their filter, are deleted, and are loaded again at start.
 */
class SubscriptionsTest {

    private static final FhirContext FHIR = HubInstance.fhirContext();
    private static final NotifyProperties PROPERTIES = new NotifyProperties(
            Duration.ofSeconds(5),
            Duration.ofMinutes(60),
            1,
            3600,
            256,
            Duration.ofSeconds(10),
            DataSize.ofKilobytes(1),
            1000,
            DataSize.ofKilobytes(2));

    private Path dir;
    private EmbeddedMongo mongo;
    private MongoClient client;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("renkei-subscriptions");
    }

    private Subscriptions open() {
        mongo = new EmbeddedMongo(new StoreProperties.Embedded(dir, false, 16));
        client = MongoClients.create(mongo.connectionString());
        return new Subscriptions(new SubscriptionStore(client.getDatabase("subscriptions"), mongo), FHIR, PROPERTIES);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
            mongo.close();
        }
    }

    private static void save(
            Subscriptions subscriptions, String id, long expectedVersion, Topic topic, String... filters) {
        Subscription subscription = Notifications.subscription(topic, "id-only", 0, filters);
        subscriptions.save(
                id,
                expectedVersion,
                "cm-sato",
                subscription,
                SubscriptionSpec.of(subscription, FHIR, 1, 3600),
                Map.of());
    }

    private static List<String> matched(Subscriptions subscriptions, Topic topic, String... patients) {
        return subscriptions.forTopic(topic, List.of(patients)).stream()
                .map(Subscriptions.Entry::id)
                .sorted()
                .toList();
    }

    @Test
    void aChangeMeetsItsPatientsSubscriptionsAndThoseWithoutAPatientFilter() {
        Subscriptions subscriptions = open();
        save(subscriptions, "s-p1", 0, Topic.CARE_DOCUMENT, "Composition?patient=p1");
        save(subscriptions, "s-p1-p2", 0, Topic.CARE_DOCUMENT, "Composition?patient=p1,Patient/p2");
        save(subscriptions, "s-any", 0, Topic.CARE_DOCUMENT, "Composition?type=care-plan");
        save(subscriptions, "s-other-topic", 0, Topic.COMMUNICATION, "Communication?patient=p1");
        // two criteria that must both hold and name different patients: nothing can pass, so it is matched with nothing
        save(subscriptions, "s-none", 0, Topic.CARE_DOCUMENT, "Composition?patient=p1", "Composition?patient=p2");

        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p1"))
                .containsExactly("s-any", "s-p1", "s-p1-p2");
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p2")).containsExactly("s-any", "s-p1-p2");
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p3")).containsExactly("s-any");
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT)).containsExactly("s-any");
        assertThat(matched(subscriptions, Topic.COMMUNICATION, "Patient/p1")).containsExactly("s-other-topic");
    }

    @Test
    void aChangedFilterOrTopicMovesTheSubscriptionAndADeletedOneIsGone() {
        Subscriptions subscriptions = open();
        save(subscriptions, "s-1", 0, Topic.CARE_DOCUMENT, "Composition?patient=p1,p2");
        save(subscriptions, "s-1", 1, Topic.CARE_DOCUMENT, "Composition?patient=p2,p3");
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p1")).isEmpty();
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p2")).containsExactly("s-1");
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p3")).containsExactly("s-1");

        save(subscriptions, "s-1", 2, Topic.COMMUNICATION);
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p2")).isEmpty();
        assertThat(matched(subscriptions, Topic.COMMUNICATION, "Patient/p9")).containsExactly("s-1");

        save(subscriptions, "s-2", 0, Topic.CARE_DOCUMENT, "Composition?patient=p1");
        subscriptions.delete("s-1");
        assertThat(matched(subscriptions, Topic.COMMUNICATION, "Patient/p9")).isEmpty();
        assertThat(matched(subscriptions, Topic.CARE_DOCUMENT, "Patient/p1")).containsExactly("s-2");
    }

    @Test
    void theIndexIsBuiltAgainWhenTheHubStarts() {
        Subscriptions subscriptions = open();
        save(subscriptions, "s-p1", 0, Topic.CARE_DOCUMENT, "Composition?patient=p1");
        save(subscriptions, "s-any", 0, Topic.CARE_DOCUMENT);
        stop();

        Subscriptions reopened = open();
        assertThat(matched(reopened, Topic.CARE_DOCUMENT, "Patient/p1")).containsExactly("s-any", "s-p1");
        assertThat(matched(reopened, Topic.CARE_DOCUMENT, "Patient/p2")).containsExactly("s-any");
    }
}
