package jp.renkei.hub.sign;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Checks one detached JWS over a resource: that it is the signature of the content as it is now, by a
 * certificate chain the deployment trusts that was valid and unrevoked at the time that matters, and that the
 * signer holds a qualification allowed to sign in that capacity. Every refusal is a {@link SignatureFailure}
 * saying which of these failed and why.
 */
final class SignatureVerifier {

    /**
     * How a certificate names the FHIR identity it belongs to: a URI subject alternative name
     * {@code urn:renkei:Practitioner/<id>} (a URI SAN must be absolute, so not the bare reference).
     */
    public static final String IDENTITY_PREFIX = "urn:renkei:";

    /** Signing times a little ahead of the hub's clock are accepted: clocks differ. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /** A signature that verified: who signed, in what qualification, when, and what vouched for them. */
    public record Verified(
            String signer,
            String identity,
            List<HealthcareRole.Role> roles,
            Instant signingTime,
            ChainValidator.Outcome chain,
            X509Certificate certificate) {}

    private final CanonicalJson canonical;
    private final ChainValidator chains;

    public SignatureVerifier(CanonicalJson canonical, ChainValidator chains) {
        this.canonical = canonical;
        this.chains = chains;
    }

    /**
     * Verifies {@code jws} over {@code resource} as of {@code at} (the time of receipt).
     *
     * @param allowed the qualifications that may sign here; empty when any trusted signer may
     */
    public Verified verify(IBaseResource resource, String jws, Set<HealthcareRole.Qualification> allowed, Instant at) {
        return verify(canonical.of(resource), DetachedJws.parse(jws), allowed, at, true, at);
    }

    /**
     * Verifies a signature the hub accepted earlier against the resource as stored now: the content, and a chain to
     * a trusted anchor as of the signing time. Revocation was checked on receipt and a later one does not undo a
     * signature made before it, so it is not looked up again (a stale CRL must not make records unreadable).
     */
    public Verified verifyStored(String json, String jws) {
        DetachedJws.Parsed parsed = DetachedJws.parse(jws);
        return verify(CanonicalJson.of(json), parsed, Set.of(), parsed.signingTime(), false, parsed.signingTime());
    }

    /**
     * Verifies a seal the hub made over bytes of its own (an audit chain checkpoint) as a stored signature is verified,
     * and also that it was not made later than {@code now} (with the clock skew allowed on receipt).
     */
    Verified verifySealed(byte[] content, String jws, Instant now) {
        DetachedJws.Parsed parsed = DetachedJws.parse(jws);
        return verify(content, parsed, Set.of(), parsed.signingTime(), false, now);
    }

    /** {@code at}: as of when the chain must hold; {@code now}: the latest signing time accepted (less the skew). */
    private Verified verify(
            byte[] content,
            DetachedJws.Parsed parsed,
            Set<HealthcareRole.Qualification> allowed,
            Instant at,
            boolean revocation,
            Instant now) {
        if (!DetachedJws.verifies(parsed, content)) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.CONTENT_CHANGED,
                    "The signature does not match the content: it was changed after signing (or signed in another form "
                            + "than the FHIR canonical JSON this hub checks)");
        }
        if (parsed.signingTime().isAfter(now.plus(CLOCK_SKEW))) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED,
                    "The signing time " + parsed.signingTime() + " is in the future");
        }
        X509Certificate signer = parsed.signer();
        if (parsed.signingTime().isBefore(signer.getNotBefore().toInstant())
                || parsed.signingTime().isAfter(signer.getNotAfter().toInstant())) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.EXPIRED,
                    "The certificate of " + ChainValidator.subject(signer) + " was not valid at the signing time "
                            + parsed.signingTime());
        }
        ChainValidator.Outcome chain = chains.validate(parsed.chain(), at, revocation);
        List<HealthcareRole.Role> roles = HealthcareRole.of(signer);
        if (!allowed.isEmpty()
                && roles.stream()
                        .noneMatch(
                                r -> r.qualification().filter(allowed::contains).isPresent())) {
            String held = roles.isEmpty()
                    ? "no healthcare role (hcRole)"
                    : roles.stream().map(HealthcareRole.Role::value).collect(Collectors.joining(", "));
            String needed = allowed.stream()
                    .map(q -> q.japanese() + " (" + q.value() + ")")
                    .sorted()
                    .collect(Collectors.joining(", "));
            throw new SignatureFailure(
                    SignatureFailure.Reason.PROFESSION,
                    "The signer " + ChainValidator.subject(signer) + " holds " + held + "; only " + needed
                            + " may sign here");
        }
        return new Verified(
                ChainValidator.subject(signer), identity(signer), roles, parsed.signingTime(), chain, signer);
    }

    /**
     * Every check on a stored signature, each reported on its own rather than stopping at the first failure, for
     * {@code $verify}: whether the content changed since signing, and the chain's status as of the signing time
     * with the revocation lists as they are now.
     *
     * @param chainFailure null when the chain is trusted, not expired and not revoked at the signing time
     */
    public record Report(
            boolean contentChanged,
            SignatureFailure chainFailure,
            String signer,
            String identity,
            List<HealthcareRole.Role> roles,
            Instant signingTime,
            Instant revokedAfter,
            X509Certificate anchor) {}

    /** @throws SignatureFailure MALFORMED when {@code jws} is not a detached JWS this hub can read at all */
    public Report report(String json, String jws) {
        DetachedJws.Parsed parsed = DetachedJws.parse(jws);
        boolean changed = !DetachedJws.verifies(parsed, CanonicalJson.of(json));
        X509Certificate signer = parsed.signer();
        SignatureFailure chainFailure = null;
        ChainValidator.Outcome outcome = null;
        try {
            outcome = chains.validate(parsed.chain(), parsed.signingTime(), true);
        } catch (SignatureFailure failure) {
            chainFailure = failure;
        }
        return new Report(
                changed,
                chainFailure,
                ChainValidator.subject(signer),
                identity(signer),
                HealthcareRole.of(signer),
                parsed.signingTime(),
                outcome == null ? null : outcome.revokedAfter(),
                outcome == null ? null : outcome.anchor());
    }

    /** The FHIR identity the certificate names ({@code Practitioner/…} or {@code Organization/…}), or null. */
    static String identity(X509Certificate certificate) {
        try {
            if (certificate.getSubjectAlternativeNames() == null) {
                return null;
            }
            for (List<?> name : certificate.getSubjectAlternativeNames()) {
                if (Integer.valueOf(6).equals(name.get(0))
                        && String.valueOf(name.get(1)).startsWith(IDENTITY_PREFIX)) {
                    return String.valueOf(name.get(1)).substring(IDENTITY_PREFIX.length()); // uniformResourceIdentifier
                }
            }
        } catch (CertificateParsingException e) {
            return null;
        }
        return null;
    }
}
