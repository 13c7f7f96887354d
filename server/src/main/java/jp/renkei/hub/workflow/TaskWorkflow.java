package jp.renkei.hub.workflow;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.fhir.Unprocessable;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.WriteRule;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;

/**
 * The hand-off Task (送付・受領・承諾/却下・完了): who may move it from which status to which, the
 * times the hub records for each step, and the fee-rule deadlines of the hand-off. A hand-off Task has
 * a {@code Task.code} from the hand-off code system (admission-info, discharge-summary, contact-form, …);
 * other Tasks are not held to the state machine, but their addressee, too, changes only the response.
 *
 * <pre>
 * requested ──receive──▶ received ──accept──▶ accepted ──start──▶ in-progress ──complete──▶ completed
 *     │                     ├──reject (reason)──▶ rejected          └──────────complete───────▶
 *     └── cancel (requester, until accepted) ──▶ cancelled                         in-progress ──▶ failed
 * </pre>
 *
 * The addressee ({@code Task.owner}: their organisation, role or person) makes every step except
 * cancelling, which is the requesting organisation's; an addressee may change nothing else of the
 * Task (policy action {@code respond}). A new Task starts as {@code requested} and names its
 * addressee. The hub stamps when each status was reached (extension {@code task-status-times}; the
 * {@code received} time proves delivery) and, for a hand-off kind with fee rules
 * ({@code Task.code} from the hand-off code system, trigger day in input {@code trigger-date}), the
 * deadlines ({@code restriction.period.end} is the last one; extension {@code fee-rule-deadline} lists
 * each with its add-on). What a client sends in these is replaced.
 */
public final class TaskWorkflow implements WriteRule {

    public static final String HANDOFF = "http://renkei.example.jp/fhir/CodeSystem/handoff";
    public static final String TASK_INPUT = "http://renkei.example.jp/fhir/CodeSystem/task-input";
    public static final String HANDOFF_STATUS = "http://renkei.example.jp/fhir/CodeSystem/handoff-status";
    public static final String STATUS_TIMES = "http://renkei.example.jp/fhir/StructureDefinition/task-status-times";
    public static final String DEADLINE = "http://renkei.example.jp/fhir/StructureDefinition/fee-rule-deadline";

    private static final Map<TaskStatus, Set<TaskStatus>> BY_ADDRESSEE = Map.of(
            TaskStatus.REQUESTED, EnumSet.of(TaskStatus.RECEIVED),
            TaskStatus.RECEIVED, EnumSet.of(TaskStatus.ACCEPTED, TaskStatus.REJECTED),
            TaskStatus.ACCEPTED, EnumSet.of(TaskStatus.INPROGRESS, TaskStatus.COMPLETED),
            TaskStatus.INPROGRESS, EnumSet.of(TaskStatus.COMPLETED, TaskStatus.FAILED));
    private static final Set<TaskStatus> CANCELLABLE = EnumSet.of(TaskStatus.REQUESTED, TaskStatus.RECEIVED);

    private final FhirContext fhirContext;
    private final Records records;
    private final AccessGuard guard;
    private final FeeRules feeRules;
    private final ZoneId zone;

    public TaskWorkflow(FhirContext fhirContext, Records records, AccessGuard guard, FeeRules feeRules, ZoneId zone) {
        this.fhirContext = fhirContext;
        this.records = records;
        this.guard = guard;
        this.feeRules = feeRules;
        this.zone = zone;
    }

    /** The status times and deadlines are the hub's: a client's are replaced on every write. */
    @Override
    public Set<String> stamps() {
        return Set.of(STATUS_TIMES, DEADLINE);
    }

    @Override
    public void apply(WriteRequest request, StoredResource before, Caller caller) {
        if (!"Task".equals(request.type()) || request.isDelete()) {
            return;
        }
        Task task = (Task) request.resource();
        boolean handoff = handoffKind(task) != null;
        if (before == null || before.deleted()) {
            if (handoff) {
                start(task, caller);
                stampDeadlines(task);
            }
            return;
        }
        Task previous = records.resource(before, Task.class);
        boolean addresseeOnly = guard.respondsOnly(caller, before);
        if (handoff) {
            advance(previous, task, addresseeOnly, caller);
            stampDeadlines(task);
        } else if (addresseeOnly) {
            requireOnlyTheResponseChanged(previous, task);
        }
    }

    /**
     * A hand-off Task the hub opens on the sender's behalf when a document or contact form is sent:
     * requested, addressed to {@code owner}, with its status time and deadlines stamped as for a Task a
     * client creates.
     *
     * @param trigger the day the fee-rule deadlines count from, or null
     * @param replyBy the day an answer is asked for (返信希望日), or null
     */
    public Task open(
            String kind,
            String display,
            Reference patient,
            Reference focus,
            Reference owner,
            Caller caller,
            LocalDate trigger,
            LocalDate replyBy) {
        Task task = new Task()
                .setStatus(TaskStatus.REQUESTED)
                .setIntent(Task.TaskIntent.ORDER)
                .setCode(new CodeableConcept(new Coding(HANDOFF, kind, display)))
                .setFor(patient)
                .setFocus(focus)
                .setOwner(owner)
                .setDescription(display);
        if (trigger != null) {
            task.addInput()
                    .setType(new CodeableConcept(new Coding(TASK_INPUT, "trigger-date", "起算日")))
                    .setValue(new DateType(trigger.toString()));
        }
        if (replyBy != null) {
            task.addInput()
                    .setType(new CodeableConcept(new Coding(TASK_INPUT, "reply-by", "返信希望日")))
                    .setValue(new DateType(replyBy.toString()));
        }
        start(task, caller);
        stampDeadlines(task);
        return task;
    }

    /**
     * The Task once what it asked for has been answered (a contact form's reply): completed, with the
     * receipt time stamped too if the addressee answered without marking it received first. A Task that
     * has already ended is returned unchanged.
     */
    public Task answered(Task task) {
        if (task.getStatus() != TaskStatus.REQUESTED
                && task.getStatus() != TaskStatus.RECEIVED
                && task.getStatus() != TaskStatus.ACCEPTED
                && task.getStatus() != TaskStatus.INPROGRESS) {
            return task;
        }
        Task done = task.copy();
        reached(done, TaskStatus.RECEIVED);
        reached(done, TaskStatus.COMPLETED);
        done.setStatus(TaskStatus.COMPLETED);
        return done;
    }

    /** True while the Task waits for an answer by its 返信希望日 (input {@code reply-by}). */
    static boolean awaitsReply(Task task) {
        return inputDate(task, "reply-by") != null;
    }

    /** The Task's hand-off kind (its code from the hand-off code system), or null for any other Task. */
    static String handoffKind(Task task) {
        return task.getCode().getCoding().stream()
                .filter(c -> HANDOFF.equals(c.getSystem()))
                .map(Coding::getCode)
                .findFirst()
                .orElse(null);
    }

    private void start(Task task, Caller caller) {
        if (task.getStatus() != TaskStatus.REQUESTED && task.getStatus() != TaskStatus.DRAFT) {
            throw Unprocessable.at(
                    fhirContext,
                    "Task.status",
                    OperationOutcome.IssueType.BUSINESSRULE,
                    "新しい依頼は requested で始まります (a new hand-off Task starts as requested, not "
                            + (task.getStatus() == null
                                    ? "no status"
                                    : task.getStatus().toCode()) + ")");
        }
        if (task.getOwner().getReference() == null) {
            throw Unprocessable.at(
                    fhirContext,
                    "Task.owner",
                    OperationOutcome.IssueType.REQUIRED,
                    "宛先（Task.owner）がありません (a hand-off Task names its addressee in owner)");
        }
        if (!task.hasRequester() && caller.fhirIdentity() != null) {
            task.setRequester(new Reference(caller.fhirIdentity()));
        }
        if (!task.hasAuthoredOn()) {
            task.setAuthoredOn(new Date());
        }
        task.getExtension().removeIf(e -> STATUS_TIMES.equals(e.getUrl()));
        task.setBusinessStatus(null);
        reached(task, task.getStatus());
    }

    private void advance(Task previous, Task task, boolean addresseeOnly, Caller caller) {
        TaskStatus from = previous.getStatus();
        TaskStatus to = task.getStatus();
        // what the hub keeps: the times already recorded, the business status it maintains, who asked and when
        task.getExtension().removeIf(e -> STATUS_TIMES.equals(e.getUrl()));
        Extension times = previous.getExtensionByUrl(STATUS_TIMES);
        if (times != null) {
            task.addExtension(times.copy());
        }
        if (!caller.isHub()) {
            // the business status is the hub's to set (it flags a hand-off overdue); a client's write keeps the one
            // before
            task.setBusinessStatus(
                    previous.hasBusinessStatus() ? previous.getBusinessStatus().copy() : null);
        }
        if (!task.hasAuthoredOn()) {
            task.setAuthoredOnElement(previous.getAuthoredOnElement().copy());
        }
        if (!task.hasRequester()) {
            task.setRequester(previous.getRequester().copy());
        }
        if (addresseeOnly) {
            requireOnlyTheResponseChanged(previous, task);
        }
        if (from == to) {
            return;
        }
        boolean cancel = to == TaskStatus.CANCELLED && CANCELLABLE.contains(from);
        boolean step = BY_ADDRESSEE.getOrDefault(from, Set.of()).contains(to);
        if (!cancel && !step) {
            throw Unprocessable.at(
                    fhirContext,
                    "Task.status",
                    OperationOutcome.IssueType.BUSINESSRULE,
                    "状態を " + from.toCode() + " から " + to.toCode() + " に変えることはできません (a hand-off Task cannot go from "
                            + from.toCode() + " to " + to.toCode() + ")");
        }
        if (cancel && addresseeOnly) {
            throw new ForbiddenOperationException("取り消しは依頼元が行います (only the requesting organisation cancels a Task)");
        }
        if (step && !addresseeOnly && !addressedToCallersSide(task, caller)) {
            throw Unprocessable.at(
                    fhirContext,
                    "Task.status",
                    OperationOutcome.IssueType.BUSINESSRULE,
                    "受領・承諾・却下・開始・完了は宛先が行います (only the addressee moves a Task to " + to.toCode() + ")");
        }
        if (to == TaskStatus.REJECTED && !task.hasStatusReason()) {
            throw Unprocessable.at(
                    fhirContext,
                    "Task.statusReason",
                    OperationOutcome.IssueType.REQUIRED,
                    "却下の理由（statusReason）が必要です (a rejection says why in statusReason)");
        }
        reached(task, to);
        if (to == TaskStatus.RECEIVED && task.getRestriction().getPeriod().hasEnd()) {
            boolean onTime = !new Date().after(task.getRestriction().getPeriod().getEnd());
            task.setBusinessStatus(new CodeableConcept(new Coding(
                    HANDOFF_STATUS, onTime ? "delivered-on-time" : "delivered-late", onTime ? "期限内に送達" : "期限後に送達")));
        }
    }

    /** The author's side may also be the addressee (a Task to a colleague of the same organisation). */
    static boolean addressedToCallersSide(Task task, Caller caller) {
        if (caller.unrestricted()) {
            return true;
        }
        return caller.isNamedBy(task.getOwner().getReference(), true);
    }

    /** An addressee changes the status, its reason, the output and notes; nothing of the request itself. */
    private void requireOnlyTheResponseChanged(Task previous, Task task) {
        Task a = responseless(previous);
        Task b = responseless(task);
        if (!a.equalsDeep(b)) {
            throw new ForbiddenOperationException("宛先は状態・理由・成果・メモのみ変更できます (as the addressee you may change the"
                    + " status, its reason, the output and notes of this Task, nothing else)");
        }
    }

    private static Task responseless(Task task) {
        Task copy = task.copy();
        copy.setId((String) null);
        copy.setMeta(null);
        copy.setText(null);
        copy.setStatus(null);
        copy.setStatusReason(null);
        copy.setBusinessStatus(null);
        copy.setLastModifiedElement(null);
        copy.setExecutionPeriod(null);
        copy.getOutput().clear();
        copy.getNote().clear();
        copy.getExtension().removeIf(e -> STATUS_TIMES.equals(e.getUrl()) || DEADLINE.equals(e.getUrl()));
        copy.setRestriction(null);
        return copy;
    }

    private static void reached(Task task, TaskStatus status) {
        Date now = new Date();
        task.setLastModified(now);
        Extension times = task.getExtensionByUrl(STATUS_TIMES);
        if (times == null) {
            times = task.addExtension().setUrl(STATUS_TIMES);
        }
        if (times.getExtensionByUrl(status.toCode()) == null) {
            times.addExtension(status.toCode(), new InstantType(now));
        }
    }

    /** Deadlines follow from the hand-off kind and trigger day; recomputed on every write. */
    private void stampDeadlines(Task task) {
        task.getExtension().removeIf(e -> DEADLINE.equals(e.getUrl()));
        String handoff = handoffKind(task);
        LocalDate trigger = triggerDate(task);
        List<FeeRules.Due> deadlines =
                handoff == null || trigger == null ? List.of() : feeRules.deadlines(handoff, trigger, zone);
        if (deadlines.isEmpty()) {
            LocalDate replyBy = inputDate(task, "reply-by");
            if (replyBy != null) {
                // answered by the end of the 返信希望日 in the hub's time zone
                task.getRestriction()
                        .getPeriod()
                        .setEndElement(new DateTimeType(
                                Date.from(replyBy.plusDays(1)
                                        .atStartOfDay(zone)
                                        .minusSeconds(1)
                                        .toInstant()),
                                ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND,
                                java.util.TimeZone.getTimeZone(zone)));
            } else if (task.hasRestriction()) {
                task.getRestriction().setPeriod(null);
            }
            return;
        }
        for (FeeRules.Due due : deadlines) {
            Extension deadline = task.addExtension().setUrl(DEADLINE);
            deadline.addExtension("rule", new Coding(HANDOFF, due.code(), due.label()));
            deadline.addExtension("ruleSet", new StringType(due.ruleSet()));
            deadline.addExtension(
                    "due",
                    new DateTimeType(
                            Date.from(due.dueBy().toInstant()),
                            ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND,
                            java.util.TimeZone.getTimeZone(zone)));
        }
        FeeRules.Due last = deadlines.get(deadlines.size() - 1);
        task.getRestriction()
                .getPeriod()
                .setEndElement(new DateTimeType(
                        Date.from(last.dueBy().toInstant()),
                        ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND,
                        java.util.TimeZone.getTimeZone(zone)));
    }

    private static LocalDate triggerDate(Task task) {
        return inputDate(task, "trigger-date");
    }

    private static LocalDate inputDate(Task task, String code) {
        for (Task.ParameterComponent input : task.getInput()) {
            boolean trigger = input.getType().getCoding().stream()
                    .anyMatch(c -> TASK_INPUT.equals(c.getSystem()) && code.equals(c.getCode()));
            if (trigger && input.getValue() instanceof DateType date && date.getValue() != null) {
                return LocalDate.of(date.getYear(), date.getMonth() + 1, date.getDay());
            }
        }
        return null;
    }
}
