package jp.renkei.hub.consent;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * Emergency access grants (break-glass): one per user and patient, valid for a fixed time from the
 * moment it was declared. Kept in the hub's database so every hub instance sees them.
 */
public final class BreakGlassGrants {

    private final MongoCollection<Document> grants;
    private final Duration duration;

    public BreakGlassGrants(MongoDatabase db, Duration duration) {
        this.grants = db.getCollection("break_glass_grants");
        this.duration = duration;
    }

    /** Records a grant for the user and patient from now; returns when it ends. */
    public Instant grant(String subject, String patient, String reason) {
        Instant now = Instant.now();
        Instant until = now.plus(duration);
        grants.replaceOne(eq("_id", key(subject, patient)), new Document("_id", key(subject, patient))
                .append("granted", Date.from(now)).append("until", Date.from(until)).append("reason", reason),
                new ReplaceOptions().upsert(true));
        return until;
    }

    public boolean active(String subject, String patient) {
        Document grant = grants.find(eq("_id", key(subject, patient))).first();
        return grant != null && grant.getDate("until").after(new Date());
    }

    private static String key(String subject, String patient) {
        return subject + "|" + patient;
    }
}
