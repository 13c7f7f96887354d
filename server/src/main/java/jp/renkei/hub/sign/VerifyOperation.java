package jp.renkei.hub.sign;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code GET [type]/{id}/$verify} on a document Bundle, a Consent or a Communication: the signature of the current
 * version checked again, each check reported on its own: {@code verified} (all is well), {@code contentChanged},
 * the signature's kind (author, witness, or the hub's custody seal), the signer and their certificate's
 * qualification (hcRole), the signing time, and the chain's status ({@code trusted}, {@code untrusted},
 * {@code expired}, {@code revoked}) as of the signing time, with a revocation dated later reported as
 * {@code revokedAfter}. The record is read as {@code GET} reads it: same access checks, audited; a record that
 * fails its integrity check is reported here rather than refused.
 */
public final class VerifyOperation implements OperationProvider {

    private final ResourceOperations operations;
    private final SignatureVerifier verifier;

    public VerifyOperation(ResourceOperations operations, SignatureVerifier verifier) {
        this.operations = operations;
        this.verifier = verifier;
    }

    @Operation(name = "$verify", type = Bundle.class, idempotent = true)
    public Parameters verifyBundle(@IdParam IdType id) {
        return verify("Bundle", id);
    }

    @Operation(name = "$verify", type = Consent.class, idempotent = true)
    public Parameters verifyConsent(@IdParam IdType id) {
        return verify("Consent", id);
    }

    @Operation(name = "$verify", type = Communication.class, idempotent = true)
    public Parameters verifyCommunication(@IdParam IdType id) {
        return verify("Communication", id);
    }

    private Parameters verify(String type, IdType id) {
        StoredResource stored = operations.readCurrent(type, id.getIdPart());
        Resource resource = operations.records().unchecked(stored);
        Parameters out = new Parameters();
        out.addParameter()
                .setName("record")
                .setValue(new Reference(type + "/" + stored.id() + "/_history/" + stored.version()));
        Optional<SignedKind> kind = SignedKind.of(resource);
        kind.ifPresent(k -> out.addParameter().setName("documentKind").setValue(new StringType(k.japanese())));
        Signature signature = DocumentIntegrity.signatureOf(resource);
        String jws = SignatureElements.jws(signature);
        if (jws == null) {
            out.addParameter("verified", false);
            out.addParameter().setName("signatureKind").setValue(new CodeType("unsigned"));
            out.addParameter(
                    "issue",
                    kind.isPresent()
                            ? "署名がありません: this " + kind.get().japanese() + " must be signed but holds no signature"
                            : "署名がありません (the record is not signed)");
            return out;
        }
        out.addParameter().setName("signatureKind").setValue(new CodeType(signatureKind(signature)));
        signature
                .getType()
                .forEach(t -> out.addParameter().setName("signatureType").setValue(t.copy()));
        SignatureVerifier.Report report;
        try {
            report = verifier.report(stored.json(), jws);
        } catch (SignatureFailure malformed) {
            out.addParameter("verified", false);
            out.addParameter("issue", malformed.getMessage());
            return out;
        }
        boolean verified = !report.contentChanged() && report.chainFailure() == null;
        out.addParameter("verified", verified);
        out.addParameter("contentChanged", report.contentChanged());
        out.addParameter().setName("signer").setValue(new StringType(report.signer()));
        if (report.identity() != null) {
            out.addParameter().setName("signerIdentity").setValue(new Reference(report.identity()));
        }
        for (HealthcareRole.Role role : report.roles()) {
            out.addParameter()
                    .setName("qualification")
                    .setValue(new Coding(
                            "urn:oid:" + role.scheme(),
                            role.value(),
                            role.qualification()
                                    .map(HealthcareRole.Qualification::japanese)
                                    .orElse(null)));
        }
        out.addParameter().setName("signingTime").setValue(new InstantType(Date.from(report.signingTime())));
        out.addParameter().setName("chain").setValue(new CodeType(chainStatus(report.chainFailure())));
        if (report.anchor() != null) {
            out.addParameter().setName("trustAnchor").setValue(new StringType(ChainValidator.subject(report.anchor())));
        }
        if (report.revokedAfter() != null) {
            out.addParameter().setName("revokedAfter").setValue(new DateTimeType(Date.from(report.revokedAfter())));
        }
        if (report.contentChanged()) {
            out.addParameter("issue", "署名後に内容が変更されています (the content changed after it was signed)");
        }
        if (report.chainFailure() != null) {
            out.addParameter("issue", report.chainFailure().getMessage());
        }
        out.addParameter().setName("checkedAt").setValue(new InstantType(Date.from(Instant.now())));
        out.addParameter().setName("version").setValue(new IntegerType((int) stored.version()));
        return out;
    }

    private static String signatureKind(Signature signature) {
        if (SignatureElements.isOfType(signature, SignatureElements.SOURCE)) {
            return "custody-seal";
        }
        return SignatureElements.isOfType(signature, SignatureElements.CONSENT_WITNESS)
                ? "witness-signature"
                : "author-signature";
    }

    private static String chainStatus(SignatureFailure failure) {
        if (failure == null) {
            return "trusted";
        }
        return switch (failure.reason()) {
            case EXPIRED -> "expired";
            case REVOKED -> "revoked";
            default -> "untrusted";
        };
    }
}
