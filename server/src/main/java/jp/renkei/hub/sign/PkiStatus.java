package jp.renkei.hub.sign;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state of the deployment's PKI as the hub holds it now, for the hub's status ({@code $hub-status}): when each trust
 * anchor and each seal the hub holds expires, and when each CRL was issued and must be published again. Read from
 * the files the hub already reads (cached until they change); nothing about a person or a patient.
 */
public final class PkiStatus {

    /** What a certificate is to the hub. */
    public enum Role {
        TRUST_ANCHOR("trust-anchor"),
        AUDIT_SEAL("audit-seal"),
        ORGANIZATION_SEAL("organization-seal");

        private final String code;

        Role(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** A certificate: its role, its common name, the organisation a seal belongs to (else null), and its validity. */
    public record Certificate(Role role, String name, String organization, Instant notBefore, Instant notAfter) {}

    /** A CRL: its issuer's common name, when it was issued and when the next one is due (null when it names none). */
    public record Crl(String issuer, Instant thisUpdate, Instant nextUpdate) {}

    private final TrustMaterial trust;
    private final Seals seals;

    public PkiStatus(TrustMaterial trust, Seals seals) {
        this.trust = trust;
        this.seals = seals;
    }

    /** The trust anchors, the audit seal and every organisation seal the hub holds; an unreadable seal is left out. */
    public List<Certificate> certificates() {
        List<Certificate> out = new ArrayList<>();
        trust.anchors().forEach(c -> out.add(certificate(Role.TRUST_ANCHOR, c, null)));
        readable(seals::auditSeal)
                .ifPresent(s -> out.add(certificate(Role.AUDIT_SEAL, s.chain().get(0), null)));
        for (String organization : seals.organizations()) {
            readable(() -> seals.of(organization))
                    .ifPresent(s -> out.add(
                            certificate(Role.ORGANIZATION_SEAL, s.chain().get(0), organization)));
        }
        return out;
    }

    public List<Crl> crls() {
        return trust.crls().stream().map(PkiStatus::crl).toList();
    }

    private static Certificate certificate(Role role, X509Certificate certificate, String organization) {
        return new Certificate(
                role,
                ChainValidator.commonName(certificate),
                organization,
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant());
    }

    private static Crl crl(X509CRL crl) {
        String issuer = crl.getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
        return new Crl(
                ChainValidator.commonName(issuer),
                crl.getThisUpdate().toInstant(),
                crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant());
    }

    /** A keystore that cannot be read (a wrong password, a broken file) is for the start-up checks, not the status. */
    private static Optional<DeploymentCa.Signer> readable(
            java.util.function.Supplier<Optional<DeploymentCa.Signer>> read) {
        try {
            return read.get();
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }
}
