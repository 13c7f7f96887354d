package jp.renkei.hub.sign;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Whether a signer's certificate chain leads to one of the deployment's trust anchors, was valid at a given
 * time and is not revoked. The chain and validity are checked with the JDK's PKIX validator; revocation is
 * checked here against the CRLs the deployment publishes (each CRL's own signature verified with its
 * issuer's key, and refused when it is out of date), so that "revoked" always comes with its date and the
 * answer never depends on fetching anything over the network.
 */
final class ChainValidator {

    /** A chain that passed: its anchor and, when a certificate was revoked after {@code at}, that date. */
    public record Outcome(X509Certificate anchor, Instant revokedAfter) {}

    private final Supplier<Collection<X509Certificate>> anchors;
    private final Supplier<Collection<X509CRL>> crls;

    public ChainValidator(Supplier<Collection<X509Certificate>> anchors, Supplier<Collection<X509CRL>> crls) {
        this.anchors = anchors;
        this.crls = crls;
    }

    /**
     * Checks the chain (signer first; the anchor itself may be included or not) at time {@code at}: trusted,
     * every certificate valid then, none revoked at or before then. A revocation dated after {@code at} does
     * not fail the check (the signature was made while the certificate was good) but is reported.
     *
     * @throws SignatureFailure UNTRUSTED, EXPIRED or REVOKED, with the certificate concerned named
     */
    public Outcome validate(List<X509Certificate> chain, Instant at) {
        return validate(chain, at, true);
    }

    /**
     * As {@link #validate(List, Instant)}; without {@code revocation} only the chain to an anchor and the validity
     * dates are checked, which is what a stored signature needs once its revocation status was checked on receipt.
     */
    public Outcome validate(List<X509Certificate> chain, Instant at, boolean revocation) {
        Collection<X509Certificate> anchorCertificates = anchors.get(); // read once: the supplier may read files
        Set<TrustAnchor> trusted =
                anchorCertificates.stream().map(a -> new TrustAnchor(a, null)).collect(Collectors.toSet());
        if (trusted.isEmpty()) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED,
                    "The hub has no trust anchors configured (renkei.sign.trust-anchors)");
        }
        List<X509Certificate> path = new ArrayList<>(chain);
        path.removeIf(anchorCertificates::contains);
        X509Certificate signer = chain.get(0);
        if (path.isEmpty()) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED,
                    "The signer certificate is a trust anchor (a CA), not a signer's certificate");
        }
        if (path.size() == chain.size()
                && path.size() == 1
                && signer.getIssuerX500Principal().equals(signer.getSubjectX500Principal())) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED,
                    "The signer certificate is self-signed (" + subject(signer)
                            + "); it must be issued by a trusted CA");
        }
        PKIXParameters parameters;
        CertPathValidator validator;
        CertPath certPath;
        try {
            certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            validator = CertPathValidator.getInstance("PKIX");
            parameters = new PKIXParameters(trusted);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        parameters.setDate(Date.from(at));
        parameters.setRevocationEnabled(false);
        X509Certificate anchor;
        try {
            anchor = ((java.security.cert.PKIXCertPathValidatorResult) validator.validate(certPath, parameters))
                    .getTrustAnchor()
                    .getTrustedCert();
        } catch (CertPathValidatorException e) {
            throw failure(e, path);
        } catch (GeneralSecurityException e) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED, "The certificate chain cannot be validated: " + e.getMessage());
        }
        if (!revocation) {
            return new Outcome(anchor, null);
        }
        List<X509Certificate> issuers = new ArrayList<>(path.subList(1, path.size()));
        issuers.add(anchor);
        Instant revokedAfter = null;
        for (int i = 0; i < path.size(); i++) {
            Instant revoked = revocation(path.get(i), issuers.get(i));
            // CRLs state revocation to the second, rounded down: a revocation in the signing's own second counts as
            // before it, since the hub cannot tell which came first.
            if (revoked != null && !revoked.isAfter(at)) {
                throw new SignatureFailure(
                        SignatureFailure.Reason.REVOKED,
                        "The certificate of " + subject(path.get(i)) + " was revoked on " + revoked);
            }
            if (revoked != null && (revokedAfter == null || revoked.isBefore(revokedAfter))) {
                revokedAfter = revoked;
            }
        }
        return new Outcome(anchor, revokedAfter);
    }

    /** The revocation date of the certificate per its issuer's current CRL, or null; fails when no current CRL exists. */
    private Instant revocation(X509Certificate certificate, X509Certificate issuer) {
        Date now = new Date();
        X509CRL current = null;
        for (X509CRL crl : crls.get()) {
            if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                continue;
            }
            try {
                crl.verify(issuer.getPublicKey(), DetachedJws.PROVIDER);
            } catch (GeneralSecurityException e) {
                continue; // not this issuer's CRL (or forged): it says nothing
            }
            if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now)) {
                continue;
            }
            if (current == null || crl.getThisUpdate().after(current.getThisUpdate())) {
                current = crl;
            }
        }
        if (current == null) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED,
                    "The revocation status of " + subject(certificate) + " cannot be determined: no current CRL from "
                            + subject(issuer) + " (publish one with 'pki crl')");
        }
        X509CRLEntry entry = current.getRevokedCertificate(certificate);
        return entry == null ? null : entry.getRevocationDate().toInstant();
    }

    private static SignatureFailure failure(CertPathValidatorException e, List<X509Certificate> path) {
        X509Certificate at = e.getIndex() >= 0 && e.getIndex() < path.size() ? path.get(e.getIndex()) : path.get(0);
        if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
            return new SignatureFailure(
                    SignatureFailure.Reason.EXPIRED,
                    "The certificate of " + subject(at) + " expired on "
                            + at.getNotAfter().toInstant());
        }
        if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return new SignatureFailure(
                    SignatureFailure.Reason.EXPIRED,
                    "The certificate of " + subject(at) + " is not valid before "
                            + at.getNotBefore().toInstant());
        }
        if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
            return new SignatureFailure(
                    SignatureFailure.Reason.UNTRUSTED,
                    "The certificate of " + subject(path.get(0)) + " is not issued by a CA this hub trusts");
        }
        return new SignatureFailure(
                SignatureFailure.Reason.UNTRUSTED,
                "The certificate chain of " + subject(path.get(0)) + " is not valid: " + e.getMessage());
    }

    /** The certificate's common name (a person's or organisation's name), else its whole subject. */
    static String commonName(X509Certificate certificate) {
        return commonName(subject(certificate));
    }

    /** The common name in a distinguished name (RFC 2253), else the whole name. */
    static String commonName(String name) {
        try {
            var rdns = new javax.naming.ldap.LdapName(name).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if ("CN".equalsIgnoreCase(rdns.get(i).getType())) {
                    return String.valueOf(rdns.get(i).getValue());
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            // fall through to the whole subject
        }
        return name;
    }

    static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
    }
}
