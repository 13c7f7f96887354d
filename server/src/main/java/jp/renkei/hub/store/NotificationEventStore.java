package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * Collections {@code notification_events} (each event keyed {@code <subscription>/<number>}) and
 * {@code subscription_counters} (each Subscription's last number and the changes that gave it events).
 * Numbering and what the counters mean is notify.EventLog's. Every write replaces by key, so repeating it is harmless.
 */
public final class NotificationEventStore {

    /** One stored event. */
    public record Event(
            String subscription,
            long number,
            long at,
            String focusType,
            String focusId,
            long focusVersion,
            String tx) {}

    /** A Subscription's last event number and the changes recorded with it. */
    public record Counter(String subscription, long number, List<String> txs) {}

    private final MongoCollection<Document> events;
    private final MongoCollection<Document> counters;

    public NotificationEventStore(MongoDatabase db) {
        this.events = db.getCollection("notification_events");
        this.counters = db.getCollection("subscription_counters");
    }

    /** The stored counter, or null when the Subscription has none. */
    public Counter counter(String subscription) {
        Document doc = counters.find(eq("_id", subscription)).first();
        return doc == null
                ? null
                : new Counter(subscription, doc.getLong("n"), doc.getList("txs", String.class, List.of()));
    }

    /** Stores the events in one batch. */
    public void putEvents(List<Event> batch) {
        List<WriteModel<Document>> writes = new ArrayList<>();
        for (Event e : batch) {
            writes.add(new ReplaceOneModel<>(
                    eq("_id", key(e.subscription(), e.number())), toDocument(e), new ReplaceOptions().upsert(true)));
        }
        events.bulkWrite(writes);
    }

    /** Stores the counters in one batch. */
    public void putCounters(List<Counter> batch) {
        List<WriteModel<Document>> writes = new ArrayList<>();
        for (Counter c : batch) {
            writes.add(new ReplaceOneModel<>(
                    eq("_id", c.subscription()),
                    new Document("_id", c.subscription())
                            .append("n", c.number())
                            .append("txs", new ArrayList<>(c.txs())),
                    new ReplaceOptions().upsert(true)));
        }
        counters.bulkWrite(writes);
    }

    /** The stored events {@code from}..{@code to} (inclusive) of the Subscription, in no particular order. */
    public List<Event> events(String subscription, long from, long to) {
        List<String> keys = new ArrayList<>();
        for (long n = Math.max(1, from); n <= to; n++) {
            keys.add(key(subscription, n));
        }
        List<Event> found = new ArrayList<>();
        if (keys.isEmpty()) {
            return found;
        }
        for (Document doc : events.find(in("_id", keys))) {
            found.add(new Event(
                    subscription,
                    doc.getLong("n"),
                    doc.getDate("at").getTime(),
                    doc.getString("t"),
                    doc.getString("id"),
                    doc.getLong("v"),
                    doc.getString("tx")));
        }
        return found;
    }

    /** Deletes events 1..{@code count} of the Subscription, then its counter. */
    public void delete(String subscription, long count) {
        List<String> keys = new ArrayList<>();
        for (long i = 1; i <= count; i++) {
            keys.add(key(subscription, i));
            if (keys.size() == 1000 || i == count) {
                events.deleteMany(in("_id", keys));
                keys.clear();
            }
        }
        counters.deleteOne(eq("_id", subscription));
    }

    private static String key(String subscription, long number) {
        return subscription + "/" + number;
    }

    private static Document toDocument(Event e) {
        return new Document("_id", key(e.subscription(), e.number()))
                .append("n", e.number())
                .append("at", new Date(e.at()))
                .append("t", e.focusType())
                .append("id", e.focusId())
                .append("v", e.focusVersion())
                .append("tx", e.tx());
    }
}
