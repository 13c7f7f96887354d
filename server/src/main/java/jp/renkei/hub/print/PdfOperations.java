package jp.renkei.hub.print;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.context.Permission;
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
 *
 * <p>{@code POST [base]/Bundle/$pdf} with a document not yet sent (the Bundle as the body, or as the {@code resource}
 * parameter) is its print preview: the document is judged exactly as its create would be (access to the patient,
 * validation, the recipients' rules; the same 403 or 422), nothing is stored, nothing read from the store is printed,
 * and the form is marked as not sent on every page.
 */
public final class PdfOperations implements OperationProvider {

    public static final String PDF = "application/pdf";
    /** Types whose records may be read to print a name or the patient box. */
    private static final Set<String> NAMED = Set.of(
            "Patient",
            "RelatedPerson",
            "Practitioner",
            "PractitionerRole",
            "Organization",
            "DocumentReference",
            "Communication");

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
            throw Unprocessable.at(
                    fhirContext,
                    "Bundle.type",
                    OperationOutcome.IssueType.BUSINESSRULE,
                    "文書（type document、先頭が Composition）の Bundle だけを印刷できます (only a document Bundle, with its"
                            + " Composition first, can be printed as a PDF)");
        }
        return pdf(new DocumentBundleForm(zone).render(bundle), id, request);
    }

    /**
     * Written by hand: HAPI answers a POST in the request body's format (the Binary as FHIR JSON) unless the client's
     * Accept names a FHIR format, whatever else the Accept asks for; a preview is the PDF itself.
     */
    @Operation(name = "$pdf", type = Bundle.class, manualResponse = true)
    public void documentPreviewPdf(
            @OperationParam(name = "resource", min = 1, max = 1) Bundle document,
            HttpServletRequest request,
            HttpServletResponse response)
            throws IOException {
        if (document == null || !DocumentBundleForm.isDocument(document)) {
            throw Unprocessable.at(
                    fhirContext,
                    "Bundle.type",
                    OperationOutcome.IssueType.BUSINESSRULE,
                    "送信前の確認には、文書（type document、先頭が Composition）の Bundle を送ってください (a print preview"
                            + " takes a document Bundle, with its Composition first, as the body)");
        }
        operations.judge(operations.createRequest("Bundle", document));
        PrintForm form = new DocumentBundleForm(zone).render(document);
        PrintForm preview = new PrintForm(
                form.title() + "（送信前の確認用・未送信）", form.patient(), form.sections(), form.fileStem() + "-preview");
        byte[] pdf = writer.write(preview, new Date());
        DownloadName.name(request, preview.fileStem() + ".pdf", form.title() + "_送信前確認.pdf");
        response.setStatus(200);
        response.setContentType(PDF);
        response.addHeader("Content-Disposition", "attachment;");
        response.setContentLength(pdf.length);
        response.getOutputStream().write(pdf);
    }

    @Operation(name = "$pdf", type = Consent.class, idempotent = true)
    public Binary advanceDirectivePdf(@IdParam IdType id, HttpServletRequest request) {
        Consent consent = (Consent) read("Consent", id);
        if (!AdvanceDirectiveForm.isAdvanceDirective(consent)) {
            throw Unprocessable.at(
                    fhirContext,
                    "Consent.scope",
                    OperationOutcome.IssueType.BUSINESSRULE,
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
        return operations.records().resource(operations.readCurrent(type, id.getIdPart()));
    }

    /** A referenced record if it exists and the caller may read it (then it is audited as shown), else null. */
    private Resource readable(Reference reference) {
        if (reference == null || !reference.hasReference()) {
            return null;
        }
        IdType target = new IdType(reference.getReference());
        if (target.isAbsolute()
                || !target.hasResourceType()
                || !target.hasIdPart()
                || !NAMED.contains(target.getResourceType())) {
            return null;
        }
        StoredResource stored = operations.records().read(target.getResourceType(), target.getIdPart());
        if (stored == null || stored.deleted()) {
            return null;
        }
        List<StoredResource> shown = operations.visible(List.of(stored), Permission.READ);
        return shown.isEmpty() ? null : operations.records().resource(shown.get(0));
    }

    private String display(Reference reference) {
        return new EntrySummaries(this::readable, zone).display(reference);
    }

    private Binary pdf(PrintForm form, IdType id, HttpServletRequest request) {
        byte[] pdf = writer.write(form, new Date());
        DownloadName.name(
                request, form.fileStem() + "-" + id.getIdPart() + ".pdf", form.title() + "_" + id.getIdPart() + ".pdf");
        Binary binary = new Binary();
        binary.setContentType(PDF);
        binary.setData(pdf);
        return binary;
    }
}
