package jp.renkei.hub.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jp.renkei.hub.sign.AuditSeal;
import jp.renkei.hub.sign.SignatureFailure;
import jp.renkei.hub.store.AuditCheckpointStore;

/**
 * Sealed checkpoints of the audit chain, in the store (collection {@code audit_checkpoints}). The chain is cut into
 * blocks of {@value #BLOCK} links; a checkpoint of block b holds the hash of every link of the block sealed so far
 * (links {@code b*BLOCK+1} to {@code to}) under the hub's audit seal. Documents are only inserted and found by
 * {@code _id} (the only filter the embedded store serves without a scan): the checkpoint {@code "<b>/<to>"}, and the
 * block's pointer {@code "<b>"} whose {@code to} only grows ({@code $max}), so two nodes sealing at once both leave a
 * true checkpoint and the pointer names the longer one. The checkpoint a pointer moved past is deleted.
 *
 * <p>What is sealed is {@link #payload}: the deployment, the sealing node, the block, its last sealed link, the first
 * link it sealed beyond the block's checkpoint before it, the last link's hash, the SHA-256 of all the block's sealed hashes, and whether it holds links sealed late on purpose
 * ({@code renkei.audit.seal-backlog}); the same bytes are sealed in the copy kept outside the store
 * ({@link CheckpointCopies}).
 */
final class AuditCheckpoints {

    static final int BLOCK = 1000;
    private static final int REMEMBERED = 64;
    /** How long a read of a single event trusts that a block was sealed no further than last looked up. */
    private static final long FRESH_MILLIS = 2000;

    /**
     * One block's checkpoint: the sealed hash of links {@link #from()} to {@code to}, as {@code node} sealed it then,
     * extending the block's checkpoint before it from link {@code since} on.
     */
    record Checkpoint(
            long block,
            long to,
            long since,
            List<String> hashes,
            String jws,
            String node,
            boolean late,
            Instant sealedAt) {

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
    }

    /** A block as last looked up for a read: its checkpoint (null: none then) and when. */
    private record Known(Checkpoint checkpoint, long lookedUp) {}

    private final AuditCheckpointStore checkpoints;
    private final AuditSeal seal;
    private final String deployment;
    private final String node;
    /** Seals that held, by the SHA-256 of seal and sealed bytes, with their signing time. */
    private final Map<String, Instant> held = lru(20_000);

    private final Map<Long, Known> recent = lru(REMEMBERED);
    /** The last link this node has seen sealed (read from the store or the copies, or sealed here): never less. */
    private final AtomicLong sealedThrough = new AtomicLong();

    AuditCheckpoints(AuditCheckpointStore checkpoints, AuditSeal seal, String deployment, String node) {
        this.checkpoints = checkpoints;
        this.seal = seal;
        this.deployment = deployment;
        this.node = node;
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

    String deployment() {
        return deployment;
    }

    /** The bytes a checkpoint's seal covers. */
    byte[] payload(String sealedBy, long block, long to, long since, String last, String digest, boolean late) {
        return ("renkei-audit-checkpoint/2\ndeployment " + deployment + "\nnode " + sealedBy + "\nblock " + block
                        + "\nto " + to + "\nsince " + since + "\nlast " + last + "\ndigest " + digest + "\nlate "
                        + late)
                .getBytes(StandardCharsets.UTF_8);
    }

    long sealedThrough() {
        return sealedThrough.get();
    }

    /** Notes that links up to {@code to} were sealed (a checkpoint whose seal held, here or outside the store). */
    void sealedUpTo(long to) {
        sealedThrough.accumulateAndGet(to, Math::max);
    }

    /** The {@code to} the block's pointer names, or null when the store has no checkpoint of it. */
    Long pointer(long block) {
        return checkpoints.pointer(block);
    }

    /**
     * The block's checkpoint as stored now, or null.
     *
     * @throws AuditChain.BrokenSeal when it does not hold (changed, forged, sealed by another hub) or its pointer names
     *                               one that is gone
     */
    Checkpoint read(long block) {
        Long to = pointer(block);
        for (int attempt = 0; to != null; attempt++) {
            AuditCheckpointStore.Stored doc = checkpoints.find(block, to);
            if (doc != null) {
                Checkpoint checkpoint = parse(block, to, doc);
                recent.put(block, new Known(checkpoint, System.currentTimeMillis()));
                return checkpoint;
            }
            Long again =
                    pointer(block); // another node sealed further and deleted the one the pointer named a moment ago
            if (attempt > 0 || again == null || again.equals(to)) {
                throw broken(block, "is missing from the store (its pointer names links up to " + to + ")");
            }
            to = again;
        }
        return null;
    }

    private Checkpoint parse(long block, long to, AuditCheckpointStore.Stored doc) {
        String hashes = doc.hashes();
        String jws = doc.seal();
        String sealedBy = doc.node();
        Long since = doc.since();
        if (hashes == null
                || jws == null
                || sealedBy == null
                || since == null
                || to < first(block)
                || to > lastOf(block)
                || hashes.length() != (to - first(block) + 1) * 64) {
            throw broken(block, "in the store is malformed");
        }
        List<String> list = new ArrayList<>((int) (to - first(block) + 1));
        for (int i = 0; i < hashes.length(); i += 64) {
            list.add(hashes.substring(i, i + 64));
        }
        boolean late = doc.late();
        byte[] payload;
        try {
            payload = payload(sealedBy, block, to, since, list.get(list.size() - 1), digest(list), late);
        } catch (IllegalArgumentException notHex) {
            throw broken(block, "in the store is malformed");
        }
        Instant sealedAt = checkSeal(block, payload, jws, "in the store");
        sealedUpTo(to);
        return new Checkpoint(block, to, since, List.copyOf(list), jws, sealedBy, late, sealedAt);
    }

    /**
     * The newest block at or before {@code atMost} with a checkpoint in the store, or -1: lookups of pointers backwards
     * from {@code atMost}, which find it at once unless sealing has fallen far behind.
     */
    long newestBlock(long atMost) {
        for (long block = atMost; block >= 0; block--) {
            if (pointer(block) != null) {
                return block;
            }
        }
        return -1;
    }

    /**
     * The sealed hash of a link for reading its event, or null when it is not sealed. A block's checkpoint is read once
     * and remembered; past what it covers, only the block's pointer is looked up, and not again for a few seconds unless
     * the link is known to be sealed since.
     */
    String sealedHash(long seq) {
        long block = blockOf(seq);
        Known known = recent.get(block);
        if (known != null
                && known.checkpoint() != null
                && seq <= known.checkpoint().to()) {
            return known.checkpoint().hashAt(seq);
        }
        long now = System.currentTimeMillis();
        if (known != null && seq > sealedThrough() && now - known.lookedUp() < FRESH_MILLIS) {
            return null;
        }
        Long to = pointer(block);
        if (to == null || to < seq) {
            recent.put(block, new Known(known == null ? null : known.checkpoint(), now));
            return null;
        }
        Checkpoint checkpoint = read(block);
        return checkpoint == null ? null : checkpoint.hashAt(seq);
    }

    /**
     * Seals the hashes of links {@code first(block)} onwards and stores the checkpoint; {@code replaces} is the
     * {@code to} of the block's checkpoint it extends (0: none). Returns the checkpoint sealed here.
     *
     * @throws SignatureFailure when the audit seal cannot seal now (its certificate expired)
     */
    Checkpoint seal(long block, List<String> hashes, boolean late, long replaces) {
        long to = first(block) + hashes.size() - 1;
        long since = replaces > 0 ? replaces + 1 : first(block);
        String last = hashes.get(hashes.size() - 1);
        String digest = digest(hashes);
        byte[] payload = payload(node, block, to, since, last, digest, late);
        String jws = seal.seal(payload);
        Date now = new Date();
        // false: another node sealed the same links just now; its checkpoint is as true as this one
        checkpoints.insert(
                block, to, new AuditCheckpointStore.Stored(String.join("", hashes), jws, node, since, late, now));
        checkpoints.point(block, to);
        if (replaces > 0) {
            checkpoints.delete(block, replaces);
        }
        held.put(sha256(jws + "\n" + new String(payload, StandardCharsets.UTF_8)), now.toInstant());
        sealedUpTo(to);
        Checkpoint sealed = new Checkpoint(block, to, since, List.copyOf(hashes), jws, node, late, now.toInstant());
        recent.put(block, new Known(sealed, System.currentTimeMillis()));
        return sealed;
    }

    /**
     * Returns the seal's signing time.
     *
     * @throws AuditChain.BrokenSeal when the seal does not hold over these bytes
     */
    Instant checkSeal(long block, byte[] payload, String jws, String where) {
        String key = sha256(jws + "\n" + new String(payload, StandardCharsets.UTF_8));
        Instant known = held.get(key);
        if (known != null) {
            return known;
        }
        Instant sealedAt;
        try {
            sealedAt = seal.check(payload, jws);
        } catch (SignatureFailure failure) {
            throw broken(block, where + " fails its seal check (" + failure.getMessage() + ")");
        }
        held.put(key, sealedAt);
        return sealedAt;
    }

    private static AuditChain.BrokenSeal broken(long block, String what) {
        return new AuditChain.BrokenSeal(
                first(block), "the checkpoint of links " + first(block) + "-" + lastOf(block) + " " + what);
    }

    static String digest(List<String> hashes) {
        MessageDigest sha = sha256();
        for (String hash : hashes) {
            sha.update(HexFormat.of().parseHex(hash));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <K, V> Map<K, V> lru(int size) {
        return Collections.synchronizedMap(new LinkedHashMap<>(Math.min(size, 256), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > size;
            }
        });
    }
}
