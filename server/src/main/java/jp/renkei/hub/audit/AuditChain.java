package jp.renkei.hub.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import jp.renkei.hub.store.AuditChainStore;
import jp.renkei.hub.store.StoredResource;

/**
 * The hash chain over all AuditEvents. Link n names event n and holds
 * {@code hash(n) = SHA-256(hash(n-1) || stored JSON of event n)}; the head remembers the last link.
 * Changing a stored event changes its hash, removing one leaves a missing event or a gap in the
 * sequence, and reordering breaks the {@code prev} of the next link, so {@link #verify} finds the
 * first broken link in each case. Links are numbered by their unique {@code _id}, so two hubs on
 * one database cannot both append link n.
 *
 * <p>Whoever can write the database can also recompute every link after a change; what they cannot recompute
 * are the sealed checkpoints ({@link AuditCheckpoints}), so {@link #verify(Function, Sealed, long)} compares each
 * link with the hash a checkpoint sealed for it, when one did.
 */
final class AuditChain {

    /** One link as stored. */
    record Link(long seq, String event, String prev, String hash) {}

    /** The sealed hash of each link a checkpoint covers (null for the others). */
    interface Sealed {
        Sealed NONE = seq -> null;

        /** @throws BrokenSeal when the checkpoint covering the link fails its seal check */
        String at(long seq);
    }

    /** A checkpoint in the store whose seal does not hold: it vouches for nothing, and says the store was changed. */
    static final class BrokenSeal extends RuntimeException {
        final long firstLink;

        BrokenSeal(long firstLink, String message) {
            super(message);
            this.firstLink = firstLink;
        }
    }

    /** The result of a verification: {@code firstBroken} is 0 when the chain is intact. */
    public record Verification(long links, long firstBroken, String problem) {
        public boolean intact() {
            return firstBroken == 0;
        }
    }

    /** What link 1 follows. */
    static final String GENESIS = "0".repeat(64);

    private static final int BATCH = 1000;

    private final AuditChainStore store;
    private final ReentrantLock appending = new ReentrantLock();
    private long lastSeq = -1;
    private String lastHash;
    private volatile LongConsumer appended = seq -> {};
    /** The highest head seen here: the head only grows, so a link at or below it is within the chain. */
    private final AtomicLong seenHead = new AtomicLong();

    /** Links in {@code audit_chain}, the head in {@code audit_chain_head}, both kept by the store. */
    public AuditChain(AuditChainStore store) {
        this.store = store;
    }

    /** Told the number of each link appended here (to seal a checkpoint once enough were). */
    void onAppend(LongConsumer listener) {
        this.appended = listener;
    }

    /** Appends the event (its id and its JSON exactly as stored); returns its sequence number. */
    public long append(String eventId, String storedJson) {
        appending.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                if (lastSeq < 0) {
                    AuditChainStore.Head h = store.head();
                    lastSeq = h == null ? 0 : h.seq();
                    lastHash = h == null ? GENESIS : h.hash();
                }
                long seq = lastSeq + 1;
                String hash = hash(lastHash, storedJson);
                if (!store.insert(new AuditChainStore.Link(seq, eventId, lastHash, hash))) {
                    if (attempt >= 1000) {
                        throw new IllegalStateException(
                                "audit chain link " + seq + " exists already; the chain cannot be extended");
                    }
                    // Link n exists already (another hub appended it, or the head lags behind): follow it.
                    AuditChainStore.Link taken = store.link(seq);
                    if (taken == null && linkOf(eventId) != null) {
                        throw new IllegalStateException("AuditEvent/" + eventId + " is in the audit chain already");
                    }
                    if (taken == null || taken.hash() == null) {
                        throw new IllegalStateException(
                                "audit chain link " + seq + " is damaged; the chain cannot be extended");
                    }
                    lastSeq = seq;
                    lastHash = taken.hash();
                    continue;
                }
                advanceHead(seq, hash);
                lastSeq = seq;
                lastHash = hash;
                appended.accept(seq);
                return seq;
            }
        } catch (RuntimeException e) {
            lastSeq = -1; // whatever happened, start from the stored head next time
            throw e;
        } finally {
            appending.unlock();
        }
    }

    /**
     * Moves the head to link {@code seq} unless it is there or further already: another hub on the database may have
     * appended and moved it past {@code seq} in the meantime, and a head moving backwards would look like removed links.
     * One conditional write ({@link AuditChainStore#advanceHead}).
     */
    void advanceHead(long seq, String hash) {
        store.advanceHead(seq, hash);
        seenHead.accumulateAndGet(seq, Math::max);
    }

    /**
     * Walks the chain from the first link. {@code storedEvent} gives an event's stored JSON, or null
     * when the event no longer exists.
     */
    public Verification verify(Function<String, String> storedEvent) {
        return verify(storedEvent, Sealed.NONE, 1);
    }

    /**
     * Walks the chain from link {@code from} to the head, each link also against the hash a checkpoint sealed for it.
     * An event changed after it was sealed is found at its own link even when every later link was recomputed: its
     * link then differs from the sealed one (and the sealed hash tells whether the event or only the link changed).
     */
    Verification verify(Function<String, String> storedEvent, Sealed sealed, long from) {
        Head h = head();
        long last = h.seq();
        try {
            String prev = GENESIS;
            if (from > 1) {
                prev = sealed.at(from - 1);
                if (prev == null) {
                    Link before = link(from - 1);
                    if (before == null) {
                        return new Verification(last, from - 1, "link " + (from - 1) + " is missing");
                    }
                    prev = before.hash();
                }
            }
            for (long batch = from; batch <= last; batch += BATCH) {
                Map<Long, Link> found = links(batch, Math.min(last, batch + BATCH - 1));
                for (long seq = batch; seq <= Math.min(last, batch + BATCH - 1); seq++) {
                    Link link = found.get(seq);
                    if (link == null) {
                        return new Verification(last, seq, "link " + seq + " is missing");
                    }
                    if (!prev.equals(link.prev())) {
                        return new Verification(
                                last,
                                seq,
                                "link " + seq + " does not follow link " + (seq - 1) + " (reordered or replaced)");
                    }
                    String json = storedEvent.apply(link.event());
                    if (json == null) {
                        return new Verification(
                                last, seq, "AuditEvent/" + link.event() + " of link " + seq + " is missing");
                    }
                    String expected = sealed.at(seq);
                    if (expected != null && !expected.equals(link.hash())) {
                        String sealedPrev = seq > 1 && sealed.at(seq - 1) != null ? sealed.at(seq - 1) : prev;
                        return new Verification(
                                last,
                                seq,
                                hash(sealedPrev, json).equals(expected)
                                        ? "link " + seq + " was rewritten: it no longer matches the sealed checkpoint"
                                        : "AuditEvent/" + link.event() + " of link " + seq
                                                + " was changed after it was sealed"
                                                + " (the links were recomputed: it no longer matches the sealed checkpoint)");
                    }
                    if (!hash(prev, json).equals(link.hash())) {
                        return new Verification(
                                last, seq, "AuditEvent/" + link.event() + " of link " + seq + " was changed");
                    }
                    prev = link.hash();
                }
            }
            if (last > 0 && !prev.equals(h.hash())) {
                return new Verification(last, last, "the head does not match the last link");
            }
        } catch (BrokenSeal broken) {
            return new Verification(last, broken.firstLink, broken.getMessage());
        }
        return new Verification(last, 0, null);
    }

    /** The last link's number and hash (0 and the genesis hash for an empty chain). */
    record Head(long seq, String hash) {}

    Head head() {
        AuditChainStore.Head h = store.head();
        Head read = h == null ? new Head(0, GENESIS) : new Head(h.seq(), h.hash());
        seenHead.accumulateAndGet(read.seq(), Math::max);
        return read;
    }

    /** Whether link {@code seq} is within the chain, at or below its head: read again only past the highest head seen. */
    boolean reaches(long seq) {
        return seq <= seenHead.get() || seq <= head().seq();
    }

    /** The link of this event, or null when it has none (not yet: its link is written just after it). */
    Link linkOf(String eventId) {
        return toLink(store.linkOf(eventId));
    }

    Link link(long seq) {
        return toLink(store.link(seq));
    }

    /** Links {@code from} to {@code to} that exist, by number. */
    Map<Long, Link> links(long from, long to) {
        Map<Long, Link> found = new HashMap<>();
        for (AuditChainStore.Link link : store.links(from, to)) {
            found.put(link.seq(), toLink(link));
        }
        return found;
    }

    private static Link toLink(AuditChainStore.Link stored) {
        return stored == null
                ? null
                : new Link(stored.seq(), stored.event(), String.valueOf(stored.prev()), String.valueOf(stored.hash()));
    }

    /**
     * When the event was chained, as far as its record tells: the earlier of the time in its id (server-assigned ids are
     * time-ordered, UUID version 7, and an id cannot be changed without making another event) and its lastUpdated.
     */
    static long chainedAt(StoredResource event) {
        try {
            UUID id = UUID.fromString(event.id());
            if (id.version() == 7) {
                return Math.min(id.getMostSignificantBits() >>> 16, event.lastUpdated());
            }
        } catch (IllegalArgumentException e) {
            // not a UUID: an id given by a key (notifications, alerts)
        }
        return event.lastUpdated();
    }

    static String hash(String prev, String json) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prev.getBytes(StandardCharsets.US_ASCII));
            sha.update(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
