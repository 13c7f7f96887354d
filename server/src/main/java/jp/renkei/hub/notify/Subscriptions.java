package jp.renkei.hub.notify;

import ca.uhn.fhir.context.FhirContext;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jp.renkei.hub.store.SubscriptionStore;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Subscription;

/**
 * The hub's Subscriptions: stored in collection {@code subscriptions} (store.SubscriptionStore: the FHIR JSON, the
 * owner's token subject and the identity claims to judge for them later) and all held in memory, since every
 * committed change is matched against them. Only their owner ever sees them.
 */
class Subscriptions {

    /** One stored Subscription. */
    public record Entry(
            String id, long version, String owner, SubscriptionSpec spec, Map<String, Object> claims, String json) {

        /** Active until its end; after that it is off and gets no more events. */
        boolean active(Date now) {
            return spec.end() == null || spec.end().after(now);
        }
    }

    private static final String ANY_PATIENT = "";

    private final SubscriptionStore store;
    private final FhirContext fhirContext;
    private final NotifyProperties properties;
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    /**
     * Each topic's Subscription ids by the patient their filter names ({@link #ANY_PATIENT} when it has no patient
     * filter): a change is matched against its patients' Subscriptions only, not against every Subscription of the hub.
     */
    private final Map<Topic, Map<String, Set<String>>> byPatient = new ConcurrentHashMap<>();
    /** How many Subscriptions each owner has: asked on every request that opens a record (receipts). */
    private final Map<String, Integer> owners = new ConcurrentHashMap<>();

    public Subscriptions(SubscriptionStore store, FhirContext fhirContext, NotifyProperties properties) {
        this.store = store;
        this.fhirContext = fhirContext;
        this.properties = properties;
        for (SubscriptionStore.Stored stored : store.all()) {
            Entry entry = fromStored(stored);
            byId.put(entry.id(), entry);
            index(entry);
            owners.merge(entry.owner(), 1, Integer::sum);
        }
    }

    public Entry get(String id) {
        return byId.get(id);
    }

    /** The owner's Subscriptions, oldest first. */
    public List<Entry> ofOwner(String owner) {
        return byId.values().stream()
                .filter(e -> e.owner().equals(owner))
                .sorted(Comparator.comparing(Entry::id))
                .toList();
    }

    /** Whether this token subject owns any Subscription. */
    public boolean hasOwner(String subject) {
        return owners.containsKey(subject);
    }

    /**
     * The topic's Subscriptions that may concern a change about these patients ({@code Patient/<id>}): those whose
     * patient filter names one of them and those without a patient filter. Their other filters are still to check.
     */
    public List<Entry> forTopic(Topic topic, Collection<String> patients) {
        Map<String, Set<String>> ofTopic = byPatient.getOrDefault(topic, Map.of());
        Set<String> ids = new LinkedHashSet<>(ofTopic.getOrDefault(ANY_PATIENT, Set.of()));
        for (String patient : patients) {
            ids.addAll(ofTopic.getOrDefault(patient, Set.of()));
        }
        return ids.stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    /** All the topic's Subscriptions. */
    public List<Entry> forTopic(Topic topic) {
        return byId.values().stream().filter(e -> e.spec().topic() == topic).toList();
    }

    public Collection<Entry> all() {
        return byId.values();
    }

    private void index(Entry entry) {
        Map<String, Set<String>> ofTopic =
                byPatient.computeIfAbsent(entry.spec().topic(), t -> new ConcurrentHashMap<>());
        patientKeys(entry)
                .forEach(key -> ofTopic.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet())
                        .add(entry.id()));
    }

    /** Takes the old version out of the index, but not from where its {@code successor} (null: none) is indexed. */
    private void unindex(Entry old, Entry successor) {
        Set<String> kept =
                successor != null && successor.spec().topic() == old.spec().topic() ? patientKeys(successor) : Set.of();
        Map<String, Set<String>> ofTopic = byPatient.getOrDefault(old.spec().topic(), Map.of());
        for (String key : patientKeys(old)) {
            if (!kept.contains(key)) {
                ofTopic.computeIfPresent(key, (k, ids) -> {
                    ids.remove(old.id());
                    return ids.isEmpty() ? null : ids;
                });
            }
        }
    }

    /** Where the Subscription is indexed: its patients; none when its patient filters exclude each other. */
    private static Set<String> patientKeys(Entry entry) {
        Set<String> patients = entry.spec().filters().get("patient");
        return patients == null ? Set.of(ANY_PATIENT) : patients;
    }

    /**
     * Stores a new version; {@code expectedVersion} (0 for a new one) guards against lost updates.
     * The stored form is active and carries the backport profile and the hub's meta.
     */
    public synchronized Entry save(
            String id,
            long expectedVersion,
            String owner,
            Subscription subscription,
            SubscriptionSpec spec,
            Map<String, Object> claims) {
        Entry current = byId.get(id);
        long currentVersion = current == null ? 0 : current.version();
        if (currentVersion != expectedVersion) {
            throw new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException("Version conflict on Subscription/"
                    + id + ": expected version " + expectedVersion + " but the current version is " + currentVersion);
        }
        long version = currentVersion + 1;
        subscription.setId("Subscription/" + id + "/_history/" + version);
        subscription.getMeta().setVersionId(Long.toString(version));
        subscription.getMeta().setLastUpdatedElement(new InstantType(new Date()));
        if (!subscription.getMeta().hasProfile(SubscriptionSpec.PROFILE)) {
            subscription.getMeta().addProfile(SubscriptionSpec.PROFILE);
        }
        subscription.setStatus(
                spec.end() != null && !spec.end().after(new Date())
                        ? Subscription.SubscriptionStatus.OFF
                        : Subscription.SubscriptionStatus.ACTIVE);
        String json = fhirContext.newJsonParser().encodeResourceToString(subscription);
        store.put(new SubscriptionStore.Stored(id, version, owner, json, claims));
        Entry entry = new Entry(id, version, owner, spec, Map.copyOf(claims), json);
        // indexed under its new filter before it leaves the old one, so a change being matched meanwhile finds it
        index(entry);
        Entry replaced = byId.put(id, entry);
        if (replaced == null) {
            owners.merge(owner, 1, Integer::sum);
        } else {
            unindex(replaced, entry);
        }
        return entry;
    }

    /** The owner bound it again with a fresher token: judge with what that token says of them now. */
    public synchronized void refreshClaims(String id, Map<String, Object> claims) {
        Entry current = byId.get(id);
        if (current == null || current.claims().equals(claims)) {
            return;
        }
        store.putClaims(id, claims);
        byId.put(
                id,
                new Entry(
                        current.id(),
                        current.version(),
                        current.owner(),
                        current.spec(),
                        Map.copyOf(claims),
                        current.json()));
    }

    public synchronized void delete(String id) {
        store.delete(id);
        Entry removed = byId.remove(id);
        if (removed != null) {
            unindex(removed, null);
            owners.computeIfPresent(removed.owner(), (owner, n) -> n > 1 ? n - 1 : null);
        }
    }

    private Entry fromStored(SubscriptionStore.Stored stored) {
        Subscription subscription = fhirContext.newJsonParser().parseResource(Subscription.class, stored.json());
        SubscriptionSpec spec =
                SubscriptionSpec.of(subscription, fhirContext, properties.minHeartbeat(), properties.maxHeartbeat());
        return new Entry(stored.id(), stored.version(), stored.owner(), spec, stored.claims(), stored.json());
    }
}
