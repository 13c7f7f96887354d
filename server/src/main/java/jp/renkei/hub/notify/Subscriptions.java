package jp.renkei.hub.notify;

import static com.mongodb.client.model.Filters.eq;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jp.renkei.hub.store.Durability;
import org.bson.Document;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Subscription;

/**
 * The hub's Subscriptions: stored in collection {@code subscriptions} (the FHIR JSON, the owner's
 * token subject and the identity claims to judge for them later) and all held in memory, since every
 * committed change is matched against them. Only their owner ever sees them.
 */
public class Subscriptions {

    /** One stored Subscription. */
    public record Entry(String id, long version, String owner, SubscriptionSpec spec, Map<String, Object> claims,
                        String json) {

        /** Active until its end; after that it is off and gets no more events. */
        boolean active(Date now) {
            return spec.end() == null || spec.end().after(now);
        }
    }

    private final MongoCollection<Document> collection;
    private final Durability durability;
    private final FhirContext fhirContext;
    private final NotifyProperties properties;
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    /** How many Subscriptions each owner has: asked on every request that opens a record (receipts). */
    private final Map<String, Integer> owners = new ConcurrentHashMap<>();

    public Subscriptions(MongoDatabase db, Durability durability, FhirContext fhirContext, NotifyProperties properties) {
        this.collection = db.getCollection("subscriptions");
        this.durability = durability;
        this.fhirContext = fhirContext;
        this.properties = properties;
        for (Document doc : collection.find()) {
            Entry entry = fromDocument(doc);
            byId.put(entry.id(), entry);
            owners.merge(entry.owner(), 1, Integer::sum);
        }
    }

    public Entry get(String id) {
        return byId.get(id);
    }

    /** The owner's Subscriptions, oldest first. */
    public List<Entry> ofOwner(String owner) {
        return byId.values().stream().filter(e -> e.owner().equals(owner)).sorted(Comparator.comparing(Entry::id)).toList();
    }

    /** Whether this token subject owns any Subscription. */
    public boolean hasOwner(String subject) {
        return owners.containsKey(subject);
    }

    public List<Entry> forTopic(Topic topic) {
        return byId.values().stream().filter(e -> e.spec().topic() == topic).toList();
    }

    public Collection<Entry> all() {
        return byId.values();
    }

    /**
     * Stores a new version; {@code expectedVersion} (0 for a new one) guards against lost updates.
     * The stored form is active and carries the backport profile and the hub's meta.
     */
    public synchronized Entry save(String id, long expectedVersion, String owner, Subscription subscription,
                                   SubscriptionSpec spec, Map<String, Object> claims) {
        Entry current = byId.get(id);
        long currentVersion = current == null ? 0 : current.version();
        if (currentVersion != expectedVersion) {
            throw new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException("Version conflict on Subscription/" + id
                    + ": expected version " + expectedVersion + " but the current version is " + currentVersion);
        }
        long version = currentVersion + 1;
        subscription.setId("Subscription/" + id + "/_history/" + version);
        subscription.getMeta().setVersionId(Long.toString(version));
        subscription.getMeta().setLastUpdatedElement(new InstantType(new Date()));
        if (!subscription.getMeta().hasProfile(SubscriptionSpec.PROFILE)) {
            subscription.getMeta().addProfile(SubscriptionSpec.PROFILE);
        }
        subscription.setStatus(spec.end() != null && !spec.end().after(new Date())
                ? Subscription.SubscriptionStatus.OFF : Subscription.SubscriptionStatus.ACTIVE);
        String json = fhirContext.newJsonParser().encodeResourceToString(subscription);
        collection.replaceOne(eq("_id", id), new Document("_id", id).append("owner", owner).append("v", version)
                .append("body", json).append("claims", new Document(claims)), new ReplaceOptions().upsert(true));
        durability.awaitDurable();
        Entry entry = new Entry(id, version, owner, spec, Map.copyOf(claims), json);
        if (byId.put(id, entry) == null) {
            owners.merge(owner, 1, Integer::sum);
        }
        return entry;
    }

    /** The owner bound it again with a fresher token: judge with what that token says of them now. */
    public synchronized void refreshClaims(String id, Map<String, Object> claims) {
        Entry current = byId.get(id);
        if (current == null || current.claims().equals(claims)) {
            return;
        }
        collection.updateOne(eq("_id", id), new Document("$set", new Document("claims", new Document(claims))));
        byId.put(id, new Entry(current.id(), current.version(), current.owner(), current.spec(), Map.copyOf(claims),
                current.json()));
    }

    public synchronized void delete(String id) {
        collection.deleteOne(eq("_id", id));
        durability.awaitDurable();
        Entry removed = byId.remove(id);
        if (removed != null) {
            owners.computeIfPresent(removed.owner(), (owner, n) -> n > 1 ? n - 1 : null);
        }
    }

    private Entry fromDocument(Document doc) {
        Subscription subscription = fhirContext.newJsonParser().parseResource(Subscription.class, doc.getString("body"));
        SubscriptionSpec spec = SubscriptionSpec.of(subscription, fhirContext, properties.minHeartbeat(), properties.maxHeartbeat());
        Document claims = doc.get("claims", Document.class);
        return new Entry(doc.getString("_id"), doc.getLong("v"), doc.getString("owner"), spec,
                claims == null ? Map.of() : Map.copyOf(claims), doc.getString("body"));
    }
}
