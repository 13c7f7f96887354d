package jp.renkei.hub.audit;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises the audit trail's alerts about itself: an ERROR log line the first time this node meets a problem (then at
 * most one every ten minutes while it lasts), and a Security Alert AuditEvent once per problem, whichever node meets
 * it and however often it restarts, its id being derived from the problem ({@link AuditTrail#recordSecurityAlert}).
 * Texts name links, AuditEvent ids, checkpoints, files and nodes, never patient data.
 */
final class AuditAlerts {

    /** A break of the chain or its anchors, or a failure that leaves the chain unanchored. */
    enum Kind {
        BREAK("audit-chain-break", "監査証跡の改ざん検知"),
        ANCHORING("audit-anchoring", "監査証跡の錨の不備");

        final String code;
        final String display;

        Kind(String code, String display) {
            this.code = code;
            this.display = display;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(AuditAlerts.class);
    private static final long REPEAT_MILLIS = 10 * 60 * 1000;
    private static final int REMEMBERED = 1000;

    private final AuditTrail trail;
    private final Map<String, Long> logged = new ConcurrentHashMap<>();
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();

    AuditAlerts(AuditTrail trail) {
        this.trail = trail;
    }

    /** Raises the alert {@code text} for the problem {@code key} (the same key: the same alert). */
    void raise(Kind kind, String key, String text) {
        long now = System.currentTimeMillis();
        Long last = logged.get(key);
        if (last == null || now - last >= REPEAT_MILLIS) {
            if (logged.size() > REMEMBERED) {
                logged.clear();
            }
            logged.put(key, now);
            log.error("Audit trail alert ({}): {}{}", kind.code, text, last == null ? "" : " (still so)");
        }
        if (recorded.contains(key)) {
            return;
        }
        try {
            trail.recordSecurityAlert(key, kind.code, kind.display, text);
            if (recorded.size() > REMEMBERED) {
                recorded.clear();
            }
            recorded.add(key);
        } catch (RuntimeException e) {
            log.error("Could not record the audit trail alert as an AuditEvent ({})", e.toString());
        }
    }

    /** The alerts a check's result calls for: its break, and each of its notes. */
    void raise(AuditAnchoring.Status status) {
        if (!status.intact()) {
            raise(
                    Kind.BREAK,
                    status.problem(),
                    "audit chain broken at link " + status.firstBroken() + ": " + status.problem());
        }
        for (String note : status.notes()) {
            raise(Kind.ANCHORING, note, note);
        }
    }
}
