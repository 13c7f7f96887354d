package jp.renkei.hub.consent.operations;

import ca.uhn.fhir.context.FhirContext;
import java.util.Date;
import jp.renkei.hub.consent.ConsentEvaluator;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.fhir.Unprocessable;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.WriteRule;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.stereotype.Component;

/**
 * How a Consent is recorded. A privacy Consent must carry its source: the scanned signed form as an
 * attachment, or the QuestionnaireResponse (or DocumentReference) it was taken with. Every version of
 * every Consent is stamped by the hub with who wrote it (user, FHIR identity, organisation,
 * profession), when, and what they did (record, amend, revoke); whatever a client puts in that
 * extension is replaced, so the stamp cannot be forged. {@code Consent.dateTime} defaults to the time
 * of recording. The history of a Consent thus shows who recorded it and who revoked it.
 */
@Component
class ConsentRecording implements WriteRule {

    public static final String RECORDING = "http://renkei.example.jp/fhir/StructureDefinition/consent-recording";

    private final FhirContext fhirContext;

    public ConsentRecording(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    /** Who recorded the Consent is the hub's to say: a client's stamp is replaced on every write. */
    @Override
    public java.util.Set<String> stamps() {
        return java.util.Set.of(RECORDING);
    }

    @Override
    public void apply(WriteRequest request, StoredResource before, Caller caller) {
        if (caller.isHub()) {
            return; // the hub's own change ($revoke) carries the stamp of the person who asked for it
        }
        if (!"Consent".equals(request.type()) || request.isDelete()) {
            return;
        }
        Consent consent = (Consent) request.resource();
        if (ConsentEvaluator.isPrivacy(consent)) {
            requireSource(consent);
        }
        if (!consent.hasDateTime()) {
            consent.setDateTime(new Date());
        }
        stamp(consent, caller, before == null || before.deleted() ? "record" : "amend", null);
    }

    /** Replaces the recording stamp with one for this caller, now. */
    void stamp(Consent consent, Caller caller, String action, String reason) {
        consent.getExtension().removeIf(e -> RECORDING.equals(e.getUrl()));
        Extension stamp = consent.addExtension().setUrl(RECORDING);
        stamp.addExtension("action", new CodeType(action));
        stamp.addExtension("recorded", new InstantType(new Date()));
        stamp.addExtension("agent", caller.asReference());
        if (caller.organization() != null) {
            stamp.addExtension("organization", new Reference("Organization/" + caller.organization()));
        }
        caller.roles().stream()
                .sorted()
                .forEach(role -> stamp.addExtension("role", new Coding(Caller.PROFESSION_SYSTEM, role, null)));
        if (reason != null) {
            stamp.addExtension("reason", new StringType(reason));
        }
    }

    private void requireSource(Consent consent) {
        if (consent.hasSourceAttachment()) {
            Attachment form = consent.getSourceAttachment();
            if (!form.hasContentType() || (!form.hasData() && !form.hasUrl())) {
                throw Unprocessable.at(
                        fhirContext,
                        "Consent.source.ofType(Attachment)",
                        OperationOutcome.IssueType.REQUIRED,
                        "同意書の添付には contentType と data または url が必要です (the attached consent form needs a contentType"
                                + " and its data or url)");
            }
            return;
        }
        if (consent.hasSourceReference()) {
            String type = consent.getSourceReference().getReferenceElement().getResourceType();
            if (!"QuestionnaireResponse".equals(type) && !"DocumentReference".equals(type)) {
                throw Unprocessable.at(
                        fhirContext,
                        "Consent.source.ofType(Reference)",
                        OperationOutcome.IssueType.INVALID,
                        "同意の根拠は QuestionnaireResponse か DocumentReference を参照してください (a consent's source reference"
                                + " must point to a QuestionnaireResponse or a DocumentReference, not '"
                                + consent.getSourceReference().getReference() + "')");
            }
            return;
        }
        throw Unprocessable.at(
                fhirContext,
                "Consent.source[x]",
                OperationOutcome.IssueType.REQUIRED,
                "同意の根拠（署名済み同意書の添付、または QuestionnaireResponse）がありません (a privacy Consent must carry its"
                        + " source: sourceAttachment with the scanned signed form, or sourceReference to the QuestionnaireResponse)");
    }
}
