package jp.renkei.hub.print;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.fhir.Unprocessable;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * {@code GET [base]/Bundle/{id}/$pdf}, {@code Consent/{id}/$pdf} and {@code Communication/{id}/$pdf}: the
 * record as a printable Japanese form (application/pdf) for partners who still work on paper and FAX.
 * The record is read exactly as {@code GET [type]/{id}} reads it ({@link ResourceOperations#readCurrent}):
 * a caller who may not read it gets the same 404 or 403, and the access is audited like a read. Records
 * printed alongside (the patient of a Consent or Communication, the question an answer responds to, names
 * of referenced people) are shown only if the caller may read them, and are recorded in the same AuditEvent.
 * A Bundle that is not a document, or a Consent that is not an advance directive, is a 422.
 */
public final class PdfOperations implements OperationProvider {

    public static final String PDF = "application/pdf";
    /** Types whose records may be read to print a name or the patient box. */
    private static final Set<String> NAMED = Set.of("Patient", "RelatedPerson", "Practitioner", "PractitionerRole",
            "Organization", "DocumentReference", "Communication");

    private final ResourceOperations operations;
    private final FhirContext fhirContext;
    private final FormWriter writer;
    private final ZoneId zone;

    public PdfOperations(ResourceOperations operations, FhirContext fhirContext, FormWriter writer, ZoneId zone) {
        this.operations = operations;
        this.fhirContext = fhirContext;
        this.writer = writer;
        this.zone = zone;
    }

    @Operation(name = "$pdf", type = Bundle.class, idempotent = true)
    public Binary documentPdf(@IdParam IdType id, HttpServletRequest request) {
        Bundle bundle = (Bundle) read("Bundle", id);
        if (!DocumentBundleForm.isDocument(bundle)) {
            throw Unprocessable.at(fhirContext, "Bundle.type", OperationOutcome.IssueType.BUSINESSRULE,
                    "文書（type document、先頭が Composition）の Bundle だけを印刷できます (only a document Bundle, with its"
                            + " Composition first, can be printed as a PDF)");
        }
        return pdf(new DocumentBundleForm(zone).render(bundle), id, request);
    }

    @Operation(name = "$pdf", type = Consent.class, idempotent = true)
    public Binary advanceDirectivePdf(@IdParam IdType id, HttpServletRequest request) {
        Consent consent = (Consent) read("Consent", id);
        if (!AdvanceDirectiveForm.isAdvanceDirective(consent)) {
            throw Unprocessable.at(fhirContext, "Consent.scope", OperationOutcome.IssueType.BUSINESSRULE,
                    "事前指示書（scope adr）の Consent だけを印刷できます (only an advance directive, a Consent with scope adr,"
                            + " can be printed as a PDF)");
        }
        Patient patient = readable(consent.getPatient()) instanceof Patient p ? p : null;
        return pdf(new AdvanceDirectiveForm(zone).render(consent, patient, this::display), id, request);
    }

    @Operation(name = "$pdf", type = Communication.class, idempotent = true)
    public Binary contactFormPdf(@IdParam IdType id, HttpServletRequest request) {
        Communication communication = (Communication) read("Communication", id);
        Communication question = communication;
        Communication answer = null;
        if (communication.hasInResponseTo()) {
            answer = communication;
            question = readable(communication.getInResponseToFirstRep()) instanceof Communication q ? q : null;
        }
        Patient patient = readable(communication.getSubject()) instanceof Patient p ? p : null;
        return pdf(new ContactFormForm(zone).render(question, answer, patient, this::display), id, request);
    }

    /** The record as {@code GET [type]/{id}} reads it: same checks, same answers, audited. */
    private Resource read(String type, IdType id) {
        return operations.toResource(operations.readCurrent(type, id.getIdPart()));
    }

    /** A referenced record if it exists and the caller may read it (then it is audited as shown), else null. */
    private Resource readable(Reference reference) {
        if (reference == null || !reference.hasReference()) {
            return null;
        }
        IdType target = new IdType(reference.getReference());
        if (target.isAbsolute() || !target.hasResourceType() || !target.hasIdPart() || !NAMED.contains(target.getResourceType())) {
            return null;
        }
        StoredResource stored = operations.store().read(target.getResourceType(), target.getIdPart());
        if (stored == null || stored.deleted()) {
            return null;
        }
        List<StoredResource> shown = operations.visible(List.of(stored), 'r');
        return shown.isEmpty() ? null : operations.toResource(shown.get(0));
    }

    private String display(Reference reference) {
        return new EntrySummaries(this::readable, zone).display(reference);
    }

    private Binary pdf(PrintForm form, IdType id, HttpServletRequest request) {
        byte[] pdf = writer.write(form, new Date());
        String stem = form.fileStem() + "-" + id.getIdPart();
        DownloadName.name(request, stem + ".pdf", form.title() + "_" + id.getIdPart() + ".pdf");
        Binary binary = new Binary();
        binary.setContentType(PDF);
        binary.setData(pdf);
        return binary;
    }
}
