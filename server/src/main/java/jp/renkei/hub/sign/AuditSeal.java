package jp.renkei.hub.sign;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Seals checkpoints of the audit hash chain with the hub's audit seal, and checks such seals. A checkpoint is a
 * detached JWS ({@link DetachedJws}) over bytes the audit trail chooses; it holds only if it verifies, its signer
 * certificate names {@code urn:renkei:audit-seal} and chains to a trust anchor as of the signing time. The key lives
 * with the organisation seals ({@code <seals>/audit-seal.p12}), never in the hub's database, so a person who can
 * rewrite the database cannot make a seal, and one who replaces the certificate in a checkpoint needs the CA.
 */
public final class AuditSeal {

    /** The FHIR-less identity an audit seal's certificate names ({@code urn:renkei:audit-seal}). */
    public static final String IDENTITY = "audit-seal";
    static final String FILE_NAME = "audit-seal";

    private final Seals seals;
    private final ChainValidator chains;

    public AuditSeal(Seals seals, ChainValidator chains) {
        this.seals = seals;
        this.chains = chains;
    }

    /** Whether the hub holds its audit seal (else it can check seals but make none). */
    public boolean available() {
        return seals.auditSeal().isPresent();
    }

    /** Where the audit seal is expected, for messages. */
    public String location() {
        return seals.auditSealFile().toString();
    }

    /**
     * Seals the bytes as of now. Only the signer's certificate travels in the JWS: the anchor is configured in every
     * hub, and seals are also kept outside the store one per line, where shorter is better.
     *
     * @throws IllegalStateException when the hub holds no audit seal
     */
    public String seal(byte[] payload) {
        DeploymentCa.Signer signer = seals.auditSeal().orElseThrow(() ->
                new IllegalStateException("The hub's audit seal " + location() + " is missing or unreadable"));
        return DetachedJws.sign(payload, signer.key(), List.of(signer.chain().get(0)), Instant.now());
    }

    /**
     * Checks a seal over these bytes; returns its signing time.
     *
     * @throws SignatureFailure saying what failed: the bytes, the signer (not the audit seal), the chain or its dates
     */
    public Instant check(byte[] payload, String jws) {
        DetachedJws.Parsed parsed = DetachedJws.parse(jws);
        if (!DetachedJws.verifies(parsed, payload)) {
            throw new SignatureFailure(SignatureFailure.Reason.CONTENT_CHANGED, "the seal does not match the sealed checkpoint");
        }
        X509Certificate signer = parsed.signer();
        if (!IDENTITY.equals(SignatureVerifier.identity(signer))) {
            throw new SignatureFailure(SignatureFailure.Reason.UNTRUSTED,
                    "the checkpoint is sealed by " + ChainValidator.subject(signer) + ", not by an audit seal (urn:renkei:audit-seal)");
        }
        if (parsed.signingTime().isBefore(signer.getNotBefore().toInstant()) || parsed.signingTime().isAfter(signer.getNotAfter().toInstant())) {
            throw new SignatureFailure(SignatureFailure.Reason.EXPIRED, "the audit seal's certificate was not valid at the sealing time "
                    + parsed.signingTime());
        }
        // Revocation is not looked up, as for stored document signatures: a seal made before a revocation stays good,
        // and a stale CRL must not make the whole audit trail look broken.
        chains.validate(parsed.chain(), parsed.signingTime(), false);
        return parsed.signingTime();
    }
}
