package jp.renkei.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.store.EmbeddedMongo;
import jp.renkei.hub.store.NotificationEventStore;
import jp.renkei.hub.store.StoreProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event log's memory of which changes gave a Subscription its events. Receipts and audit are written
 * behind the pushes, so several batches may be pushed but not yet marked done when the hub stops; each of
 * them must still be recognised when it is taken again, or its event would be numbered twice.
 */
class EventLogTest {

    private Path dir;
    private EmbeddedMongo mongo;
    private MongoClient client;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("renkei-eventlog");
        open();
    }

    private EventLog open() {
        mongo = new EmbeddedMongo(new StoreProperties.Embedded(dir, false, 16));
        client = MongoClients.create(mongo.connectionString());
        return new EventLog(new NotificationEventStore(client.getDatabase("events")));
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    private static EventLog.Event event(long number, String tx) {
        return new EventLog.Event("sub-1", number, 1_000L * number, "Composition", "c" + number, 1, tx);
    }

    @Test
    void everyChangeNotYetMarkedDoneIsRememberedAcrossARestart() {
        EventLog log = new EventLog(new NotificationEventStore(client.getDatabase("events")));
        log.append(List.of(event(1, "tx-a")), Set.of("tx-a")::contains);
        log.append(List.of(event(2, "tx-b"), event(3, "tx-c")), Set.of("tx-a", "tx-b", "tx-c")::contains);
        mongo.awaitDurable();
        stop();

        EventLog reopened = open();
        assertThat(reopened.count("sub-1")).isEqualTo(3);
        assertThat(List.of("tx-a", "tx-b", "tx-c")).allMatch(tx -> reopened.alreadyCounted("sub-1", tx));
        assertThat(reopened.alreadyCounted("sub-1", "tx-other")).isFalse();
        assertThat(reopened.range("sub-1", 1, 3))
                .extracting(EventLog.Event::tx)
                .containsExactly("tx-a", "tx-b", "tx-c");
    }

    @Test
    void changesMarkedDoneAreForgottenOnTheNextAppend() {
        EventLog log = new EventLog(new NotificationEventStore(client.getDatabase("events")));
        log.append(List.of(event(1, "tx-a")), Set.of("tx-a")::contains);
        log.append(List.of(event(2, "tx-b")), Set.of("tx-a", "tx-b")::contains);
        // tx-a has been recorded and marked done meanwhile
        log.append(List.of(event(3, "tx-c")), Set.of("tx-b", "tx-c")::contains);

        assertThat(log.alreadyCounted("sub-1", "tx-a")).isFalse();
        assertThat(log.alreadyCounted("sub-1", "tx-b")).isTrue();
        assertThat(log.alreadyCounted("sub-1", "tx-c")).isTrue();
    }
}
