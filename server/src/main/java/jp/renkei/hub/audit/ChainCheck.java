package jp.renkei.hub.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;

/**
 * Checks the audit chain against its anchors: each link against its event and the hash sealed for it (which tells which
 * event changed even when every later link was recomputed), the store's checkpoints against their seals and the copies
 * outside the store, the head against the sealed length, each checkpoint's sealing time against when its links were
 * chained, and links left unsealed for too long. Without anchors, the plain chain.
 *
 * <p>What was sealed is read before the head: sealing never goes past the head it read and the head only grows, so a
 * head below what was sealed means removed links, not a seal made while this check ran.
 */
final class ChainCheck {

    private record Problem(long link, String text) {}

    private final AuditChain chain;
    private final Optional<Anchors> anchors;
    private final Records records;
    private final AuditProperties properties;

    ChainCheck(AuditChain chain, Optional<Anchors> anchors, Records records, AuditProperties properties) {
        this.chain = chain;
        this.anchors = anchors;
        this.records = records;
        this.properties = properties;
    }

    /** From the start of the newest checkpoint's block on, with each node's last copy: cheap on any chain. */
    AuditAnchoring.Status quick() {
        return anchors.map(a -> check(a, false, a.copies().lastLines())).orElseGet(this::plain);
    }

    /** The whole chain, with every copy. */
    AuditAnchoring.Status full() {
        return anchors.map(a -> check(a, true, a.copies().all())).orElseGet(this::plain);
    }

    private AuditAnchoring.Status plain() {
        AuditChain.Verification walk = chain.verify(this::event);
        return new AuditAnchoring.Status(walk.links(), walk.firstBroken(), walk.problem(), false, 0, true, List.of());
    }

    private String event(String id) {
        StoredResource stored = records.read("AuditEvent", id);
        return stored == null || stored.deleted() ? null : stored.json();
    }

    private AuditAnchoring.Status check(Anchors anchors, boolean whole, CheckpointCopies.Read outside) {
        AuditCheckpoints checkpoints = anchors.checkpoints();
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        outside.unreadable()
                .forEach(line -> notes.add("a line of the checkpoint copies cannot be read: " + line
                        + " (cut short by a crash, or changed)"));
        boolean agree = true;
        for (CheckpointCopies.Copy copy : outside.newest().values()) {
            long first = AuditCheckpoints.first(copy.block());
            String where = "kept outside the store (" + copy.file() + ")";
            try {
                checkpoints.checkSeal(
                        copy.block(),
                        checkpoints.payload(
                                copy.node(),
                                copy.block(),
                                copy.to(),
                                copy.since(),
                                copy.last(),
                                copy.digest(),
                                copy.late()),
                        copy.seal(),
                        where);
                checkpoints.sealedUpTo(copy.to());
                AuditCheckpoints.Checkpoint stored = checkpoints.read(copy.block());
                if (stored == null || stored.to() < copy.to() || !copy.last().equals(stored.hashAt(copy.to()))) {
                    agree = false;
                    problems.add(new Problem(
                            first,
                            "the checkpoint of links " + first + "-" + copy.to() + " " + where + " is "
                                    + (stored == null || stored.to() < copy.to() ? "missing from" : "different in")
                                    + " the store: checkpoints were deleted or rolled back"));
                }
            } catch (AuditChain.BrokenSeal broken) {
                agree = false;
                problems.add(new Problem(broken.firstLink, broken.getMessage()));
            }
            AuditChain.Link link = chain.link(copy.to());
            if (link != null && !copy.last().equals(link.hash())) {
                problems.add(new Problem(
                        copy.to(),
                        "link " + copy.to() + " no longer matches its checkpoint " + where
                                + ": the chain up to it was rewritten"));
            }
        }
        // what was known sealed before the store is read: the store holds at least that much, unless it lost
        // checkpoints
        long known = checkpoints.sealedThrough();
        long probe = Math.max(
                AuditCheckpoints.blockOf(Math.max(chain.head().seq(), 1)),
                Math.max(outside.newestBlock(), AuditCheckpoints.blockOf(Math.max(known, 1))));
        long newest = checkpoints.newestBlock(probe);
        Blocks sealed = new Blocks(checkpoints, newest, outside.nodes());
        long storedThrough = 0;
        try {
            AuditCheckpoints.Checkpoint last = newest < 0 ? null : sealed.checkpoint(newest);
            storedThrough = last == null ? 0 : last.to();
        } catch (AuditChain.BrokenSeal broken) {
            problems.add(new Problem(broken.firstLink, broken.getMessage()));
        }
        long sealedThrough = Math.max(storedThrough, known);
        AuditChain.Head head = chain.head();
        if (head.seq() < sealedThrough) {
            problems.add(new Problem(
                    head.seq() + 1,
                    "the chain ends at link " + head.seq() + " but links up to " + sealedThrough
                            + " were sealed: links were removed"));
        }
        if (storedThrough < sealedThrough) {
            agree = false;
            problems.add(new Problem(
                    storedThrough + 1,
                    "the store's checkpoints end at link " + storedThrough + " but links up to " + sealedThrough
                            + " were sealed: checkpoints were deleted or rolled back"));
        }
        AuditChain.Verification walk =
                chain.verify(this::event, sealed, whole || newest < 0 ? 1 : AuditCheckpoints.first(newest));
        if (!walk.intact()) {
            problems.add(new Problem(walk.firstBroken(), walk.problem()));
        }
        for (Map.Entry<Long, String> missing : sealed.missing.entrySet()) {
            agree = false;
            long first = AuditCheckpoints.first(missing.getKey());
            problems.add(new Problem(
                    first,
                    "the checkpoint of links " + first + "-" + AuditCheckpoints.lastOf(missing.getKey()) + " "
                            + missing.getValue() + ", though later links are sealed"));
        }
        sealed.late.forEach(late -> problems.add(new Problem(late.link(), late.text())));
        if (sealed.lateOnPurpose != null) {
            notes.add(
                    "links " + sealed.lateOnPurpose[0] + "-" + sealed.lateOnPurpose[1] + " were sealed late on purpose"
                            + " (renkei.audit.seal-backlog): whoever set it vouches for them, not the hub's sealing in time");
        }
        sealed.elsewhere.forEach(
                (node, links) -> notes.add("links " + links[0] + "-" + links[1] + " were sealed by node " + node
                        + ", whose copies are not in " + anchors.copies().directory()
                        + ": every node must keep its copies in the one"
                        + " directory they all share"));
        agree &= sealed.elsewhere.isEmpty();
        unsealedTooLong(storedThrough + 1, head.seq()).ifPresent(problems::add);
        Problem first =
                problems.stream().min(Comparator.comparingLong(Problem::link)).orElse(null);
        return new AuditAnchoring.Status(
                head.seq(),
                first == null ? 0 : first.link(),
                first == null ? null : first.text(),
                true,
                sealedThrough,
                agree,
                List.copyOf(notes));
    }

    /** Links still unsealed well after the first of them was chained: their checkpoints were deleted, or sealing stopped. */
    private Optional<Problem> unsealedTooLong(long firstUnsealed, long head) {
        if (head < firstUnsealed || properties.sealBacklog()) {
            return Optional.empty();
        }
        Instant chained = chainedAt(firstUnsealed);
        if (chained == null || !chained.plus(properties.sealWithin()).isBefore(Instant.now())) {
            return Optional.empty();
        }
        return Optional.of(new Problem(
                firstUnsealed,
                "links " + firstUnsealed + "-" + head + " are not sealed though link "
                        + firstUnsealed + " was chained at " + chained + ", more than " + properties.sealWithin()
                        + " ago: their checkpoints"
                        + " were deleted, or sealing stopped"));
    }

    /** When the event of this link was chained, or null when the link or its event is missing (the walk says so). */
    private Instant chainedAt(long seq) {
        AuditChain.Link link = chain.link(seq);
        StoredResource event = link == null ? null : records.read("AuditEvent", link.event());
        return event == null ? null : Instant.ofEpochMilli(AuditChain.chainedAt(event));
    }

    /**
     * The store's checkpoints block by block as a walk asks for them; notes blocks missing or incomplete before the
     * newest one, checkpoints sealed long after their links were chained, and checkpoints sealed by a node whose copies
     * are not in the anchor directory.
     */
    private final class Blocks implements AuditChain.Sealed {
        private final AuditCheckpoints checkpoints;
        private final long newest;
        private final Map<Long, AuditCheckpoints.Checkpoint> read = new HashMap<>();
        final Map<Long, String> missing = new TreeMap<>();
        final List<Problem> late = new ArrayList<>();
        long[] lateOnPurpose;
        final Map<String, long[]> elsewhere = new TreeMap<>();
        private final Set<String> nodesWithCopies;

        Blocks(AuditCheckpoints checkpoints, long newest, Set<String> nodesWithCopies) {
            this.checkpoints = checkpoints;
            this.newest = newest;
            this.nodesWithCopies = nodesWithCopies;
        }

        AuditCheckpoints.Checkpoint checkpoint(long block) {
            if (!read.containsKey(block)) {
                read.keySet().removeIf(b -> b < block - 1); // a walk only looks back one link
                AuditCheckpoints.Checkpoint checkpoint = checkpoints.read(block);
                if (checkpoint == null && block < newest) {
                    missing.put(block, "is missing from the store");
                } else if (checkpoint != null && block < newest && checkpoint.to() < AuditCheckpoints.lastOf(block)) {
                    missing.put(block, "in the store covers links up to " + checkpoint.to() + " only");
                }
                if (checkpoint != null) {
                    inspect(checkpoint);
                }
                read.put(block, checkpoint);
            }
            return read.get(block);
        }

        @Override
        public String at(long seq) {
            AuditCheckpoints.Checkpoint checkpoint = checkpoint(AuditCheckpoints.blockOf(seq));
            return checkpoint == null ? null : checkpoint.hashAt(seq);
        }

        private void inspect(AuditCheckpoints.Checkpoint checkpoint) {
            if (!nodesWithCopies.contains(checkpoint.node())) {
                elsewhere.merge(checkpoint.node(), new long[] {checkpoint.from(), checkpoint.to()}, (a, b) ->
                        new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
            // marked late even when the links it added were sealed in time: it carries on a backlog sealed late on
            // purpose
            if (checkpoint.late()) {
                lateOnPurpose = lateOnPurpose == null
                        ? new long[] {checkpoint.from(), checkpoint.to()}
                        : new long[] {
                            Math.min(lateOnPurpose[0], checkpoint.from()), Math.max(lateOnPurpose[1], checkpoint.to())
                        };
                return;
            }
            // the first link it sealed was chained at most checkpoint-interval before, when sealed in time
            Instant chained = chainedAt(checkpoint.since());
            if (chained != null && checkpoint.sealedAt().isAfter(chained.plus(properties.sealWithin()))) {
                late.add(new Problem(
                        checkpoint.from(),
                        "the checkpoint of links " + checkpoint.from() + "-" + checkpoint.to()
                                + " was sealed at " + checkpoint.sealedAt() + ", long after link " + checkpoint.since()
                                + " was chained (at "
                                + chained
                                + "): links chained long before were sealed anew, as a rewritten chain would be"));
            }
        }
    }
}
