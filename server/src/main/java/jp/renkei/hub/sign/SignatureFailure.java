package jp.renkei.hub.sign;

/** Why a signature is not accepted; the message says precisely what is wrong, in terms a sender can act on. */
public class SignatureFailure extends RuntimeException {

    /** The kinds of failure a receiver must tell apart (and that {@code $verify} reports). */
    public enum Reason {
        /** No signature where one is required. */
        MISSING,
        /** Not a readable detached JWS with a certificate chain and a signing time. */
        MALFORMED,
        /** The signature does not match the content: it was changed after signing, or signed with another key. */
        CONTENT_CHANGED,
        /** The chain does not lead to a trusted anchor (self-signed, unknown CA, broken chain). */
        UNTRUSTED,
        /** A certificate in the chain was not valid at the time that matters (expired, or not yet valid). */
        EXPIRED,
        /** A certificate in the chain is revoked. */
        REVOKED,
        /** The signer's profession (its healthcare role) may not sign this kind of document in this capacity. */
        PROFESSION
    }

    private final Reason reason;

    public SignatureFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
