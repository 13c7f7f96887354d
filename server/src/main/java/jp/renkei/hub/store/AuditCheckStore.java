package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * Collection {@code audit_checks}: when any node last checked the whole audit chain, under the given key
 * ({@code $max}, so it never moves back). When a check is due is audit.AuditAnchoring's.
 */
public final class AuditCheckStore {

    private final MongoCollection<Document> checks;

    AuditCheckStore(MongoDatabase db) {
        this.checks = db.getCollection("audit_checks");
    }

    /** Records a check at {@code at} unless a later one is recorded. */
    public void checked(String key, Instant at) {
        checks.updateOne(eq("_id", key), Updates.max("at", Date.from(at)), new UpdateOptions().upsert(true));
    }

    /** The time recorded under the key, or null. */
    public Instant last(String key) {
        Document last = checks.find(eq("_id", key)).first();
        return last == null || last.getDate("at") == null
                ? null
                : last.getDate("at").toInstant();
    }
}
