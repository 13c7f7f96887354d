package jp.renkei.hub.audit;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.sign.AuditSeal;
import jp.renkei.hub.sign.SignatureFailure;
import org.bson.Document;

/**
 * Sealed checkpoints of the audit chain, in the store (collection {@code audit_checkpoints}). The chain is cut into
 * blocks of {@value #BLOCK} links; the checkpoint of block b ({@code _id} b) holds the hash of every link of the block
 * sealed so far (links {@code b*BLOCK+1} to {@code to}) under the hub's audit seal. A later checkpoint of the same
 * block replaces an earlier one only if it covers more links, so two nodes sealing at once both leave a true
 * checkpoint. Fixed blocks make the checkpoint of any link one lookup by key, also when reading a single event.
 *
 * <p>What is sealed is {@link #payload}: the block, its last sealed link and that link's hash, and the SHA-256 of all
 * the block's sealed hashes; the same bytes are sealed in the copy kept outside the store ({@link CheckpointCopies}).
 */
final class AuditCheckpoints {

    static final int BLOCK = 1000;
    private static final int REMEMBERED = 64;

    /** One block's checkpoint: the sealed hash of links {@link #from()} to {@code to}. */
    record Checkpoint(long block, long to, List<String> hashes, String jws) {

        long from() {
            return first(block);
        }

        String last() {
            return hashes.get(hashes.size() - 1);
        }

        /** The sealed hash of this link, or null when this checkpoint does not cover it. */
        String hashAt(long seq) {
            return seq < from() || seq > to ? null : hashes.get((int) (seq - from()));
        }

        String digest() {
            return AuditCheckpoints.digest(hashes);
        }

        byte[] payload() {
            return AuditCheckpoints.payload(block, to, last(), digest());
        }
    }

    private final MongoCollection<Document> checkpoints;
    private final AuditSeal seal;
    /** Seals that held, by seal and sealed bytes: checking a seal costs a signature verification and a chain. */
    private final Set<String> held = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<String, Boolean>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 20_000;
                }
            }));
    /** Checkpoints that held, for reads of single events; a block's newer checkpoint only adds links. */
    private final Map<Long, Checkpoint> recent = Collections.synchronizedMap(new LinkedHashMap<>(REMEMBERED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Checkpoint> eldest) {
            return size() > REMEMBERED;
        }
    });

    AuditCheckpoints(MongoDatabase db, AuditSeal seal) {
        this.checkpoints = db.getCollection("audit_checkpoints");
        this.seal = seal;
    }

    static long blockOf(long seq) {
        return (seq - 1) / BLOCK;
    }

    static long first(long block) {
        return block * BLOCK + 1;
    }

    static long lastOf(long block) {
        return (block + 1) * BLOCK;
    }

    /** The bytes a checkpoint's seal covers. */
    static byte[] payload(long block, long to, String last, String digest) {
        return ("renkei-audit-checkpoint/1\n" + block + "\n" + to + "\n" + last + "\n" + digest).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The block's checkpoint as stored now, or null.
     *
     * @throws AuditChain.BrokenSeal when it does not hold (changed, forged, or not sealed by an audit seal)
     */
    Checkpoint read(long block) {
        Document doc = checkpoints.find(eq("_id", block)).first();
        if (doc == null) {
            return null;
        }
        String hashes = doc.getString("hashes");
        Long to = doc.getLong("to");
        String jws = doc.getString("seal");
        if (hashes == null || to == null || jws == null || to < first(block) || to > lastOf(block)
                || hashes.length() != (to - first(block) + 1) * 64) {
            throw broken(block, "in the store is malformed");
        }
        List<String> list = new java.util.ArrayList<>((int) (to - first(block) + 1));
        for (int i = 0; i < hashes.length(); i += 64) {
            list.add(hashes.substring(i, i + 64));
        }
        Checkpoint checkpoint = new Checkpoint(block, to, List.copyOf(list), jws);
        byte[] payload;
        try {
            payload = checkpoint.payload();
        } catch (IllegalArgumentException e) {
            throw broken(block, "in the store is malformed");
        }
        checkSeal(block, payload, jws, "in the store");
        recent.merge(block, checkpoint, (old, now) -> now.to() >= old.to() ? now : old);
        return checkpoint;
    }

    /**
     * The newest block at or before {@code atMost} with a checkpoint in the store, or -1: point lookups backwards from
     * the head's block, which find it at once unless sealing has fallen far behind.
     */
    long newestBlock(long atMost) {
        for (long block = atMost; block >= 0; block--) {
            if (checkpoints.find(eq("_id", block)).projection(Projections.include("_id")).first() != null) {
                return block;
            }
        }
        return -1;
    }

    /** The sealed hash of a link for reading its event: a remembered checkpoint, else one lookup; null when unsealed. */
    String sealedHash(long seq) {
        long block = blockOf(seq);
        Checkpoint known = recent.get(block);
        if (known == null || known.to() < seq) {
            known = read(block);
        }
        return known == null ? null : known.hashAt(seq);
    }

    /**
     * Seals the hashes of links {@code first(block)} onwards and stores the checkpoint unless the store holds one of the
     * block covering as many links already (another node's). Returns the checkpoint sealed here.
     */
    Checkpoint seal(long block, List<String> hashes) {
        long to = first(block) + hashes.size() - 1;
        Checkpoint checkpoint = new Checkpoint(block, to, List.copyOf(hashes), null);
        String jws = seal.seal(checkpoint.payload());
        checkpoint = new Checkpoint(block, to, checkpoint.hashes(), jws);
        Document doc = new Document("_id", block).append("to", to).append("hashes", String.join("", hashes)).append("seal", jws)
                .append("sealed", new java.util.Date());
        try {
            checkpoints.replaceOne(and(eq("_id", block), lt("to", to)), doc, new ReplaceOptions().upsert(true));
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            // the store holds as much of this block already, sealed by another node
        }
        held.add(jws + "|" + new String(checkpoint.payload(), StandardCharsets.US_ASCII));
        return checkpoint;
    }

    /** @throws AuditChain.BrokenSeal when the seal does not hold over these bytes */
    void checkSeal(long block, byte[] payload, String jws, String where) {
        String key = jws + "|" + new String(payload, StandardCharsets.US_ASCII);
        if (held.contains(key)) {
            return;
        }
        try {
            seal.check(payload, jws);
        } catch (SignatureFailure failure) {
            throw broken(block, where + " fails its seal check (" + failure.getMessage() + ")");
        }
        held.add(key);
    }

    private static AuditChain.BrokenSeal broken(long block, String what) {
        return new AuditChain.BrokenSeal(first(block), "the checkpoint of links " + first(block) + "-" + lastOf(block) + " " + what);
    }

    static String digest(List<String> hashes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String hash : hashes) {
                sha.update(HexFormat.of().parseHex(hash));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
