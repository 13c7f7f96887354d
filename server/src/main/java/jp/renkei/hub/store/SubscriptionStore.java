package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * Collection {@code subscriptions}: each Subscription's current version as FHIR JSON, with its owner's token
 * subject and the identity claims to judge for them later. What they mean and how they are matched is
 * notify.Subscriptions'. Creating, replacing and deleting one is durable before it returns.
 */
public final class SubscriptionStore {

    /** One stored Subscription: its FHIR JSON and whom it is for. */
    public record Stored(String id, long version, String owner, String json, Map<String, Object> claims) {}

    private final MongoCollection<Document> collection;
    private final Durability durability;

    public SubscriptionStore(MongoDatabase db, Durability durability) {
        this.collection = db.getCollection("subscriptions");
        this.durability = durability;
    }

    public List<Stored> all() {
        List<Stored> out = new ArrayList<>();
        for (Document doc : collection.find()) {
            Document claims = doc.get("claims", Document.class);
            out.add(new Stored(
                    doc.getString("_id"),
                    doc.getLong("v"),
                    doc.getString("owner"),
                    doc.getString("body"),
                    claims == null ? Map.of() : Map.copyOf(claims)));
        }
        return out;
    }

    /** Stores this version in place of the one before, and waits until it is durable. */
    public void put(Stored subscription) {
        collection.replaceOne(
                eq("_id", subscription.id()),
                new Document("_id", subscription.id())
                        .append("owner", subscription.owner())
                        .append("v", subscription.version())
                        .append("body", subscription.json())
                        .append("claims", new Document(subscription.claims())),
                new ReplaceOptions().upsert(true));
        durability.awaitDurable();
    }

    /** Replaces the claims kept with the Subscription (not a new version). */
    public void putClaims(String id, Map<String, Object> claims) {
        collection.updateOne(eq("_id", id), new Document("$set", new Document("claims", new Document(claims))));
    }

    /** Deletes it and waits until that is durable. */
    public void delete(String id) {
        collection.deleteOne(eq("_id", id));
        durability.awaitDurable();
    }
}
