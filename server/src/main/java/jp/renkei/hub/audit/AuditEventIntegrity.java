package jp.renkei.hub.audit;

import jp.renkei.hub.fhir.ReadCheck;
import jp.renkei.hub.sign.TamperedRecordException;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AuditEvent is checked whenever it is served (read, search, history; by hub-admin, the patient or their proxy):
 * its stored JSON against the hash its checkpoint sealed for its link, or, not sealed yet, against its link. One that
 * fails is refused with a {@link TamperedRecordException}, as a tampered signed document is, and logged by id. A
 * read costs one lookup (the link, by event id) and a hash; checkpoints are remembered once their seal held.
 *
 * <p>An event with no link is served: its link is written just after it, and an event whose link could not be
 * written belongs to a request that failed for that reason. {@code $verify-audit-chain} covers the chained events.
 */
final class AuditEventIntegrity implements ReadCheck {

    private static final Logger log = LoggerFactory.getLogger(AuditEventIntegrity.class);
    private static final String GENESIS = "0".repeat(64);

    private final AuditChain chain;
    private final AuditCheckpoints checkpoints;

    /** {@code checkpoints} is null when the chain is not anchored. */
    AuditEventIntegrity(AuditChain chain, AuditCheckpoints checkpoints) {
        this.chain = chain;
        this.checkpoints = checkpoints;
    }

    @Override
    public void check(StoredResource stored, Resource resource) {
        if (!"AuditEvent".equals(stored.type()) || stored.deleted()) {
            return;
        }
        AuditChain.Link link = chain.linkOf(stored.id());
        if (link == null) {
            return;
        }
        if (checkpoints != null) {
            String sealed;
            String sealedPrev;
            try {
                sealed = checkpoints.sealedHash(link.seq());
                sealedPrev = sealed == null ? null : link.seq() == 1 ? GENESIS : checkpoints.sealedHash(link.seq() - 1);
            } catch (AuditChain.BrokenSeal broken) {
                throw tampered(stored, "the checkpoint of its link " + link.seq() + " fails its seal check");
            }
            if (sealed != null) {
                if (!AuditChain.hash(sealedPrev != null ? sealedPrev : link.prev(), stored.json()).equals(sealed)) {
                    throw tampered(stored, "it no longer matches the hash sealed for link " + link.seq() + " of the audit chain");
                }
                return;
            }
        }
        if (!AuditChain.hash(link.prev(), stored.json()).equals(link.hash())) {
            throw tampered(stored, "it no longer matches link " + link.seq() + " of the audit chain");
        }
    }

    private static TamperedRecordException tampered(StoredResource stored, String why) {
        String record = stored.type() + "/" + stored.id() + "/_history/" + stored.version();
        log.error("Integrity check failed for {}: {}", record, why);
        return new TamperedRecordException("改ざんの疑いがあるため提供できません: " + record
                + " は監査証跡の完全性の検査に合格しませんでした (the audit record failed its integrity check and is not served: "
                + why + "). $verify-audit-chain reports the details; the hub's operator has been alerted in the log");
    }
}
