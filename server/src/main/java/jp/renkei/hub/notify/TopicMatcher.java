package jp.renkei.hub.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.consent.operations.BreakGlassNotice;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.workflow.TaskWorkflow;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;

/**
 * Decides whether a committed version is an event of a topic ({@link #triggers}) and whether it
 * concerns one Subscription's owner: the Subscription's filters and what the topic itself requires of
 * the owner (addressed to them, in the patient's care team). Whether they may read it is
 * {@code AccessGuard.mayNotify}, asked after this.
 */
final class TopicMatcher {

    private final AccessGuard guard;

    TopicMatcher(AccessGuard guard) {
        this.guard = guard;
    }

    /** Whether this version is an event of the topic; {@code previous} is the version before it (null for a create). */
    static boolean triggers(Topic topic, Resource resource, Supplier<Resource> previous) {
        return switch (topic) {
            case CARE_DOCUMENT ->
                !(resource instanceof Bundle bundle) || bundle.getType() == Bundle.BundleType.DOCUMENT;
            case HANDOFF_TASK ->
                resource instanceof Task task
                        && isHandoff(task)
                        && (!(previous.get() instanceof Task before) || before.getStatus() != task.getStatus());
            case COMMUNICATION -> resource instanceof Communication && previous.get() == null;
            case BREAK_GLASS -> resource instanceof Communication c && previous.get() == null && isBreakGlassNotice(c);
            case OVERDUE_HANDOFF ->
                resource instanceof Task task
                        && isHandoff(task)
                        && overdue(task)
                        && !(previous.get() instanceof Task before && overdue(before));
            // newly flagged: a create with the flag, or an update that adds it (a later edit of a flagged one is not
            // news)
            case FLAGGED_OBSERVATION ->
                resource instanceof Observation o
                        && flaggedUnusual(o)
                        && !(previous.get() instanceof Observation before && flaggedUnusual(before));
        };
    }

    /** The change's patients as filters and the index name them: {@code Patient/<id>}. */
    static List<String> patientsOf(StoredResource stored) {
        return stored.labels().patients().stream().map(p -> "Patient/" + p).toList();
    }

    /**
     * Whether the event passes the Subscription's filters (nothing about its owner yet: cheap, asked first);
     * {@code patients} as {@link #patientsOf}.
     */
    static boolean passesFilters(
            SubscriptionSpec spec, StoredResource stored, Resource resource, List<String> patients) {
        if (!spec.passes("patient", patients)) {
            return false;
        }
        return switch (spec.topic()) {
            case CARE_DOCUMENT ->
                spec.passes(
                                "type",
                                stored.labels().kind() == null
                                        ? List.of()
                                        : List.of(stored.labels().kind()))
                        && spec.passes(
                                "organization",
                                stored.labels().owner() == null
                                        ? List.of()
                                        : List.of(stored.labels().owner()));
            case HANDOFF_TASK ->
                resource instanceof Task task
                        && spec.passes(
                                "status",
                                task.getStatus() == null
                                        ? List.of()
                                        : List.of(task.getStatus().toCode()));
            case COMMUNICATION -> resource instanceof Communication c && spec.passes("category", codes(c));
            case OVERDUE_HANDOFF, BREAK_GLASS, FLAGGED_OBSERVATION -> true;
        };
    }

    /** Whether the event is the owner's business as the topic defines it: addressed to them, their patient's. */
    boolean concerns(Topic topic, Caller owner, StoredResource stored, Resource resource) {
        return switch (topic) {
            case CARE_DOCUMENT, FLAGGED_OBSERVATION -> true;
            case HANDOFF_TASK, OVERDUE_HANDOFF -> resource instanceof Task task && involved(owner, task);
            case COMMUNICATION -> resource instanceof Communication c && addressed(owner, c.getRecipient());
            case BREAK_GLASS ->
                resource instanceof Communication c
                        && (addressed(owner, c.getRecipient())
                                || (!stored.labels().patients().isEmpty()
                                        && stored.labels().patients().stream()
                                                .allMatch(p -> guard.inCareTeam(owner, p))));
        };
    }

    private static boolean involved(Caller owner, Task task) {
        return owner.unrestricted()
                || owner.isNamedBy(task.getOwner().getReference(), true)
                || owner.isNamedBy(task.getRequester().getReference(), true);
    }

    private static boolean addressed(Caller owner, List<Reference> recipients) {
        return owner.unrestricted() || recipients.stream().anyMatch(r -> owner.isNamedBy(r.getReference(), true));
    }

    private static List<String> codes(Communication communication) {
        List<String> out = new ArrayList<>();
        communication.getCategory().forEach(c -> c.getCoding().forEach(coding -> out.add(coding.getCode())));
        return out;
    }

    private static boolean isHandoff(Task task) {
        return task.getCode().getCoding().stream().anyMatch(c -> TaskWorkflow.HANDOFF.equals(c.getSystem()));
    }

    private static boolean overdue(Task task) {
        return task.getBusinessStatus().getCoding().stream()
                .anyMatch(c -> TaskWorkflow.HANDOFF_STATUS.equals(c.getSystem()) && "overdue".equals(c.getCode()));
    }

    static boolean flaggedUnusual(Observation observation) {
        return observation.getInterpretation().stream()
                .flatMap(i -> i.getCoding().stream())
                .anyMatch(c -> Topic.OBSERVATION_FLAG.equals(c.getSystem()) && Topic.UNUSUAL.equals(c.getCode()));
    }

    private static boolean isBreakGlassNotice(Communication communication) {
        for (Coding tag : communication.getMeta().getTag()) {
            if (BreakGlassNotice.NOTICE_SYSTEM.equals(tag.getSystem())
                    && BreakGlassNotice.BREAK_GLASS.equals(tag.getCode())) {
                return true;
            }
        }
        return false;
    }
}
