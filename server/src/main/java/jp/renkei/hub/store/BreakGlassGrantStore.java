package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * Collection {@code break_glass_grants}: one emergency access grant per user and patient, replaced when
 * declared again. What a grant means (how long it lasts, when it counts) is consent.BreakGlassGrants'.
 */
public final class BreakGlassGrantStore {

    private final MongoCollection<Document> grants;

    BreakGlassGrantStore(MongoDatabase db) {
        this.grants = db.getCollection("break_glass_grants");
    }

    /** Stores the grant of {@code subject} for {@code patient}, replacing an earlier one. */
    public void put(String subject, String patient, Instant granted, Instant until, String reason) {
        grants.replaceOne(
                eq("_id", key(subject, patient)),
                new Document("_id", key(subject, patient))
                        .append("granted", Date.from(granted))
                        .append("until", Date.from(until))
                        .append("reason", reason),
                new ReplaceOptions().upsert(true));
    }

    /** When the latest grant of {@code subject} for {@code patient} ends, or null when there is none. */
    public Instant until(String subject, String patient) {
        Document grant = grants.find(eq("_id", key(subject, patient))).first();
        return grant == null ? null : grant.getDate("until").toInstant();
    }

    private static String key(String subject, String patient) {
        return subject + "|" + patient;
    }
}
