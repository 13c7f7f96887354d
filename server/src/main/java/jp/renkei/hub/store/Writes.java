package jp.renkei.hub.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import jp.renkei.hub.context.Caller;

/**
 * The one way to write what the hub stores, for a client's write and the hub's own alike: the version a write
 * replaces passes the integrity checks ({@link Records#resource}), every {@link WriteRule} judges and completes the
 * write in its order, the rules' consequences join the unit, the {@link SealingRule} seals it, and the store writes it
 * as one unit that the change feed then carries to notifications. The FHIR layer decides first whether the caller may
 * write at all ({@link #judge} runs after that decision); the hub's own writes ({@link #byTheHub}) are judged as the
 * hub ({@link Caller#HUB}) and need no such decision.
 */
public final class Writes {

    private final ResourceStore store;
    private final Records records;
    private final List<WriteRule> rules;
    private final SealingRule sealing;
    private final Set<String> stamps;

    Writes(ResourceStore store, Records records, List<WriteRule> rules, SealingRule sealing) {
        this.store = store;
        this.records = records;
        this.rules = WriteRule.inOrder(rules);
        this.sealing = sealing;
        this.stamps = rules.stream().flatMap(rule -> rule.stamps().stream()).collect(Collectors.toUnmodifiableSet());
    }

    /** The write rules in the order they run ({@link WriteRule#inOrder}). */
    public List<WriteRule> rules() {
        return rules;
    }

    /** The extensions the rules stamp into what is stored ({@link WriteRule#stamps}): not part of what a record says. */
    public Set<String> stamps() {
        return stamps;
    }

    /**
     * Judges one write of a unit once it is allowed: the version it replaces must pass the integrity checks (a record
     * changed in the database is never the base of a new version), then every rule applies in order.
     *
     * @param before the current version ({@link Records#read}), or null
     */
    public void judge(WriteRequest request, StoredResource before, Caller caller) {
        if (request.isDelete()) {
            return;
        }
        if (before != null && !before.deleted()) {
            records.resource(before);
        }
        rules.forEach(rule -> rule.apply(request, before, caller));
    }

    /** Judges a write that restates the current version by the rules that judge content only ({@link WriteRule#judgesContentOnly}). */
    public void judgeContent(WriteRequest request, StoredResource current, Caller caller) {
        rules.stream().filter(WriteRule::judgesContentOnly).forEach(rule -> rule.apply(request, current, caller));
    }

    /**
     * Stores a unit whose writes were each {@link #judge judged}, with the consequences the rules name, sealed, in one
     * atomic write; returns what was written, the judged writes first.
     *
     * @param befores the version each judged write replaced (null when it creates), in the same order
     */
    public List<StoredResource> commit(List<WriteRequest> judged, List<StoredResource> befores, Caller caller) {
        return commit(judged, befores, judged.size(), caller, written -> {});
    }

    /**
     * The hub's own writes (its system repository): a notice, an audit event, a hand-off flagged overdue, a Consent
     * withdrawn on the patient's request. Judged as {@link Caller#HUB} by the same checks and rules as any write, and
     * stored as the hub's (none of them counts as the client's for sealing). {@code alongside} receives what was
     * written after the commit point and before the flush, so its own writes are made durable by the same flush.
     */
    public List<StoredResource> byTheHub(List<WriteRequest> requests, Consumer<List<StoredResource>> alongside) {
        List<StoredResource> befores = new ArrayList<>(requests.size());
        for (WriteRequest request : requests) {
            StoredResource before = records.read(request.type(), request.id());
            judge(request, before, Caller.HUB);
            befores.add(before);
        }
        return commit(requests, befores, 0, Caller.HUB, alongside);
    }

    /** As {@link #byTheHub(List, Consumer)} with nothing alongside. */
    public List<StoredResource> byTheHub(List<WriteRequest> requests) {
        return byTheHub(requests, written -> {});
    }

    /**
     * The hub's own log entries (AuditEvents): new records only, each under a fresh id (or one derived from what it
     * records, when it must be recorded once), never changed. There is no previous version to check and no write rule
     * concerns them; they are not validated, since the event that records an access must be storable whatever the
     * access was (a failed audit write fails the access it records). The audit chain's own integrity checks guard them.
     * Stored and published like any write; {@code alongside} as in {@link #byTheHub(List, Consumer)}.
     *
     * @throws IllegalArgumentException for anything but a create
     */
    public List<StoredResource> append(List<WriteRequest> entries, Consumer<List<StoredResource>> alongside) {
        for (WriteRequest entry : entries) {
            if (entry.isDelete() || entry.ifMatch() != null) {
                throw new IllegalArgumentException(
                        "Only new entries are appended, not " + entry.type() + "/" + entry.id());
            }
        }
        return store.write(entries, alongside);
    }

    private List<StoredResource> commit(
            List<WriteRequest> judged,
            List<StoredResource> befores,
            int fromClient,
            Caller caller,
            Consumer<List<StoredResource>> alongside) {
        List<WriteRequest> unit = new ArrayList<>(judged);
        for (int i = 0; i < judged.size(); i++) {
            WriteRequest request = judged.get(i);
            StoredResource before = befores.get(i);
            List<WriteRequest> more = new ArrayList<>();
            rules.forEach(rule -> more.addAll(rule.consequences(request, before, caller)));
            addNew(unit, more);
        }
        return store.write(sealing.seal(unit, fromClient, caller), alongside);
    }

    /** A record is written once per unit: what was asked for wins over a consequence, the first consequence over later ones. */
    private static void addNew(List<WriteRequest> unit, List<WriteRequest> more) {
        for (WriteRequest w : more) {
            if (unit.stream().noneMatch(u -> u.type().equals(w.type()) && u.id().equals(w.id()))) {
                unit.add(w);
            }
        }
    }
}
