package jp.renkei.hub.audit;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.bson.Document;

/**
 * The hash chain over all AuditEvents. Link n names event n and holds
 * {@code hash(n) = SHA-256(hash(n-1) || stored JSON of event n)}; the head remembers the last link.
 * Changing a stored event changes its hash, removing one leaves a missing event or a gap in the
 * sequence, and reordering breaks the {@code prev} of the next link, so {@link #verify} finds the
 * first broken link in each case. Links are numbered by their unique {@code _id}, so two hubs on
 * one database cannot both append link n.
 */
public final class AuditChain {

    /** The result of a verification: {@code firstBroken} is 0 when the chain is intact. */
    public record Verification(long links, long firstBroken, String problem) {
        public boolean intact() {
            return firstBroken == 0;
        }
    }

    private static final String GENESIS = "0".repeat(64);
    private static final int BATCH = 1000;

    private final MongoCollection<Document> links;
    private final MongoCollection<Document> head;
    private final ReentrantLock appending = new ReentrantLock();
    private long lastSeq = -1;
    private String lastHash;

    public AuditChain(MongoDatabase db) {
        this.links = db.getCollection("audit_chain");
        this.head = db.getCollection("audit_chain_head");
    }

    /** Appends the event (its id and its JSON exactly as stored); returns its sequence number. */
    public long append(String eventId, String storedJson) {
        appending.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                if (lastSeq < 0) {
                    Document h = head.find(eq("_id", "head")).first();
                    lastSeq = h == null ? 0 : h.getLong("seq");
                    lastHash = h == null ? GENESIS : h.getString("hash");
                }
                long seq = lastSeq + 1;
                String hash = hash(lastHash, storedJson);
                try {
                    links.insertOne(new Document("_id", seq).append("event", eventId).append("prev", lastHash).append("hash", hash));
                } catch (MongoWriteException e) {
                    if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY && attempt < 1000) {
                        // Link n exists already (another hub appended it, or the head lags behind): follow it.
                        Document taken = links.find(eq("_id", seq)).first();
                        if (taken == null || taken.getString("hash") == null) {
                            throw new IllegalStateException("audit chain link " + seq + " is damaged; the chain cannot be extended");
                        }
                        lastSeq = seq;
                        lastHash = taken.getString("hash");
                        continue;
                    }
                    throw e;
                }
                head.replaceOne(eq("_id", "head"), new Document("_id", "head").append("seq", seq).append("hash", hash),
                        new ReplaceOptions().upsert(true));
                lastSeq = seq;
                lastHash = hash;
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
     * Walks the chain from the first link. {@code storedEvent} gives an event's stored JSON, or null
     * when the event no longer exists.
     */
    public Verification verify(Function<String, String> storedEvent) {
        Document h = head.find(eq("_id", "head")).first();
        long last = h == null ? 0 : h.getLong("seq");
        String prev = GENESIS;
        for (long from = 1; from <= last; from += BATCH) {
            List<Long> ids = new ArrayList<>();
            for (long s = from; s < Math.min(last + 1, from + BATCH); s++) {
                ids.add(s);
            }
            Map<Long, Document> found = new HashMap<>();
            for (Document link : links.find(in("_id", ids))) {
                found.put(link.getLong("_id"), link);
            }
            for (long seq : ids) {
                Document link = found.get(seq);
                if (link == null) {
                    return new Verification(last, seq, "link " + seq + " is missing");
                }
                if (!prev.equals(link.getString("prev"))) {
                    return new Verification(last, seq, "link " + seq + " does not follow link " + (seq - 1) + " (reordered or replaced)");
                }
                String json = storedEvent.apply(link.getString("event"));
                if (json == null) {
                    return new Verification(last, seq, "AuditEvent/" + link.getString("event") + " of link " + seq + " is missing");
                }
                if (!hash(prev, json).equals(link.getString("hash"))) {
                    return new Verification(last, seq, "AuditEvent/" + link.getString("event") + " of link " + seq + " was changed");
                }
                prev = link.getString("hash");
            }
        }
        if (h != null && !prev.equals(h.getString("hash"))) {
            return new Verification(last, last, "the head does not match the last link");
        }
        return new Verification(last, 0, null);
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
