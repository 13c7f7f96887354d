package jp.renkei.hub.notify;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.audit.AuditTrail;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.ChangeFeed;
import jp.renkei.hub.store.Durability;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Turns committed changes into Subscription events, one thread, in the order changes arrive. For
 * each change of a watched type it asks every Subscription of a topic the change triggers whether it
 * concerns its owner and whether the owner may read it <em>now</em> (access policy and the patient's
 * Consent, judged afresh for every event, so a revoked consent or a removal from the care team stops
 * the very next notification). Events are numbered per Subscription and stored durably, the
 * pushed; the receipts and the disclosure's audit are written after the push, on a second thread, and the
 * change is marked done last. After a crash the changes
 * not marked done are read again at start, and a Subscription's counter remembers the change that
 * gave its last event, so nothing is lost and nothing numbered twice.
 */
class NotificationDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NotificationDispatcher.class);
    private static final int BATCH = 200;

    private final Records records;
    private final Subscriptions subscriptions;
    private final EventLog events;
    private final NotificationSocket socket;
    private final NotificationBundles bundles;
    private final AccessGuard guard;
    private final TopicMatcher matcher;
    private final AuditTrail audit;
    private final Receipts receipts;
    private final Durability durability;
    private final BlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
    private volatile ExecutorService bookkeeper;
    private final Set<String> startupSeen = ConcurrentHashMap.newKeySet();
    /** Changes taken but not yet marked done (their receipts and audit may still be being written). */
    private final Set<String> unrecorded = ConcurrentHashMap.newKeySet();
    /** Bounds how far recording may fall behind pushing. */
    private final Semaphore recording = new Semaphore(64);

    private volatile long startupUntil;
    private volatile Thread worker;
    private volatile boolean running;

    /** A change to dispatch; {@code recovered} when it was left pending by an earlier run of the hub. */
    private record Queued(ChangeFeed.Change change, boolean recovered) {}

    /** An event taken for one Subscription, with what its notification shows. */
    private record Taken(
            Subscriptions.Entry subscription,
            EventLog.Event event,
            Caller owner,
            StoredResource stored,
            boolean created) {}

    NotificationDispatcher(
            Records records,
            Subscriptions subscriptions,
            EventLog events,
            NotificationSocket socket,
            NotificationBundles bundles,
            AccessGuard guard,
            AuditTrail audit,
            Receipts receipts,
            Durability durability) {
        this.records = records;
        this.subscriptions = subscriptions;
        this.events = events;
        this.socket = socket;
        this.bundles = bundles;
        this.guard = guard;
        this.matcher = new TopicMatcher(guard);
        this.audit = audit;
        this.receipts = receipts;
        this.durability = durability;
        records.changeFeed().watch(Topic.watchedTypes());
    }

    /**
     * Listens first, then reads what is pending: a change recorded in between shows up in both, and
     * during the first seconds each change is taken once by its unit id.
     */
    @Override
    public void start() {
        ChangeFeed feed = records.changeFeed();
        startupUntil = System.currentTimeMillis() + 30_000;
        feed.listen(change -> {
            if (System.currentTimeMillis() > startupUntil || startupSeen.add(change.tx())) {
                unrecorded.add(change.tx());
                queue.add(new Queued(change, false));
            }
        });
        List<ChangeFeed.Change> pending = feed.pending();
        for (ChangeFeed.Change change : pending) {
            if (startupSeen.add(change.tx())) {
                unrecorded.add(change.tx());
                queue.add(new Queued(change, true));
            }
        }
        if (!pending.isEmpty()) {
            log.info("Dispatching {} change(s) left pending by the previous run", pending.size());
        }
        running = true;
        bookkeeper = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "renkei-notify-record");
            t.setDaemon(true);
            return t;
        });
        worker = new Thread(this::run, "renkei-notify");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread w = worker;
        if (w != null) {
            w.interrupt();
            try {
                w.join(5000);
                // what was pushed is recorded before the store closes; anything left is taken again at start
                bookkeeper.shutdown();
                bookkeeper.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        List<Queued> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, BATCH - 1);
                dispatch(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The changes stay recorded; they are taken again (as after a crash) in a second. Never log what they
                // were about.
                log.error("Dispatching notifications failed for {} change(s); retrying", batch.size(), e);
                batch.forEach(q -> queue.add(new Queued(q.change(), true)));
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                batch.clear();
                if (!startupSeen.isEmpty() && System.currentTimeMillis() > startupUntil) {
                    startupSeen.clear();
                }
            }
        }
    }

    private void dispatch(List<Queued> batch) {
        Date now = new Date();
        List<Taken> taken = new ArrayList<>();
        List<Taken> counted = new ArrayList<>();
        for (Queued queued : batch) {
            for (ChangeFeed.Entry entry : queued.change().entries()) {
                collect(queued, entry, now, taken, counted);
            }
        }
        if (!taken.isEmpty()) {
            events.append(taken.stream().map(Taken::event).toList(), unrecorded::contains);
            durability.awaitDurable();
            for (Taken t : taken) {
                push(t);
            }
        }
        // events numbered by an earlier attempt are not pushed again: handshakes may count them from now on
        counted.stream()
                .map(t -> t.subscription().id())
                .distinct()
                .forEach(id -> socket.caughtUp(id, events.count(id)));
        List<Taken> pushed = new ArrayList<>(taken);
        pushed.addAll(counted);
        List<Queued> changes = List.copyOf(batch);
        recording.acquireUninterruptibly();
        bookkeeper.execute(() -> {
            try {
                record(changes, pushed);
            } finally {
                recording.release();
            }
        });
    }

    /**
     * Writes the receipts and the disclosure's audit, then marks the changes done, on its own thread so that
     * neither write (each a commit) holds up the next notification. A crash before the changes are marked done
     * is caught up when they are taken again: the receipt keeps the earliest times and the audit is one record
     * per change and Subscription, by its id. A failure here hands the changes back to the dispatcher.
     */
    private void record(List<Queued> changes, List<Taken> pushed) {
        try {
            receipts.notified(pushed.stream()
                    .map(t -> new Receipts.Notice(
                            t.event().focus(), t.owner(), t.event().at()))
                    .toList());
            audit.recordNotifications(notified(pushed), changes.stream().anyMatch(Queued::recovered));
            List<String> txs = changes.stream().map(q -> q.change().tx()).toList();
            records.changeFeed().done(txs);
            txs.forEach(unrecorded::remove);
        } catch (RuntimeException e) {
            log.error("Recording {} notified change(s) failed; taking them again", changes.size(), e);
            changes.forEach(q -> queue.add(new Queued(q.change(), true)));
        }
    }

    /**
     * Adds the events this entry gives to {@code taken}; {@code counted} gets those an earlier run already
     * numbered (the change was being dispatched when the hub stopped), to be audited if they are not yet.
     */
    private void collect(Queued queued, ChangeFeed.Entry entry, Date now, List<Taken> taken, List<Taken> counted) {
        List<Topic> topics = Arrays.stream(Topic.values())
                .filter(t -> t.resourceTypes().contains(entry.type()))
                .toList();
        if (topics.isEmpty()) {
            return;
        }
        StoredResource stored = records.readVersion(entry.type(), entry.id(), entry.version());
        if (stored == null || stored.deleted()) {
            return;
        }
        // what the change says decides whom it concerns; what a notification shows passes the checks (checked)
        Resource resource = records.unchecked(stored);
        Supplier<Resource> previous = new Supplier<>() {
            private Resource known;
            private boolean read;

            @Override
            public Resource get() {
                if (!read) {
                    read = true;
                    StoredResource before = entry.version() > 1
                            ? records.readVersion(entry.type(), entry.id(), entry.version() - 1)
                            : null;
                    known = before == null || before.deleted() ? null : records.unchecked(before);
                }
                return known;
            }
        };
        List<String> patients = TopicMatcher.patientsOf(stored);
        for (Topic topic : topics) {
            if (!TopicMatcher.triggers(topic, resource, previous)) {
                continue;
            }
            // a change taken again after a crash may have given events to a Subscription whose filter has changed since
            List<Subscriptions.Entry> candidates =
                    queued.recovered() ? subscriptions.forTopic(topic) : subscriptions.forTopic(topic, patients);
            for (Subscriptions.Entry subscription : candidates) {
                if (!subscription.active(now)) {
                    continue;
                }
                if (queued.recovered()
                        && events.alreadyCounted(
                                subscription.id(), queued.change().tx())) {
                    // only recorded, not pushed again: whether it was a create does not matter, so no read of the
                    // previous version
                    counted.add(new Taken(
                            subscription,
                            new EventLog.Event(
                                    subscription.id(),
                                    0,
                                    queued.change().at(),
                                    entry.type(),
                                    entry.id(),
                                    entry.version(),
                                    queued.change().tx()),
                            guard.callerFrom(subscription.claims()),
                            stored,
                            false));
                    continue;
                }
                if (!TopicMatcher.passesFilters(subscription.spec(), stored, resource, patients)) {
                    continue;
                }
                Caller owner = guard.callerFrom(subscription.claims());
                if (matcher.concerns(topic, owner, stored, resource) && guard.mayNotify(owner, stored)) {
                    long number = nextNumber(subscription.id(), taken);
                    taken.add(new Taken(
                            subscription,
                            new EventLog.Event(
                                    subscription.id(),
                                    number,
                                    queued.change().at(),
                                    entry.type(),
                                    entry.id(),
                                    entry.version(),
                                    queued.change().tx()),
                            owner,
                            stored,
                            previous.get() == null));
                }
            }
        }
    }

    private long nextNumber(String subscription, List<Taken> taken) {
        for (int i = taken.size() - 1; i >= 0; i--) {
            if (taken.get(i).subscription().id().equals(subscription)) {
                return taken.get(i).event().number() + 1;
            }
        }
        long count = events.count(subscription);
        socket.numbering(subscription, count);
        return count + 1;
    }

    /** One audit record per change and Subscription: the records and patients its events disclosed. */
    private static List<AuditTrail.Notified> notified(List<Taken> taken) {
        Map<String, AuditTrail.Notified> byChange = new LinkedHashMap<>();
        for (Taken t : taken) {
            AuditTrail.Notified n = byChange.computeIfAbsent(
                    AuditTrail.Notified.key(t.event().tx(), t.subscription().id()),
                    key -> new AuditTrail.Notified(
                            key, t.owner(), t.subscription().id(), new LinkedHashSet<>(), new LinkedHashSet<>()));
            if (t.subscription().spec().content() != SubscriptionSpec.Content.EMPTY) {
                n.patients().addAll(t.stored().labels().patients());
                n.records().add(t.event().focus() + "/_history/" + t.event().focusVersion());
            }
        }
        return List.copyOf(byChange.values());
    }

    private void push(Taken t) {
        NotificationBundles.Shown shown = show(t.subscription(), t.event(), t.stored(), t.created());
        socket.deliver(
                t.subscription().id(),
                t.event().number(),
                base -> bundles.json(
                        t.subscription(),
                        NotificationBundles.Type.EVENT_NOTIFICATION,
                        t.event().number(),
                        List.of(shown),
                        base,
                        Bundle.BundleType.HISTORY),
                () -> receipts.delivered(t.event().focus(), t.subscription().owner()));
    }

    /** The event as its Subscription's content asks: nothing, a reference, or the resource. */
    NotificationBundles.Shown show(
            Subscriptions.Entry subscription, EventLog.Event event, StoredResource stored, boolean created) {
        SubscriptionSpec.Content content = subscription.spec().content();
        if (content == SubscriptionSpec.Content.EMPTY || stored == null) {
            return new NotificationBundles.Shown(event.number(), event.at(), null, null, created);
        }
        Resource resource = content == SubscriptionSpec.Content.FULL_RESOURCE ? checked(stored) : null;
        return new NotificationBundles.Shown(event.number(), event.at(), event.focus(), resource, created);
    }

    /** The resource as a read would serve it; one that fails its integrity check goes out by reference only. */
    private Resource checked(StoredResource stored) {
        try {
            return records.resource(stored);
        } catch (BaseServerResponseException refused) {
            return null;
        }
    }

    @Override
    public int getPhase() {
        // after the web server, so a client can bind as soon as it can connect; stops before the store closes
        return Integer.MAX_VALUE - 10;
    }
}
