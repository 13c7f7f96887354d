package jp.renkei.hub.notify;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.bson.Document;

/**
 * Every event of every Subscription, numbered 1, 2, 3, … per Subscription and stored before it is
 * pushed: {@code notification_events} keyed {@code <subscription>/<number>} (replay reads them by key),
 * and {@code subscription_counters} with each Subscription's last number and the changes that gave it
 * events and were not yet marked done, so a change re-read after a crash does not number the same event twice.
 */
class EventLog {

    /** One event: which version of which resource it is about, from which committed change. */
    public record Event(String subscription, long number, long at, String focusType, String focusId, long focusVersion,
                        String tx) {

        String focus() {
            return focusType + "/" + focusId;
        }
    }

    private final MongoCollection<Document> events;
    private final MongoCollection<Document> counters;
    private final Map<String, Document> counterCache = new ConcurrentHashMap<>();

    public EventLog(MongoDatabase db) {
        this.events = db.getCollection("notification_events");
        this.counters = db.getCollection("subscription_counters");
    }

    /** How many events the Subscription has had. */
    public long count(String subscription) {
        return counter(subscription).getLong("n");
    }

    /** Whether this change already gave the Subscription an event (it was being sent or recorded when the hub stopped). */
    boolean alreadyCounted(String subscription, String tx) {
        return counter(subscription).getList("txs", String.class, List.of()).contains(tx);
    }

    /**
     * Stores the events (numbers already taken in order by the single dispatcher) and then each
     * Subscription's new count with the changes that gave its events: this batch's and those of earlier
     * batches still {@code pending} (not yet marked done). Both writes replace by key, so repeating them after
     * a crash is harmless.
     */
    void append(List<Event> batch, Predicate<String> pending) {
        if (batch.isEmpty()) {
            return;
        }
        List<WriteModel<Document>> writes = new ArrayList<>();
        Map<String, Event> last = new LinkedHashMap<>();
        Map<String, Set<String>> txs = new LinkedHashMap<>();
        for (Event e : batch) {
            writes.add(new ReplaceOneModel<>(eq("_id", key(e.subscription(), e.number())), toDocument(e),
                    new ReplaceOptions().upsert(true)));
            last.put(e.subscription(), e);
            txs.computeIfAbsent(e.subscription(), s -> new LinkedHashSet<>()).add(e.tx());
        }
        events.bulkWrite(writes);
        List<WriteModel<Document>> counts = new ArrayList<>();
        for (Event e : last.values()) {
            Set<String> given = new LinkedHashSet<>();
            counter(e.subscription()).getList("txs", String.class, List.of()).stream().filter(pending).forEach(given::add);
            given.addAll(txs.get(e.subscription()));
            Document counter = new Document("_id", e.subscription()).append("n", e.number())
                    .append("txs", new ArrayList<>(given));
            counts.add(new ReplaceOneModel<>(eq("_id", e.subscription()), counter, new ReplaceOptions().upsert(true)));
            counterCache.put(e.subscription(), counter);
        }
        counters.bulkWrite(counts);
    }

    /** Events {@code from}..{@code to} (inclusive) of the Subscription, in order; numbers never issued are absent. */
    public List<Event> range(String subscription, long from, long to) {
        List<String> keys = new ArrayList<>();
        for (long n = Math.max(1, from); n <= to; n++) {
            keys.add(key(subscription, n));
        }
        if (keys.isEmpty()) {
            return List.of();
        }
        Map<Long, Event> found = new TreeMap<>();
        for (Document doc : events.find(in("_id", keys))) {
            Event e = fromDocument(subscription, doc);
            found.put(e.number(), e);
        }
        return List.copyOf(found.values());
    }

    /** Forgets a deleted Subscription's events. */
    void forget(String subscription) {
        long n = count(subscription);
        List<String> keys = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            keys.add(key(subscription, i));
            if (keys.size() == 1000 || i == n) {
                events.deleteMany(in("_id", keys));
                keys.clear();
            }
        }
        counters.deleteOne(eq("_id", subscription));
        counterCache.remove(subscription);
    }

    private Document counter(String subscription) {
        return counterCache.computeIfAbsent(subscription, s -> {
            Document doc = counters.find(eq("_id", s)).first();
            return doc != null ? doc : new Document("_id", s).append("n", 0L).append("txs", List.of());
        });
    }

    private static String key(String subscription, long number) {
        return subscription + "/" + number;
    }

    private static Document toDocument(Event e) {
        return new Document("_id", key(e.subscription(), e.number())).append("n", e.number()).append("at", new Date(e.at()))
                .append("t", e.focusType()).append("id", e.focusId()).append("v", e.focusVersion()).append("tx", e.tx());
    }

    private static Event fromDocument(String subscription, Document doc) {
        return new Event(subscription, doc.getLong("n"), doc.getDate("at").getTime(), doc.getString("t"),
                doc.getString("id"), doc.getLong("v"), doc.getString("tx"));
    }
}
