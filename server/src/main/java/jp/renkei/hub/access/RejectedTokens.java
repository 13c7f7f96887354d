package jp.renkei.hub.access;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Where a request refused for its token (none, or one that failed its checks) is recorded: the audit trail, which
 * lives above the access rules and so is handed to them rather than called by name.
 */
public interface RejectedTokens {

    /** Records the refusal; never throws (the request fails anyway). */
    void recordRejectedToken(HttpServletRequest request, String reason);
}
