package jp.renkei.hub.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.StoredResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anchors the audit chain outside what a person with write access to the database can recompute, and watches it.
 * <ul>
 * <li>Sealing: every {@code checkpoint-every} events or {@code checkpoint-interval}, the links chained since the last
 * checkpoint are checked against their events and sealed ({@link AuditCheckpoints}), and each checkpoint is also
 * appended to this node's file outside the store ({@link CheckpointCopies}).</li>
 * <li>Checking: at start-up from the newest checkpoint on (in the background, so start-up stays quick on any chain),
 * the whole chain every {@code verify-interval}, and on {@code $verify-audit-chain}; each compares the links with
 * the sealed hashes, the store's checkpoints with the copies outside it, and the head with the sealed length.</li>
 * <li>A break raises an alert once per problem and node: one ERROR log line and a Security Alert AuditEvent, naming
 * links, AuditEvent ids and checkpoints only, never patient data.</li>
 * </ul>
 * Nothing another node needs is kept here: where sealing resumes is read from the store each round, and a node
 * sealing the same block at the same time leaves a checkpoint as true as this one.
 */
public final class AuditAnchoring implements AutoCloseable {

    /** What a check found; {@code firstBroken} is 0 when nothing is wrong. */
    public record Status(long links, long firstBroken, String problem, boolean anchored, long sealedThrough, boolean anchorsAgree) {
        public boolean intact() {
            return firstBroken == 0;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(AuditAnchoring.class);
    private static final String GENESIS = "0".repeat(64);

    private final AuditChain chain;
    private final AuditCheckpoints checkpoints;
    private final CheckpointCopies copies;
    private final ResourceStore store;
    private final AuditTrail trail;
    private final AuditProperties properties;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "audit-anchoring");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> alerted = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Status> startup = new CompletableFuture<>();
    private final AtomicBoolean roundQueued = new AtomicBoolean();
    private volatile CompletableFuture<Status> nextScheduled = new CompletableFuture<>();
    /** The last link sealed by this node: only when to start the next round early, never where it starts. */
    private volatile long sealedHere;

    /** {@code checkpoints} and {@code copies} are null when the chain is not anchored (tests without a PKI). */
    AuditAnchoring(AuditChain chain, AuditCheckpoints checkpoints, CheckpointCopies copies, ResourceStore store,
                   AuditTrail trail, AuditProperties properties) {
        this.chain = chain;
        this.checkpoints = checkpoints;
        this.copies = copies;
        this.store = store;
        this.trail = trail;
        this.properties = properties;
    }

    boolean anchored() {
        return checkpoints != null;
    }

    void start() {
        if (anchored()) {
            chain.onAppend(seq -> {
                if (seq - sealedHere >= properties.checkpointEvery() && roundQueued.compareAndSet(false, true)) {
                    executor.execute(this::sealQuietly);
                }
            });
        }
        executor.execute(() -> {
            try {
                Status status = quickCheck();
                alertIfBroken(status);
                startup.complete(status);
            } catch (RuntimeException e) {
                log.error("The audit chain check at start-up failed", e);
                startup.completeExceptionally(e);
            }
            if (anchored()) {
                sealQuietly();
            }
        });
        if (anchored()) {
            long every = properties.checkpointInterval().toMillis();
            executor.scheduleWithFixedDelay(this::sealQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        long verify = properties.verifyInterval().toMillis();
        executor.scheduleWithFixedDelay(this::scheduledCheck, verify, verify, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** The check made at start-up (from the newest checkpoint on), once done. */
    public CompletableFuture<Status> startupCheck() {
        return startup;
    }

    /** The next scheduled check of the whole chain, once done. */
    public CompletableFuture<Status> nextScheduledCheck() {
        return nextScheduled;
    }

    /** Seals what was chained since the last checkpoint now, as the schedule would. */
    public void checkpointNow() {
        try {
            executor.submit(this::seal).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Sealing a checkpoint failed", e.getCause());
        }
    }

    /** Checks the whole chain and its anchors ({@code $verify-audit-chain}); a break raises the alert. */
    public Status verify() {
        Status status = check(1, anchored() ? copies.newest(true) : Map.of());
        alertIfBroken(status);
        return status;
    }

    private void scheduledCheck() {
        CompletableFuture<Status> done = nextScheduled;
        nextScheduled = new CompletableFuture<>();
        try {
            done.complete(verify());
        } catch (RuntimeException e) {
            log.error("The scheduled audit chain check failed", e);
            done.completeExceptionally(e);
        }
    }

    /** From the start of the newest checkpoint's block on, with each node's last copy: cheap on any chain. */
    Status quickCheck() {
        if (!anchored()) {
            return check(1, Map.of());
        }
        Map<Long, CheckpointCopies.Copy> lastCopies = copies.newest(false);
        long head = chain.head().seq();
        long newest = checkpoints.newestBlock(Math.max(AuditCheckpoints.blockOf(Math.max(head, 1)),
                lastCopies.keySet().stream().mapToLong(Long::longValue).max().orElse(0)));
        return check(newest < 0 ? 1 : AuditCheckpoints.first(newest), lastCopies);
    }

    private record Problem(long link, String text) {
    }

    private Status check(long from, Map<Long, CheckpointCopies.Copy> outside) {
        Function<String, String> events = id -> {
            StoredResource stored = store.read("AuditEvent", id);
            return stored == null || stored.deleted() ? null : stored.json();
        };
        if (!anchored()) {
            AuditChain.Verification walk = chain.verify(events);
            return new Status(walk.links(), walk.firstBroken(), walk.problem(), false, 0, true);
        }
        List<Problem> problems = new ArrayList<>();
        boolean agree = true;
        AuditChain.Head head = chain.head();
        long sealedThrough = 0;
        for (CheckpointCopies.Copy copy : outside.values()) {
            long first = AuditCheckpoints.first(copy.block());
            sealedThrough = Math.max(sealedThrough, copy.to());
            try {
                checkpoints.checkSeal(copy.block(), copy.payload(), copy.seal(), "kept outside the store (" + copy.file() + ")");
                AuditCheckpoints.Checkpoint stored = checkpoints.read(copy.block());
                if (stored == null || stored.to() < copy.to() || !copy.last().equals(stored.hashAt(copy.to()))) {
                    agree = false;
                    problems.add(new Problem(first, "the checkpoint of links " + first + "-" + copy.to() + " kept outside the store ("
                            + copy.file() + ") is " + (stored == null || stored.to() < copy.to() ? "missing from" : "different in")
                            + " the store: checkpoints were deleted or rolled back"));
                }
            } catch (AuditChain.BrokenSeal broken) {
                agree = false;
                problems.add(new Problem(broken.firstLink, broken.getMessage()));
            }
            AuditChain.Link link = chain.link(copy.to());
            if (head.seq() >= copy.to() && (link == null || !copy.last().equals(link.hash()))) {
                problems.add(new Problem(copy.to(), "link " + copy.to() + " no longer matches its checkpoint kept outside the store ("
                        + copy.file() + "): the chain up to it was rewritten"));
            }
        }
        long newest = checkpoints.newestBlock(Math.max(AuditCheckpoints.blockOf(Math.max(head.seq(), 1)),
                outside.keySet().stream().mapToLong(Long::longValue).max().orElse(0)));
        Blocks sealed = new Blocks(newest);
        try {
            AuditCheckpoints.Checkpoint last = newest < 0 ? null : checkpoints.read(newest);
            sealedThrough = Math.max(sealedThrough, last == null ? 0 : last.to());
        } catch (AuditChain.BrokenSeal broken) {
            problems.add(new Problem(broken.firstLink, broken.getMessage()));
        }
        if (head.seq() < sealedThrough) {
            problems.add(new Problem(head.seq() + 1, "the chain ends at link " + head.seq() + " but links up to " + sealedThrough
                    + " were sealed: links were removed"));
        }
        AuditChain.Verification walk = chain.verify(events, sealed, from);
        if (!walk.intact()) {
            problems.add(new Problem(walk.firstBroken(), walk.problem()));
        }
        for (long block : sealed.missing) {
            agree = false;
            problems.add(new Problem(AuditCheckpoints.first(block), "the checkpoint of links " + AuditCheckpoints.first(block) + "-"
                    + AuditCheckpoints.lastOf(block) + " is missing from the store, though later links are sealed"));
        }
        Problem first = problems.stream().min(Comparator.comparingLong(Problem::link)).orElse(null);
        return new Status(head.seq(), first == null ? 0 : first.link(), first == null ? null : first.text(), true, sealedThrough, agree);
    }

    /** The store's checkpoints block by block as a walk asks for them, noting blocks missing before the newest one. */
    private final class Blocks implements AuditChain.Sealed {
        private final long newest;
        private final Map<Long, AuditCheckpoints.Checkpoint> read = new HashMap<>();
        final List<Long> missing = new ArrayList<>();

        Blocks(long newest) {
            this.newest = newest;
        }

        @Override
        public String at(long seq) {
            long block = AuditCheckpoints.blockOf(seq);
            if (!read.containsKey(block)) {
                read.keySet().removeIf(b -> b < block - 1); // a walk only looks back one link
                AuditCheckpoints.Checkpoint checkpoint = checkpoints.read(block);
                if (checkpoint == null && block < newest) {
                    missing.add(block);
                }
                read.put(block, checkpoint);
            }
            AuditCheckpoints.Checkpoint checkpoint = read.get(block);
            return checkpoint == null ? null : checkpoint.hashAt(seq);
        }
    }

    private void sealQuietly() {
        try {
            seal();
        } catch (RuntimeException e) {
            log.error("Sealing an audit chain checkpoint failed", e);
        }
    }

    /**
     * Seals the links chained since the newest checkpoint, block by block. A link is sealed only if it follows the one
     * before (sealed or checked); an event that no longer matches its link does not stop sealing (the link still holds
     * the hash the hub computed, and the sealed hash keeps the change visible) but raises the alert. Where the store
     * lacks a block's checkpoint that a copy outside it holds, the block is sealed again only if its links still match
     * that copy: a deleted checkpoint is never replaced by one of rewritten links.
     */
    private Void seal() {
        roundQueued.set(false);
        AuditChain.Head head = chain.head();
        if (head.seq() == 0) {
            return null;
        }
        Map<Long, CheckpointCopies.Copy> lastCopies = copies.newest(false);
        long copiedThrough = lastCopies.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
        long block = Math.max(0, checkpoints.newestBlock(AuditCheckpoints.blockOf(head.seq())));
        boolean eventChanged = false;
        try {
            while (block <= AuditCheckpoints.blockOf(head.seq())) {
                AuditCheckpoints.Checkpoint existing = checkpoints.read(block);
                long end = Math.min(AuditCheckpoints.lastOf(block), head.seq());
                if (existing != null && existing.to() >= end) {
                    if (existing.to() < AuditCheckpoints.lastOf(block)) {
                        break;
                    }
                    block++;
                    continue;
                }
                if (existing == null && block < copiedThrough) {
                    break; // sealed before (a later block was) but gone from the store: the checks report it
                }
                List<String> hashes = new ArrayList<>(existing == null ? List.of() : existing.hashes());
                long next = AuditCheckpoints.first(block) + hashes.size();
                String prev = existing != null ? existing.last() : before(block);
                if (prev == null) {
                    break;
                }
                Map<Long, AuditChain.Link> links = chain.links(next, end);
                for (long seq = next; seq <= end; seq++) {
                    AuditChain.Link link = links.get(seq);
                    if (link == null || !prev.equals(link.prev()) || !link.hash().matches("[0-9a-f]{64}")) {
                        break;
                    }
                    StoredResource event = store.read("AuditEvent", link.event());
                    if (event == null || event.deleted() || !AuditChain.hash(prev, event.json()).equals(link.hash())) {
                        eventChanged = true;
                    }
                    hashes.add(link.hash());
                    prev = link.hash();
                }
                CheckpointCopies.Copy copy = lastCopies.get(block);
                if (hashes.size() == (existing == null ? 0 : existing.hashes().size()) || !agrees(copy, hashes)) {
                    break;
                }
                AuditCheckpoints.Checkpoint sealed = checkpoints.seal(block, hashes);
                copies.append(sealed);
                sealedHere = sealed.to();
                if (sealed.to() < AuditCheckpoints.lastOf(block)) {
                    break;
                }
                block++;
            }
        } catch (AuditChain.BrokenSeal broken) {
            eventChanged = true; // the check below names it
        }
        if (eventChanged) {
            alertIfBroken(quickCheck());
        }
        return null;
    }

    /** The sealed hash of the link before the block: the previous block's checkpoint (full), else genesis or nothing. */
    private String before(long block) {
        if (block == 0) {
            return GENESIS;
        }
        AuditCheckpoints.Checkpoint previous = checkpoints.read(block - 1);
        return previous == null || previous.to() < AuditCheckpoints.lastOf(block - 1) ? null : previous.last();
    }

    /** Whether the hashes about to be sealed agree with this node's or another's last copy of the block. */
    private static boolean agrees(CheckpointCopies.Copy copy, List<String> hashes) {
        if (copy == null) {
            return true;
        }
        int covered = (int) (copy.to() - AuditCheckpoints.first(copy.block()) + 1);
        return hashes.size() >= covered && copy.last().equals(hashes.get(covered - 1))
                && copy.digest().equals(AuditCheckpoints.digest(hashes.subList(0, covered)));
    }

    private void alertIfBroken(Status status) {
        if (status.intact()) {
            return;
        }
        if (alerted.size() > 1000) {
            alerted.clear();
        }
        if (!alerted.add(status.problem())) {
            return;
        }
        log.error("Audit chain integrity alert: {} (first broken link {})", status.problem(), status.firstBroken());
        try {
            trail.recordSecurityAlert("audit chain broken at link " + status.firstBroken() + ": " + status.problem());
        } catch (RuntimeException e) {
            log.error("Could not record the audit chain alert as an AuditEvent", e);
        }
    }
}
