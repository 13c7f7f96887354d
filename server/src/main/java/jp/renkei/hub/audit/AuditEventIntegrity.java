package jp.renkei.hub.audit;

import java.time.Duration;
import java.util.Optional;
import jp.renkei.hub.sign.TamperedRecordException;
import jp.renkei.hub.store.ReadCheck;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Resource;

/**
 * An AuditEvent is checked whenever it is served (read, search, history; by hub-admin, the patient or their proxy):
 * its stored JSON against the hash its checkpoint sealed for its link or, not sealed yet, against its link, which must
 * lie within the chain and follow the sealed link before it. An event whose link is gone (older than
 * {@code seal-grace}: its link is written just after it), whose link lies beyond the chain's head, or whose checkpoint
 * is missing though the link was sealed, fails too. One that fails is refused as a tampered signed document is
 * ({@link TamperedRecordException#refused}). A read costs the lookup of its link by event id and a hash; a block's
 * checkpoint is read once and remembered, and past it only the block's small pointer is looked up, at most every few
 * seconds ({@link AuditCheckpoints#sealedHash}).
 */
final class AuditEventIntegrity implements ReadCheck {

    private final AuditChain chain;
    private final Optional<AuditCheckpoints> checkpoints;
    private final Duration grace;

    AuditEventIntegrity(AuditChain chain, Optional<AuditCheckpoints> checkpoints, Duration grace) {
        this.chain = chain;
        this.checkpoints = checkpoints;
        this.grace = grace;
    }

    @Override
    public void check(StoredResource stored, Resource resource) {
        if (!"AuditEvent".equals(stored.type()) || stored.deleted()) {
            return;
        }
        AuditChain.Link link = chain.linkOf(stored.id());
        if (link == null) {
            if (System.currentTimeMillis() - AuditChain.chainedAt(stored) > grace.toMillis()) {
                throw tampered(
                        stored,
                        "it is in no link of the audit chain (its link was removed or now names another event)");
            }
            return;
        }
        long seq = link.seq();
        if (!chain.reaches(seq)) {
            throw tampered(stored, "its link " + seq + " lies beyond the end of the audit chain");
        }
        String prev = link.prev();
        if (checkpoints.isPresent()) {
            AuditCheckpoints sealed = checkpoints.get();
            try {
                long known = sealed.sealedThrough(); // before the lookup: a checkpoint sealed meanwhile is then found
                String hash = sealed.sealedHash(seq);
                String sealedPrev = seq == 1 ? AuditChain.GENESIS : sealed.sealedHash(seq - 1);
                if (hash != null) {
                    if (sealedPrev == null) {
                        throw tampered(
                                stored,
                                "the checkpoint sealing link " + (seq - 1)
                                        + " of the audit chain is missing from the store");
                    }
                    if (!AuditChain.hash(sealedPrev, stored.json()).equals(hash)) {
                        throw tampered(
                                stored, "it no longer matches the hash sealed for link " + seq + " of the audit chain");
                    }
                    return;
                }
                if (seq <= known) {
                    throw tampered(
                            stored, "its link " + seq + " was sealed, but that checkpoint is missing from the store");
                }
                if (sealedPrev != null && !sealedPrev.equals(prev)) {
                    throw tampered(
                            stored,
                            "its link " + seq + " does not follow the sealed link " + (seq - 1)
                                    + ": the chain was rewritten");
                }
            } catch (AuditChain.BrokenSeal broken) {
                throw tampered(stored, "the checkpoint of its link " + seq + " fails its seal check");
            }
        }
        if (!AuditChain.hash(prev, stored.json()).equals(link.hash())) {
            throw tampered(stored, "it no longer matches link " + seq + " of the audit chain");
        }
    }

    private static TamperedRecordException tampered(StoredResource stored, String why) {
        return TamperedRecordException.refused(stored, why, "$verify-audit-chain");
    }
}
