package jp.renkei.hub.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jp.renkei.hub.store.AuditCheckStore;
import jp.renkei.hub.store.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the audit chain is sealed and checked (docs/security.md, "Anchoring"):
 * <ul>
 * <li>Sealing ({@link CheckpointSealer}), on its own thread: once {@code checkpoint-every} events were chained since
 * the last link known sealed, every {@code checkpoint-interval}, and once more when the hub stops.</li>
 * <li>Checking ({@link ChainCheck}): at start-up from the newest checkpoint on (in the background, so start-up stays
 * quick on any chain), the whole chain on {@code $verify-audit-chain} and, on a thread of its own so that sealing never
 * waits for it, every {@code verify-interval} counted from the last full check of any node (kept in the store, so
 * nodes restarted more often than that still check).</li>
 * <li>What a check finds raises the alerts ({@link AuditAlerts}).</li>
 * </ul>
 */
public final class AuditAnchoring implements AutoCloseable {

    /**
     * What a check found: {@code firstBroken} is 0 when nothing is wrong; {@code notes} are findings that break nothing
     * but weaken the anchoring (unreadable copy lines, a node's copies missing, a backlog sealed late on purpose).
     */
    public record Status(
            long links,
            long firstBroken,
            String problem,
            boolean anchored,
            long sealedThrough,
            boolean anchorsAgree,
            List<String> notes) {
        public boolean intact() {
            return firstBroken == 0;
        }
    }

    /**
     * The result of a check this node made, when it finished, and whether it covered the whole chain (else from the
     * newest checkpoint's block on): what the hub's status reports instead of checking again.
     */
    public record Checked(Status status, Instant at, boolean whole) {}

    /** The newest sealed checkpoint in the store: the last link it seals and when it was sealed. */
    public record Sealed(long through, Instant sealedAt) {}

    private static final Logger log = LoggerFactory.getLogger(AuditAnchoring.class);
    private static final String FULL_CHECK = "full";

    private final AuditChain chain;
    private final ChainCheck check;
    private final Optional<CheckpointSealer> sealer;
    private final AuditAlerts alerts;
    private final AuditProperties properties;
    private final AuditCheckStore checks;
    private final ScheduledExecutorService sealing = daemon("audit-sealing");
    private final ScheduledExecutorService verifying = daemon("audit-verifying");
    private final CompletableFuture<Status> startup = new CompletableFuture<>();
    private final AtomicBoolean roundQueued = new AtomicBoolean();
    private final AtomicLong appendsSeen = new AtomicLong();
    private final CompletableFuture<Status> firstScheduled = new CompletableFuture<>();
    private final AtomicReference<Checked> lastCheck = new AtomicReference<>();
    private final Optional<Anchors> anchors;

    AuditAnchoring(
            AuditChain chain,
            Optional<Anchors> anchors,
            Records records,
            AuditCheckStore checks,
            AuditTrail trail,
            AuditProperties properties) {
        this.chain = chain;
        this.properties = properties;
        this.alerts = new AuditAlerts(trail);
        this.check = new ChainCheck(chain, anchors, records, properties);
        this.anchors = anchors;
        this.sealer = anchors.map(a -> new CheckpointSealer(chain, a, records, properties, alerts, this::quickCheck));
        this.checks = checks;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the tasks catch and report their own failures; nothing awaits them
    void start() {
        sealer.ifPresent(s -> chain.onAppend(seq -> {
            if (s.due(seq) && roundQueued.compareAndSet(false, true)) {
                sealing.execute(this::roundQuietly);
            }
            appendsSeen.incrementAndGet(); // after the round is queued: awaitSealing then knows it may be behind it
        }));
        sealing.execute(() -> {
            try {
                Status status = quickCheck();
                alerts.raise(status);
                startup.complete(status);
            } catch (RuntimeException e) {
                log.error("The audit chain check at start-up failed", e);
                startup.completeExceptionally(e);
            }
            roundQuietly();
        });
        if (sealer.isPresent()) {
            long every = properties.checkpointInterval().toMillis();
            sealing.scheduleWithFixedDelay(this::roundQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        verifying.execute(this::fullCheckWhenDue);
    }

    /** Seals what was chained since the last checkpoint (a restart then has less to seal), then stops. */
    @Override
    public void close() {
        verifying.shutdownNow();
        if (sealer.isPresent() && !sealing.isShutdown()) {
            try {
                sealing.submit(this::roundQuietly).get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("The last audit chain checkpoint before stopping was not sealed ({})", e.toString());
            }
        }
        sealing.shutdownNow();
    }

    /** The check made at start-up (from the newest checkpoint on), once done. */
    public CompletableFuture<Status> startupCheck() {
        return startup;
    }

    /** The first scheduled check of the whole chain since start-up, once done. */
    public CompletableFuture<Status> firstScheduledCheck() {
        return firstScheduled;
    }

    /** Seals what was chained since the last checkpoint now, as the schedule would; failures are thrown (for tests). */
    void checkpointNow() {
        try {
            sealing.submit(() -> {
                        roundQueued.set(false);
                        sealer.orElseThrow().round();
                    })
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Sealing a checkpoint failed", e.getCause());
        }
    }

    /**
     * Waits until no sealing round is queued or under way, while nothing else appends events (for tests, before they
     * change the store behind the hub's back: a round reads the store first and writes later). A round's alerts are
     * events, whose appending may queue another round behind the one waited for, so it waits again until no event was
     * appended meanwhile.
     */
    void awaitSealing() throws InterruptedException, ExecutionException {
        long seen;
        do {
            seen = appendsSeen.get();
            sealing.submit(() -> {}).get();
        } while (appendsSeen.get() != seen);
    }

    /** Checks the whole chain and its anchors ({@code $verify-audit-chain}, the schedule); what it finds raises the alerts. */
    public Status verify() {
        Status status = check.full();
        lastCheck.set(new Checked(status, Instant.now(), true));
        alerts.raise(status);
        checks.checked(FULL_CHECK, Instant.now());
        return status;
    }

    /** The latest check this node made (at start-up, scheduled, asked for, or on a suspicious sealing round); empty until one finished. */
    public Optional<Checked> lastCheck() {
        return Optional.ofNullable(lastCheck.get());
    }

    /** When any node last checked the whole chain (one lookup by {@code _id}); empty when none has yet. */
    public Optional<Instant> lastFullCheckOfAnyNode() {
        return Optional.ofNullable(checks.last(FULL_CHECK));
    }

    /**
     * The newest checkpoint in the store, its seal checked (a few lookups by {@code _id}: the head, then block pointers
     * backwards from the head's block); empty when the chain is not anchored, nothing is sealed yet, or that checkpoint
     * does not hold (the checks report why).
     */
    public Optional<Sealed> newestCheckpoint() {
        if (anchors.isEmpty()) {
            return Optional.empty();
        }
        AuditCheckpoints checkpoints = anchors.get().checkpoints();
        long block = checkpoints.newestBlock(
                AuditCheckpoints.blockOf(Math.max(chain.head().seq(), 1)));
        try {
            AuditCheckpoints.Checkpoint newest = block < 0 ? null : checkpoints.read(block);
            return newest == null ? Optional.empty() : Optional.of(new Sealed(newest.to(), newest.sealedAt()));
        } catch (AuditChain.BrokenSeal broken) {
            return Optional.empty();
        }
    }

    private Status quickCheck() {
        Status status = check.quick();
        lastCheck.set(new Checked(status, Instant.now(), false));
        return status;
    }

    private void roundQuietly() {
        roundQueued.set(false);
        if (sealer.isEmpty()) {
            return; // an unanchored chain (no audit seal, local tests only) has nothing to seal: not a failure to alert
            // on
        }
        try {
            sealer.orElseThrow().round();
        } catch (RuntimeException e) {
            log.debug("Sealing an audit chain checkpoint failed", e);
            alerts.raise(
                    AuditAlerts.Kind.ANCHORING,
                    "sealing-failed|" + e.getClass().getName(),
                    "sealing an audit chain checkpoint failed: " + e);
        }
    }

    /**
     * Checks the whole chain once {@code verify-interval} has passed since the last full check of any node, and looks
     * again then. A last check recorded in the future (the store can be written) counts as now.
     */
    private void fullCheckWhenDue() {
        Instant now = Instant.now();
        Instant lastCheck = checks.last(FULL_CHECK);
        Instant due = lastCheck == null ? now : min(lastCheck, now).plus(properties.verifyInterval());
        if (due.isAfter(now)) {
            fullCheckIn(Duration.between(now, due));
            return;
        }
        try {
            firstScheduled.complete(verify());
        } catch (RuntimeException e) {
            log.error("The scheduled audit chain check failed", e);
            firstScheduled.completeExceptionally(e);
        } finally {
            fullCheckIn(properties.verifyInterval());
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // nothing awaits the check; fullCheckWhenDue reports a failed check
    private void fullCheckIn(Duration delay) {
        try {
            verifying.schedule(this::fullCheckWhenDue, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the hub is stopping
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
