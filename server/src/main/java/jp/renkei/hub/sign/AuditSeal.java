package jp.renkei.hub.sign;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Seals checkpoints of the audit hash chain with the hub's audit seal, and checks such seals. A checkpoint is a
 * detached JWS ({@link DetachedJws}) over bytes the audit trail chooses (they name the deployment); it holds only if it
 * verifies as a stored signature does ({@link SignatureVerifier#verifySealed}: a chain to a trust anchor as of a
 * signing time not in the future, the certificate valid then), its certificate names {@code urn:renkei:audit-seal}, and
 * its key is pinned: the key of {@code <seals>/audit-seal.p12} or of a former audit seal kept beside it as
 * {@code audit-seal-<serial>.crt}. Another deployment's hub under the same CA cannot seal for this one. The key lives
 * with the organisation seals, never in the hub's database, so a person who can rewrite the database cannot make a seal.
 */
public final class AuditSeal {

    /** The FHIR-less identity an audit seal's certificate names ({@code urn:renkei:audit-seal}). */
    public static final String IDENTITY = "audit-seal";

    static final String FILE_NAME = "audit-seal";

    private final Seals seals;
    private final SignatureVerifier verifier;

    public AuditSeal(Seals seals, SignatureVerifier verifier) {
        this.seals = seals;
        this.verifier = verifier;
    }

    /** Whether the hub holds its audit seal (else it can check seals but make none). */
    public boolean available() {
        return seals.auditSeal().isPresent();
    }

    /** Where the audit seal is expected, for messages. */
    public String location() {
        return seals.auditSealFile().toString();
    }

    /** The audit seal's certificate. @throws IllegalStateException when the hub holds no audit seal */
    public X509Certificate certificate() {
        return signer().chain().get(0);
    }

    /**
     * Seals the bytes as of now. Only the signer's certificate travels in the JWS: the anchor is configured in every
     * hub, and seals are also kept outside the store one per line, where shorter is better.
     *
     * @throws IllegalStateException when the hub holds no audit seal
     * @throws SignatureFailure       EXPIRED when its certificate is not valid now (a seal made with it would not hold)
     */
    public String seal(byte[] payload) {
        DeploymentCa.Signer signer = signer();
        X509Certificate certificate = signer.chain().get(0);
        Instant now = Instant.now();
        if (now.isBefore(certificate.getNotBefore().toInstant())
                || now.isAfter(certificate.getNotAfter().toInstant())) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.EXPIRED,
                    "the hub's audit seal " + location() + " is valid from "
                            + certificate.getNotBefore().toInstant() + " until "
                            + certificate.getNotAfter().toInstant()
                            + ", not now: issue a new one with deploy/pki.sh audit-seal");
        }
        return DetachedJws.sign(payload, signer.key(), List.of(certificate), now);
    }

    /**
     * Checks a seal over these bytes; returns its signing time.
     *
     * @throws SignatureFailure saying what failed: the bytes, the time, the chain, the signer (not an audit seal, or
     *                          not one of this hub's)
     */
    public Instant check(byte[] payload, String jws) {
        SignatureVerifier.Verified verified = verifier.verifySealed(payload, jws, Instant.now());
        X509Certificate signer = verified.certificate();
        if (!IDENTITY.equals(verified.identity())) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED,
                    "the checkpoint is sealed by " + verified.signer()
                            + ", not by an audit seal (urn:renkei:audit-seal)");
        }
        if (!pinned(signer.getPublicKey())) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED,
                    "the checkpoint is sealed by " + verified.signer()
                            + " (serial " + signer.getSerialNumber().toString(16)
                            + "), an audit seal of the CA but not of this hub ("
                            + location() + " or a former one kept beside it as audit-seal-<serial>.crt)");
        }
        return verified.signingTime();
    }

    private boolean pinned(PublicKey key) {
        return seals.auditSealCertificates().stream()
                .anyMatch(c -> Arrays.equals(c.getPublicKey().getEncoded(), key.getEncoded()));
    }

    private DeploymentCa.Signer signer() {
        return seals.auditSeal()
                .orElseThrow(() ->
                        new IllegalStateException("The hub's audit seal " + location() + " is missing or unreadable"));
    }
}
