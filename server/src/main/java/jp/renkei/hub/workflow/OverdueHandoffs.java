package jp.renkei.hub.workflow;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.VersionConflictException;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.Writes;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Flags hand-off Tasks not yet received when their last fee-rule deadline has passed, and Tasks with a
 * 返信希望日 (a contact form) not yet answered by the end of that day: business status
 * {@code overdue} (system handoff-status), searchable as {@code Task?business-status=overdue}, for
 * example with {@code &requester=…} or {@code &owner=…}. Runs every {@code renkei.workflow.overdue-check}.
 */
public class OverdueHandoffs {

    private static final Logger log = LoggerFactory.getLogger(OverdueHandoffs.class);
    /** The states of a Task still waiting for its addressee. */
    private static final List<String> OPEN = List.of("requested", "received", "accepted", "in-progress");

    private final Records records;
    private final Writes writes;
    private final SearchExecutor searches;

    public OverdueHandoffs(Records records, Writes writes, SearchExecutor searches) {
        this.records = records;
        this.writes = writes;
        this.searches = searches;
    }

    @Scheduled(
            fixedDelayString = "${renkei.workflow.overdue-check:60s}",
            initialDelayString = "${renkei.workflow.overdue-check:60s}")
    public void scheduled() {
        int flagged = flagOverdue(new Date());
        if (flagged > 0) {
            log.info("Flagged {} hand-off Task(s) as overdue", flagged);
        }
    }

    /**
     * How many hand-off Tasks are flagged overdue and still open (a Task received, completed or cancelled late keeps a
     * business status of its own or the flag, but is no longer waiting): one search over the Tasks' index, no bodies.
     */
    public int countOverdue() {
        return searches.currentWhere(
                        "Task",
                        java.util.Map.of(
                                "business-status",
                                TaskWorkflow.HANDOFF_STATUS + "|overdue",
                                "status",
                                String.join(",", OPEN)))
                .size();
    }

    /** Flags what is overdue at {@code now}; returns how many Tasks it flagged. */
    public int flagOverdue(Date now) {
        int flagged = 0;
        List<StoredResource> open = new ArrayList<>();
        for (String status : OPEN) {
            open.addAll(searches.currentWhere("Task", "status", status, true));
        }
        for (StoredResource stored : open) {
            Task task = records.resource(stored, Task.class);
            // fee-rule deadlines are for delivery (received); a 返信希望日 is for the answer (completed)
            if (task.getStatus() != Task.TaskStatus.REQUESTED && !TaskWorkflow.awaitsReply(task)) {
                continue;
            }
            boolean handoff =
                    task.getCode().getCoding().stream().anyMatch(c -> TaskWorkflow.HANDOFF.equals(c.getSystem()));
            boolean due = task.getRestriction().getPeriod().hasEnd()
                    && now.after(task.getRestriction().getPeriod().getEnd());
            boolean flaggedAlready = task.getBusinessStatus().getCoding().stream()
                    .anyMatch(c -> TaskWorkflow.HANDOFF_STATUS.equals(c.getSystem()) && "overdue".equals(c.getCode()));
            if (!handoff || !due || flaggedAlready) {
                continue;
            }
            task.setBusinessStatus(new CodeableConcept(new Coding(TaskWorkflow.HANDOFF_STATUS, "overdue", "期限超過")));
            try {
                writes.byTheHub(List.of(new WriteRequest("Task", stored.id(), task, stored.version(), null)));
                flagged++;
            } catch (VersionConflictException e) {
                // changed meanwhile (perhaps received): judged again on the next round
            }
        }
        return flagged;
    }
}
