package jp.renkei.hub.audit;

import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import jp.renkei.hub.sign.SignatureFailure;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;

/**
 * Seals the links chained since the last checkpoint, block by block, and copies each checkpoint outside the store.
 * Sealing only goes forward from the furthest link known sealed (in the store, in the copies, or seen by this node):
 * a checkpoint the store lost is never made again, and links chained longer ago than
 * {@code checkpoint-interval + seal-grace} are not sealed (a person who deleted the checkpoints and the copies would
 * otherwise have a rewritten chain sealed anew) unless {@code renkei.audit.seal-backlog} says so, once; such
 * checkpoints say they were sealed late, and so do the later checkpoints of their block, which carry their links on.
 * A link is sealed only if it follows the one before.
 */
final class CheckpointSealer {

    /** An audit seal expiring within this is announced, once. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private final AuditChain chain;
    private final Anchors anchors;
    private final Records records;
    private final AuditProperties properties;
    private final AuditAlerts alerts;
    private final Supplier<AuditAnchoring.Status> quickCheck;
    private Instant expiryLookedAt = Instant.EPOCH;
    private X509Certificate expiryLookedAtFor;

    CheckpointSealer(
            AuditChain chain,
            Anchors anchors,
            Records records,
            AuditProperties properties,
            AuditAlerts alerts,
            Supplier<AuditAnchoring.Status> quickCheck) {
        this.chain = chain;
        this.anchors = anchors;
        this.records = records;
        this.properties = properties;
        this.alerts = alerts;
        this.quickCheck = quickCheck;
    }

    /** Whether enough links were chained since the last one known sealed to seal now rather than on the schedule. */
    boolean due(long appended) {
        return appended - anchors.checkpoints().sealedThrough() >= properties.checkpointEvery();
    }

    /** One round: seals what was chained since the newest checkpoint, if it may. */
    void round() {
        announceExpiry();
        AuditCheckpoints checkpoints = anchors.checkpoints();
        CheckpointCopies.Read copies = anchors.copies().lastLines();
        long known = Math.max(
                checkpoints.sealedThrough(), copies.sealedThrough()); // the store holds as much, unless it lost some
        AuditChain.Head head = chain.head();
        long newest = checkpoints.newestBlock(Math.max(
                AuditCheckpoints.blockOf(Math.max(head.seq(), 1)),
                Math.max(copies.newestBlock(), AuditCheckpoints.blockOf(Math.max(known, 1)))));
        AuditCheckpoints.Checkpoint stored;
        try {
            stored = newest < 0 ? null : checkpoints.read(newest);
        } catch (AuditChain.BrokenSeal broken) {
            alerts.raise(quickCheck.get());
            return;
        }
        long storedThrough = stored == null ? 0 : stored.to();
        if (storedThrough < known) {
            alerts.raise(
                    quickCheck.get()); // the store lost checkpoints: the check names them, and nothing is sealed over
            // them
            return;
        }
        if (head.seq() <= storedThrough) {
            return;
        }
        Boolean late = late(storedThrough + 1);
        if (late == null) {
            return;
        }
        boolean full = stored == null || stored.to() == AuditCheckpoints.lastOf(stored.block());
        long block = stored == null ? 0 : full ? stored.block() + 1 : stored.block();
        List<String> hashes = full ? new ArrayList<>() : new ArrayList<>(stored.hashes());
        long replaces = full ? 0 : stored.to();
        String prev = stored == null ? AuditChain.GENESIS : stored.last();
        boolean suspicious = false;
        for (long next = storedThrough + 1; next <= head.seq(); block++, hashes = new ArrayList<>(), replaces = 0) {
            long end = Math.min(AuditCheckpoints.lastOf(block), head.seq());
            int before = hashes.size();
            Map<Long, AuditChain.Link> links = chain.links(next, end);
            for (long seq = next; seq <= end; seq++) {
                AuditChain.Link link = links.get(seq);
                if (link == null || !prev.equals(link.prev()) || !link.hash().matches("[0-9a-f]{64}")) {
                    suspicious = true; // not sealed: the check says what is wrong
                    break;
                }
                StoredResource event = records.read("AuditEvent", link.event());
                // a changed event does not stop sealing (its link holds the hash the hub computed, and the sealed hash
                // keeps the change visible), but raises the alert
                suspicious |= event == null
                        || event.deleted()
                        || !AuditChain.hash(prev, event.json()).equals(link.hash());
                hashes.add(link.hash());
                prev = link.hash();
            }
            if (hashes.size() == before) {
                break;
            }
            AuditCheckpoints.Checkpoint sealed;
            try {
                // a checkpoint extending one sealed late on purpose carries its links on, so it says so too
                sealed = checkpoints.seal(block, hashes, late || (replaces > 0 && stored.late()), replaces);
            } catch (SignatureFailure unusable) {
                alerts.raise(
                        AuditAlerts.Kind.ANCHORING,
                        "seal-unusable|" + anchors.seal().certificate().getSerialNumber(),
                        "no audit chain checkpoint can be sealed: " + unusable.getMessage());
                return;
            }
            copy(sealed);
            next = sealed.to() + 1;
            if (sealed.to() < AuditCheckpoints.lastOf(block)) {
                break;
            }
        }
        if (suspicious) {
            alerts.raise(quickCheck.get());
        }
    }

    /**
     * Whether the checkpoint starting at link {@code first} is sealed late (on purpose); null when it must not be sealed:
     * the link was chained too long ago and no backlog is to be sealed.
     */
    private Boolean late(long first) {
        AuditChain.Link link = chain.link(first);
        StoredResource event = link == null ? null : records.read("AuditEvent", link.event());
        if (event == null) {
            return false; // not sealed anyway: the link or its event is missing
        }
        Instant chained = Instant.ofEpochMilli(AuditChain.chainedAt(event));
        if (!chained.plus(properties.sealWithin()).isBefore(Instant.now())) {
            return false;
        }
        if (properties.sealBacklog()) {
            return true;
        }
        alerts.raise(
                AuditAlerts.Kind.ANCHORING,
                "sealing-refused|" + first,
                "links from " + first + " on are not sealed: link " + first
                        + " was chained at " + chained + ", more than " + properties.sealWithin()
                        + " ago, and sealing it now would vouch for"
                        + " whatever the database holds today. Their checkpoints were deleted, or sealing stopped. Once the chain is"
                        + " verified against a backup or the copies, start one node once with renkei.audit.seal-backlog=true"
                        + " (RENKEI_AUDIT_SEAL_BACKLOG)");
        return null;
    }

    private void copy(AuditCheckpoints.Checkpoint sealed) {
        try {
            anchors.copies().append(sealed);
        } catch (UncheckedIOException e) {
            alerts.raise(
                    AuditAlerts.Kind.ANCHORING,
                    "copies-unwritable|" + anchors.copies().file(),
                    "checkpoints are sealed in the"
                            + " store but cannot be copied outside it: " + e.getMessage()
                            + ". Until they can, deleted or rolled back"
                            + " checkpoints go unnoticed");
        }
    }

    private void announceExpiry() {
        X509Certificate certificate = anchors.seal().certificate();
        if (certificate.equals(expiryLookedAtFor)
                && expiryLookedAt.isAfter(Instant.now().minus(Duration.ofHours(1)))) {
            return;
        }
        expiryLookedAt = Instant.now();
        expiryLookedAtFor = certificate;
        Instant notAfter = certificate.getNotAfter().toInstant();
        // an expired one seals nothing, and sealing says so
        if (Instant.now().plus(EXPIRY_WARNING).isAfter(notAfter)
                && Instant.now().isBefore(notAfter)) {
            alerts.raise(
                    AuditAlerts.Kind.ANCHORING,
                    "seal-expiring|" + certificate.getSerialNumber(),
                    "the hub's audit seal "
                            + anchors.seal().location() + " expires at " + notAfter
                            + ": issue a new one with deploy/pki.sh audit-seal before"
                            + " then (the former one is kept beside it to check what it sealed)");
        }
    }
}
