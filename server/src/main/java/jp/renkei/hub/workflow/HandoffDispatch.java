package jp.renkei.hub.workflow;

import ca.uhn.fhir.context.FhirContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.fhir.Unprocessable;
import jp.renkei.hub.store.Labeler;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.WriteRule;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;

/**
 * Sending is writing: when a discharge handoff, admission information or a pharmacist's medication report (服薬情報提供書,
 * no fee-rule deadline) (a document Bundle whose
 * Composition names its recipients in the extension {@code handoff-recipient}; the discharge handoff's
 * profile requires at least one, a document without any is stored and sent to nobody) or a contact-form question (a Communication claiming
 * {@code renkei-contact-form-question}, recipients in {@code recipient}) is created, the hub opens one
 * hand-off Task per recipient in the same write, addressed to that recipient, focused on what was sent, with
 * the trigger day of its fee-rule deadlines (admission information: the admission, the start of
 * {@code Composition.event.period}; a discharge handoff: the day of discharge, the end of the documented stay) or the
 * 返信希望日. What is sent must point at what is there ({@link SentReferences}): a mistyped recipient is refused, not
 * sent to nobody.
 * When the physician's answer (a Communication claiming {@code renkei-contact-form-answer}) is created,
 * the open Tasks of the question it responds to are completed in the same write. The question's
 * {@code received} time is set when its Task is first received, or answered without that step (既読).
 * A new version of a sent document (sent again under its identifier, or amended) opens Tasks only for the
 * recipients who have none for it yet; the others see the new version through the same focus.
 */
final class HandoffDispatch implements WriteRule {

    public static final String RECIPIENT = "http://renkei.example.jp/fhir/StructureDefinition/handoff-recipient";
    public static final String REPLY_BY = "http://renkei.example.jp/fhir/StructureDefinition/reply-requested-by";
    public static final String QUESTION =
            "http://renkei.example.jp/fhir/StructureDefinition/renkei-contact-form-question";
    public static final String ANSWER = "http://renkei.example.jp/fhir/StructureDefinition/renkei-contact-form-answer";
    private static final String CARE_DOCUMENT = "http://renkei.example.jp/fhir/CodeSystem/care-document";
    /** Document kinds that are sent to someone, with the Task's title. */
    private static final Map<String, String> SENT_DOCUMENTS = Map.of(
            "discharge-summary", "退院時情報提供書の送付",
            "admission-info", "入院時情報提供書の送付",
            "medication-report", "服薬情報提供書の送付");

    private static final Set<String> ADDRESSEE_TYPES = Set.of("Organization", "PractitionerRole", "Practitioner");

    private final FhirContext fhirContext;
    private final TaskWorkflow workflow;
    private final Labeler labeler;
    private final SearchExecutor searches;
    private final Records records;
    private final SentReferences references;

    public HandoffDispatch(
            FhirContext fhirContext,
            TaskWorkflow workflow,
            Labeler labeler,
            SearchExecutor searches,
            Records records,
            AccessGuard guard) {
        this.fhirContext = fhirContext;
        this.workflow = workflow;
        this.labeler = labeler;
        this.searches = searches;
        this.records = records;
        this.references = new SentReferences(fhirContext, records, guard);
    }

    @Override
    public Stage stage() {
        return Stage.CROSS_CHECK;
    }

    /**
     * A sent item (each version of it) names recipients the hub can address, a patient it knows, and nothing that is not
     * there; a hand-off Task is addressed to someone in the directory.
     */
    @Override
    public void apply(WriteRequest request, StoredResource before, Caller caller) {
        if (request.isDelete()) {
            return;
        }
        if (request.resource() instanceof Task task) {
            requireAddressee(task, before);
            return;
        }
        Sending sending = sending(request);
        if (sending == null || sending.recipients().isEmpty()) {
            return;
        }
        for (int i = 0; i < sending.recipients().size(); i++) {
            String ref = sending.recipients().get(i).getReference();
            String type = ref == null || !ref.contains("/") ? null : ref.substring(0, ref.indexOf('/'));
            if (type == null || !ADDRESSEE_TYPES.contains(type) || ref.indexOf('/') != ref.lastIndexOf('/')) {
                throw Unprocessable.at(
                        fhirContext,
                        sending.recipientPath(i),
                        OperationOutcome.IssueType.VALUE,
                        "送付先は Organization / PractitionerRole / Practitioner の相対参照で指定します (a recipient is a relative"
                                + " reference to an Organization, PractitionerRole or Practitioner of this hub, not '"
                                + ref + "')");
            }
        }
        if (patientOf(request) == null) {
            throw Unprocessable.at(
                    fhirContext,
                    sending.subjectPath(),
                    OperationOutcome.IssueType.VALUE,
                    "送付する文書の患者（subject）はこのハブの Patient を指す必要があります (what is sent is about a patient of this hub:"
                            + " subject is Patient/{id} or the Patient entry of the document)");
        }
        references.check(
                request.resource(),
                new SentReferences.Roles(sending.recipientsPath(), sending.subjectPath(), sending.authorsPath()));
    }

    /** A hand-off Task's addressee is in the directory: checked when the Task is created or addressed anew. */
    private void requireAddressee(Task task, StoredResource before) {
        String owner = task.getOwner().getReference();
        if (TaskWorkflow.handoffKind(task) == null || owner == null) {
            return; // not a hand-off, or one without an addressee, which TaskWorkflow refuses
        }
        boolean sameAddressee = before != null
                && !before.deleted()
                && before.labels().addressees().contains(owner);
        if (!sameAddressee) {
            references.checkAddressee("Task.owner", owner);
        }
    }

    @Override
    public List<WriteRequest> consequences(WriteRequest request, StoredResource before, Caller caller) {
        if (request.isDelete()) {
            return List.of();
        }
        if (!isNew(before) && request.resource() instanceof Task task) {
            return isContactForm(task) && task.getStatus() == Task.TaskStatus.RECEIVED ? questionRead(task) : List.of();
        }
        if (isNew(before) && request.resource() instanceof Communication c && claims(c, ANSWER)) {
            return completeAnsweredQuestions(c, caller);
        }
        Sending sending = sending(request);
        if (sending == null || sending.recipients().isEmpty()) {
            return List.of();
        }
        Reference patient = new Reference("Patient/" + patientOf(request));
        Reference focus = new Reference(request.type() + "/" + request.id());
        // a new version is sent to whoever has no Task for it yet (a recipient added, or a preliminary version made
        // final)
        Set<Object> addressed = isNew(before)
                ? Set.of()
                : searches.currentWhere("Task", "focus", focus.getReference(), false).stream()
                        .flatMap(t -> t.indexValues("owner").stream())
                        .collect(Collectors.toSet());
        List<WriteRequest> tasks = new ArrayList<>();
        for (Reference recipient : sending.recipients()) {
            if (addressed.contains(recipient.getReference())) {
                continue;
            }
            Task task = workflow.open(
                    sending.kind(),
                    sending.title(),
                    patient,
                    focus,
                    new Reference(recipient.getReference()).setDisplay(recipient.getDisplay()),
                    caller,
                    sending.trigger(),
                    sending.replyBy());
            tasks.add(new WriteRequest("Task", Records.newId(), task, null, request.owner(), request.author()));
        }
        return tasks;
    }

    /**
     * Completes the question's Tasks that are addressed to the answerer's side and about the same patient:
     * an answer cannot close someone else's Task, nor a Task of another patient's question.
     */
    private List<WriteRequest> completeAnsweredQuestions(Communication answer, Caller caller) {
        List<WriteRequest> done = new ArrayList<>();
        String patient = answer.getSubject().getReference();
        for (Reference question : answer.getInResponseTo()) {
            if (question.getReference() == null || !question.getReference().startsWith("Communication/")) {
                continue;
            }
            Task answeredOne = null;
            for (StoredResource stored : searches.currentWhere("Task", "focus", question.getReference(), true)) {
                Task task = records.resource(stored, Task.class);
                if (!isContactForm(task)
                        || patient == null
                        || !patient.equals(task.getFor().getReference())
                        || !TaskWorkflow.addressedToCallersSide(task, caller)) {
                    continue;
                }
                Task answered = workflow.answered(task);
                if (answered != task) {
                    done.add(new WriteRequest("Task", stored.id(), answered, stored.version(), null));
                    answeredOne = task;
                }
            }
            if (answeredOne != null) {
                done.addAll(questionRead(answeredOne));
            }
        }
        return done;
    }

    /**
     * Stamps when the question was first read ({@code Communication.received}); later reads change nothing.
     * Only through a Task that really is this question's: same patient, addressed to one of its recipients.
     */
    private List<WriteRequest> questionRead(Task task) {
        String ref = task.getFocus().getReference();
        if (ref == null || !ref.startsWith("Communication/")) {
            return List.of();
        }
        StoredResource stored = records.read("Communication", ref.substring("Communication/".length()));
        if (stored == null || stored.deleted()) {
            return List.of();
        }
        Communication question = records.resource(stored, Communication.class);
        boolean ofThisQuestion = task.getFor().getReference() != null
                && task.getFor().getReference().equals(question.getSubject().getReference())
                && question.getRecipient().stream()
                        .anyMatch(r -> r.getReference() != null
                                && r.getReference().equals(task.getOwner().getReference()));
        if (question.hasReceived() || !claims(question, QUESTION) || !ofThisQuestion) {
            return List.of();
        }
        question.setReceived(new java.util.Date());
        return List.of(new WriteRequest("Communication", stored.id(), question, stored.version(), null));
    }

    private static boolean isContactForm(Task task) {
        return task.getCode().getCoding().stream()
                .anyMatch(c -> TaskWorkflow.HANDOFF.equals(c.getSystem()) && "contact-form".equals(c.getCode()));
    }

    /** What is being sent, or null when the write sends nothing. */
    private Sending sending(WriteRequest request) {
        Resource resource = request.resource();
        if (resource instanceof Bundle bundle
                && bundle.getType() == Bundle.BundleType.DOCUMENT
                && bundle.hasEntry()
                && bundle.getEntryFirstRep().getResource() instanceof Composition composition) {
            String kind = composition.getType().getCoding().stream()
                    .filter(c -> CARE_DOCUMENT.equals(c.getSystem()))
                    .map(c -> c.getCode())
                    .filter(code -> code != null)
                    .findFirst()
                    .orElse(null);
            // the first care-document code is the document's kind, as for its access label and its profile
            if (kind == null
                    || !SENT_DOCUMENTS.containsKey(kind)
                    || composition.getStatus() == Composition.CompositionStatus.PRELIMINARY) {
                return null;
            }
            List<Reference> recipients = composition.getExtensionsByUrl(RECIPIENT).stream()
                    .map(Extension::getValue)
                    .filter(Reference.class::isInstance)
                    .map(Reference.class::cast)
                    .toList();
            // the day the fee-rule deadlines count from: the admission, or the discharge; a medication report has none
            LocalDate trigger = "discharge-summary".equals(kind)
                    ? dischargeDay(bundle, composition)
                    : "admission-info".equals(kind)
                            ? day(composition.getEventFirstRep().getPeriod().getStartElement())
                            : null;
            return new Sending(
                    kind,
                    SENT_DOCUMENTS.get(kind),
                    recipients,
                    trigger,
                    null,
                    "Bundle.entry[0].resource.extension('" + RECIPIENT + "')",
                    "Bundle.entry[0].resource.subject",
                    "Bundle.entry[0].resource.author");
        }
        if (resource instanceof Communication question && claims(question, QUESTION)) {
            LocalDate replyBy = question.getExtensionByUrl(REPLY_BY) != null
                            && question.getExtensionByUrl(REPLY_BY).getValue() instanceof DateType date
                            && date.getValue() != null
                    ? LocalDate.of(date.getYear(), date.getMonth() + 1, date.getDay())
                    : null;
            return new Sending(
                    "contact-form",
                    "主治医・ケアマネジャー連絡票",
                    question.getRecipient(),
                    null,
                    replyBy,
                    "Communication.recipient",
                    "Communication.subject",
                    null);
        }
        return null;
    }

    /**
     * The day of discharge, which a discharge handoff's deadlines count from: the end of the stay the document covers
     * ({@code Composition.event.period.end}), else the end of the hospital stay it belongs to ({@code Composition.encounter},
     * an entry of the document); null when the document says neither (then it has no deadline).
     */
    private static LocalDate dischargeDay(Bundle document, Composition composition) {
        for (Composition.CompositionEventComponent event : composition.getEvent()) {
            if (event.getPeriod().hasEnd()) {
                return day(event.getPeriod().getEndElement());
            }
        }
        Resource stay = SentReferences.Entries.of(document)
                .resolve(
                        composition.getEncounter().getReference(),
                        document.getEntryFirstRep().getFullUrl());
        return stay instanceof Encounter encounter && encounter.getPeriod().hasEnd()
                ? day(encounter.getPeriod().getEndElement())
                : null;
    }

    /** The calendar day as written (in the time zone the sender wrote it in). */
    private static LocalDate day(BaseDateTimeType time) {
        return time.getValue() == null ? null : LocalDate.of(time.getYear(), time.getMonth() + 1, time.getDay());
    }

    private record Sending(
            String kind,
            String title,
            List<Reference> recipients,
            LocalDate trigger,
            LocalDate replyBy,
            String recipientsPath,
            String subjectPath,
            String authorsPath) {
        String recipientPath(int i) {
            return recipientsPath.endsWith(")") ? recipientsPath + "[" + i + "].value" : recipientsPath + "[" + i + "]";
        }
    }

    private String patientOf(WriteRequest request) {
        List<String> patients = labeler.label(request.id(), request.resource()).patients();
        return patients.isEmpty() ? null : patients.get(0);
    }

    private static boolean isNew(StoredResource before) {
        return before == null || before.deleted();
    }

    private static boolean claims(Resource resource, String profile) {
        return resource.getMeta().hasProfile(profile);
    }
}
