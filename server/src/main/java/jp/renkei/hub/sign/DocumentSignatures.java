package jp.renkei.hub.sign;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.fhir.Unprocessable;
import jp.renkei.hub.store.Labeler;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SealingRule;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;

/**
 * Where a document that must be signed ({@link SignedKind}) gets its signature checked or its seal, on every write:
 * <ul>
 * <li>signed by the sender (a document Bundle's {@code Bundle.signature}; for any other record a Provenance in the
 *     same transaction whose {@code target} is the record and whose {@code signature} holds the JWS): verified on
 *     receipt (content, chain, expiry, revocation, the signer's qualification, the declared signature type);
 *     anything wrong is a 422 naming what, and nothing is stored;</li>
 * <li>not signed: sealed by the hub with the writer's organisation's key held in custody ({@link Seals}); an
 *     advance directive cannot be sealed (it needs its witnessing physician's signature), and an organisation
 *     whose seal the hub does not hold gets a 422 saying how to provide one;</li>
 * <li>the hub's own changes to such a document (superseding, revoking) are sealed with the hub's seal.</li>
 * </ul>
 * Each signed version gets a Provenance written with it: its target (that version), when, who signed (the author,
 * the witness as attester, or the organisation as custodian for a seal), and the signature itself.
 */
final class DocumentSignatures implements SealingRule {

    /** R5's Provenance.patient, carried on R4 so a Provenance is labelled with its document's patient. */
    public static final String PROVENANCE_PATIENT =
            "http://hl7.org/fhir/5.0/StructureDefinition/extension-Provenance.patient";

    private final FhirContext fhirContext;
    private final CanonicalJson canonical;
    private final SignatureVerifier verifier;
    private final Seals seals;
    private final SignProperties properties;
    private final Records records;
    private final Labeler labeler;

    public DocumentSignatures(
            FhirContext fhirContext,
            CanonicalJson canonical,
            SignatureVerifier verifier,
            Seals seals,
            SignProperties properties,
            Records records,
            Labeler labeler) {
        this.fhirContext = fhirContext;
        this.canonical = canonical;
        this.verifier = verifier;
        this.seals = seals;
        this.properties = properties;
        this.records = records;
        this.labeler = labeler;
    }

    @Override
    public List<WriteRequest> seal(List<WriteRequest> unit, int fromClient, Caller caller) {
        Instant now = Instant.now();
        List<WriteRequest> out = new ArrayList<>(unit);
        List<WriteRequest> provenances = new ArrayList<>();
        for (int i = 0; i < unit.size(); i++) {
            WriteRequest request = unit.get(i);
            if (request.isDelete()) {
                continue;
            }
            Resource resource = request.resource();
            if (resource instanceof DomainResource record && !(resource instanceof Bundle)) {
                SignatureElements.store(record, null); // only the hub puts a signature there
            }
            Optional<SignedKind> kind = SignedKind.of(resource);
            if (kind.isEmpty()) {
                continue;
            }
            boolean clientWrote = i < fromClient;
            Carried carried = clientWrote ? carried(request, unit) : null;
            Signature signature;
            if (carried != null) {
                signature = verified(kind.get(), request, carried, now);
            } else if (!properties.required()) {
                if (resource instanceof Bundle bundle) {
                    bundle.setSignature(null); // a seal sent back is not kept unchecked
                }
                continue; // local tests only: an unsigned document is stored unsigned
            } else {
                signature = sealed(kind.get(), request, clientWrote, caller, now);
            }
            if (resource instanceof Bundle bundle) {
                bundle.setSignature(signature);
            } else {
                SignatureElements.store((DomainResource) resource, signature);
            }
            StoredResource before = records.read(request.type(), request.id());
            long version = before == null ? 1 : before.version() + 1;
            if (before != null && request.ifMatch() == null) {
                // the Provenance names this version: a concurrent change must fail rather than slip in between
                out.set(
                        i,
                        new WriteRequest(
                                request.type(),
                                request.id(),
                                resource,
                                before.version(),
                                request.owner(),
                                request.author()));
            }
            provenances.add(provenance(request, version, signature, now));
        }
        out.addAll(provenances);
        return out;
    }

    /** A sender's signature and where it was found (for the error's expression). */
    private record Carried(Signature signature, String where) {}

    private Carried carried(WriteRequest request, List<WriteRequest> unit) {
        if (request.resource() instanceof Bundle bundle) {
            // a seal is the hub's: a client sending back a sealed document (read, then written again) is sealed anew
            boolean senders = bundle.hasSignature()
                    && !SignatureElements.isOfType(bundle.getSignature(), SignatureElements.SOURCE);
            return senders ? new Carried(bundle.getSignature(), "Bundle.signature") : null;
        }
        String target = request.type() + "/" + request.id();
        for (WriteRequest other : unit) {
            if (other.resource() instanceof Provenance provenance
                    && provenance.hasSignature()
                    && provenance.getTarget().stream()
                            .anyMatch(t -> target.equals(t.getReferenceElement()
                                    .toUnqualifiedVersionless()
                                    .getValue()))) {
                return new Carried(provenance.getSignatureFirstRep(), "Provenance.signature");
            }
        }
        return null;
    }

    private Signature verified(SignedKind kind, WriteRequest request, Carried carried, Instant now) {
        String jws = SignatureElements.jws(carried.signature());
        if (jws == null) {
            throw refused(
                    carried.where() + ".data",
                    SignatureFailure.Reason.MALFORMED,
                    "署名データ（sigFormat application/jose の detached JWS）がありません (the signature holds no detached JWS in"
                            + " data with sigFormat application/jose)");
        }
        if (!SignatureElements.isOfType(carried.signature(), kind.signatureType())) {
            throw refused(
                    carried.where() + ".type",
                    SignatureFailure.Reason.MALFORMED,
                    kind.japanese() + "の署名は "
                            + SignatureElements.SIGNATURE_TYPES + "#" + kind.signatureType() + " ("
                            + SignatureElements.display(kind.signatureType())
                            + ") でなければなりません (this document takes that signature type)");
        }
        if (kind == SignedKind.ADVANCE_DIRECTIVE) {
            requireAgreement((Consent) request.resource());
        }
        try {
            verifier.verify(request.resource(), jws, kind.signers(), now);
        } catch (SignatureFailure failure) {
            throw refused(
                    carried.where(), failure.reason(), kind.japanese() + "の署名を受け付けられません: " + failure.getMessage());
        }
        return carried.signature();
    }

    private Signature sealed(SignedKind kind, WriteRequest request, boolean clientWrote, Caller caller, Instant now) {
        if (clientWrote && !kind.sealable()) {
            throw refused(
                    kind == SignedKind.ADVANCE_DIRECTIVE ? "Consent" : request.type(),
                    SignatureFailure.Reason.MISSING,
                    kind.japanese() + "には" + names(kind) + "の署名が必要です。同じトランザクションの Provenance.signature で送ってください"
                            + " (this document must be signed by "
                            + kind.signers().stream()
                                    .map(HealthcareRole.Qualification::value)
                                    .sorted()
                                    .collect(Collectors.joining(" or "))
                            + ": send a Provenance whose target is it and whose"
                            + " signature holds the JWS in the same transaction)");
        }
        if (!clientWrote) {
            return seal(properties.hubOrganization(), request.resource(), now)
                    .orElseThrow(() -> new IllegalStateException(
                            "The hub's own seal " + seals.fileFor(properties.hubOrganization())
                                    + " is missing (renkei.sign.hub-organization); see docs/signatures.md"));
        }
        String organization = caller.organization();
        return seal(organization, request.resource(), now)
                .orElseThrow(
                        () -> refused(
                                request.type(),
                                SignatureFailure.Reason.MISSING,
                                kind.japanese() + "に署名がなく、"
                                        + (organization == null
                                                ? "送信者の所属組織が不明なため"
                                                : "Organization/" + organization + " の電子印（組織証明書）をハブが預かっていないため")
                                        + "封印もできません (the document is unsigned and the hub holds no"
                                        + " seal for "
                                        + (organization == null
                                                ? "the sender, who belongs to no organisation"
                                                : "Organization/" + organization)
                                        + "; sign it, or have the hub operator issue the organisation's seal with deploy/pki.sh organization)"));
    }

    private Optional<Signature> seal(String organization, Resource resource, Instant now) {
        return seals.of(organization)
                .map(signer -> SignatureElements.sign(canonical, resource, signer, SignatureElements.SOURCE, now));
    }

    /**
     * The patient's (or proxy's) agreement: the scanned, signed form's hash in {@code sourceAttachment}, under the
     * witness's signature; when the form itself is attached, its hash must be the one given.
     */
    private void requireAgreement(Consent consent) {
        if (!consent.hasSourceAttachment() || !consent.getSourceAttachment().hasHash()) {
            throw Unprocessable.at(
                    fhirContext,
                    "Consent.source.ofType(Attachment).hash",
                    IssueType.REQUIRED,
                    "署名済みの事前指示書には、本人（または代理人）が署名した原本のスキャンを sourceAttachment（hash 必須）で添えてください"
                            + " (a signed advance directive carries the scanned form the patient or proxy signed as sourceAttachment,"
                            + " with its SHA-1 hash, so the witness's signature covers it)");
        }
        Attachment form = consent.getSourceAttachment();
        if (form.hasData() && !Arrays.equals(sha1(form.getData()), form.getHash())) {
            throw Unprocessable.at(
                    fhirContext,
                    "Consent.source.ofType(Attachment).hash",
                    IssueType.VALUE,
                    "添付された原本のハッシュが hash と一致しません (the attached form's SHA-1 does not match its hash)");
        }
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record of a signed version, written with it: its target, when, who signed in what capacity, the signature. */
    private WriteRequest provenance(WriteRequest request, long version, Signature signature, Instant now) {
        Provenance provenance = new Provenance();
        provenance.addTarget(new Reference(request.type() + "/" + request.id() + "/_history/" + version));
        provenance.setRecorded(Date.from(now));
        provenance
                .addAgent()
                .setType(SignedKind.agentType(signature))
                .setWho(signature.getWho().copy());
        provenance.addSignature(signature.copy());
        labeler.label(request.id(), request.resource()).patients().stream()
                .findFirst()
                .ifPresent(patient -> provenance.addExtension(PROVENANCE_PATIENT, new Reference("Patient/" + patient)));
        return new WriteRequest("Provenance", Records.newId(), provenance, null, request.owner(), request.author());
    }

    private static String names(SignedKind kind) {
        return kind.signers().stream()
                .map(HealthcareRole.Qualification::japanese)
                .sorted()
                .collect(Collectors.joining("・"));
    }

    private UnprocessableEntityException refused(String expression, SignatureFailure.Reason reason, String message) {
        return Unprocessable.at(
                fhirContext,
                expression,
                reason == SignatureFailure.Reason.MALFORMED
                        ? IssueType.STRUCTURE
                        : reason == SignatureFailure.Reason.MISSING ? IssueType.REQUIRED : IssueType.SECURITY,
                message + " [" + reason + "]");
    }
}
