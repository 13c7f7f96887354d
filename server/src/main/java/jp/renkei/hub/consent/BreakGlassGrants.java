package jp.renkei.hub.consent;

import java.time.Duration;
import java.time.Instant;
import jp.renkei.hub.store.BreakGlassGrantStore;

/**
 * Emergency access grants (break-glass): one per user and patient, valid for a fixed time from the
 * moment it was declared. Kept in the hub's database so every hub instance sees them.
 */
public final class BreakGlassGrants {

    private final BreakGlassGrantStore grants;
    private final Duration duration;

    public BreakGlassGrants(BreakGlassGrantStore grants, Duration duration) {
        this.grants = grants;
        this.duration = duration;
    }

    /** Records a grant for the user and patient from now; returns when it ends. */
    public Instant grant(String subject, String patient, String reason) {
        Instant now = Instant.now();
        Instant until = now.plus(duration);
        grants.put(subject, patient, now, until, reason);
        return until;
    }

    public boolean active(String subject, String patient) {
        Instant until = grants.until(subject, patient);
        return until != null && until.isAfter(Instant.now());
    }
}
