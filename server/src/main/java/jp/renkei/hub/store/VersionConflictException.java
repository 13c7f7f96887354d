package jp.renkei.hub.store;

/** The resource changed since the version the writer named, or someone else is writing it now. */
public class VersionConflictException extends RuntimeException {

    private final boolean preconditionFailed;

    public VersionConflictException(String message, boolean preconditionFailed) {
        super(message);
        this.preconditionFailed = preconditionFailed;
    }

    /** True when the client's {@code If-Match} no longer holds (412), false for a transient clash (409). */
    public boolean preconditionFailed() {
        return preconditionFailed;
    }
}
