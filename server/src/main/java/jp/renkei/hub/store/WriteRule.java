package jp.renkei.hub.store;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.context.Caller;

/**
 * What a resource must satisfy, and what the hub adds to it, whenever a client writes it: after the
 * access decision, before anything is stored, for REST, transaction and batch writes alike. A rule
 * may complete {@code request.resource()} (e.g. stamp who recorded it) or refuse the write with an
 * {@code UnprocessableEntityException} naming the element at fault; a refused transaction stores nothing.
 * A rule may also name what the hub writes along with it ({@link #consequences}), stored in the same unit.
 */
public interface WriteRule {

    /**
     * When a rule runs among the others. The hub first completes what the caller sent (who recorded a Consent, a Task's
     * status history, the versions a document replaces), then validates it against its profile, so that validation
     * judges the record as it will be stored, the hub's additions included; last come the checks against other records
     * (a hand-off's recipients in the directory, its patient), which read a record already known to be well formed and
     * so never answer for what the profile would have refused.
     */
    enum Stage {
        COMPLETE,
        VALIDATE,
        CROSS_CHECK
    }

    /** The rules in the order they run: by {@link Stage}, then by class name, whatever order they were found in. */
    static List<WriteRule> inOrder(Collection<? extends WriteRule> rules) {
        return rules.stream()
                .map(WriteRule.class::cast)
                .sorted(Comparator.comparing(WriteRule::stage)
                        .thenComparing(rule -> rule.getClass().getName()))
                .toList();
    }

    default Stage stage() {
        return Stage.COMPLETE;
    }

    /** @param before the version being replaced, or null (or a deletion) when the write creates the resource */
    void apply(WriteRequest request, StoredResource before, Caller caller);

    /**
     * What the hub itself writes because of this write, in the same unit (all or nothing): the hand-off
     * Tasks of a document being sent, the previous version of an advance directive marked superseded.
     * Called once every write of the unit has passed {@link #apply}. These writes are the hub's, not the
     * caller's: they are not judged by the access policy or the write rules, so a rule builds them complete,
     * and names the version it read ({@code ifMatch}) when it changes an existing record.
     */
    default List<WriteRequest> consequences(WriteRequest request, StoredResource before, Caller caller) {
        return List.of();
    }

    /**
     * The top-level extensions this rule writes into what is stored, replacing whatever a client put there (who
     * recorded a Consent, when a Task reached each status): a write that differs from the current version only in
     * them restates it, and changes nothing (the FHIR layer's {@code ResourceOperations#unchanged}).
     */
    default Set<String> stamps() {
        return Set.of();
    }

    /**
     * Whether this rule judges only what the record says, not the change from the version before: such a rule judges a
     * write that restates the current version too, so content the hub would refuse is refused even when it is what a
     * record stored before the rule existed already says.
     */
    default boolean judgesContentOnly() {
        return false;
    }
}
