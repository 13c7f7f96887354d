package jp.renkei.hub.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import jp.renkei.hub.store.NotificationEventStore;
import jp.renkei.hub.store.NotificationEventStore.Counter;

/**
 * Every event of every Subscription, numbered 1, 2, 3, … per Subscription and stored before it is
 * pushed: {@code notification_events} keyed {@code <subscription>/<number>} (replay reads them by key),
 * and {@code subscription_counters} with each Subscription's last number and the changes that gave it
 * events and were not yet marked done, so a change re-read after a crash does not number the same event twice.
 * Both collections are store.NotificationEventStore's.
 */
class EventLog {

    /** One event: which version of which resource it is about, from which committed change. */
    public record Event(
            String subscription, long number, long at, String focusType, String focusId, long focusVersion, String tx) {

        String focus() {
            return focusType + "/" + focusId;
        }
    }

    private final NotificationEventStore store;
    private final Map<String, Counter> counterCache = new ConcurrentHashMap<>();

    public EventLog(NotificationEventStore store) {
        this.store = store;
    }

    /** How many events the Subscription has had. */
    public long count(String subscription) {
        return counter(subscription).number();
    }

    /** Whether this change already gave the Subscription an event (it was being sent or recorded when the hub stopped). */
    boolean alreadyCounted(String subscription, String tx) {
        return counter(subscription).txs().contains(tx);
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
        List<NotificationEventStore.Event> stored = new ArrayList<>();
        Map<String, Event> last = new LinkedHashMap<>();
        Map<String, Set<String>> txs = new LinkedHashMap<>();
        for (Event e : batch) {
            stored.add(new NotificationEventStore.Event(
                    e.subscription(), e.number(), e.at(), e.focusType(), e.focusId(), e.focusVersion(), e.tx()));
            last.put(e.subscription(), e);
            txs.computeIfAbsent(e.subscription(), s -> new LinkedHashSet<>()).add(e.tx());
        }
        store.putEvents(stored);
        List<Counter> counts = new ArrayList<>();
        for (Event e : last.values()) {
            Set<String> given = new LinkedHashSet<>();
            counter(e.subscription()).txs().stream().filter(pending).forEach(given::add);
            given.addAll(txs.get(e.subscription()));
            Counter counter = new Counter(e.subscription(), e.number(), List.copyOf(given));
            counts.add(counter);
            counterCache.put(e.subscription(), counter);
        }
        store.putCounters(counts);
    }

    /** Events {@code from}..{@code to} (inclusive) of the Subscription, in order; numbers never issued are absent. */
    public List<Event> range(String subscription, long from, long to) {
        Map<Long, Event> found = new TreeMap<>();
        for (NotificationEventStore.Event e : store.events(subscription, from, to)) {
            found.put(
                    e.number(),
                    new Event(subscription, e.number(), e.at(), e.focusType(), e.focusId(), e.focusVersion(), e.tx()));
        }
        return List.copyOf(found.values());
    }

    /** Forgets a deleted Subscription's events. */
    void forget(String subscription) {
        store.delete(subscription, count(subscription));
        counterCache.remove(subscription);
    }

    private Counter counter(String subscription) {
        return counterCache.computeIfAbsent(subscription, s -> {
            Counter stored = store.counter(s);
            return stored != null ? stored : new Counter(s, 0L, List.of());
        });
    }
}
