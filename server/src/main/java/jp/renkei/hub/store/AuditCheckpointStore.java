package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.util.Date;
import org.bson.Document;

/**
 * Collection {@code audit_checkpoints}: each sealed checkpoint under {@code <block>/<to>}, inserted once, and each
 * block's pointer under {@code <block>}, naming the furthest {@code to} ({@code $max}, so it never moves back). What is
 * sealed and whether a seal holds is audit.AuditCheckpoints'.
 */
public final class AuditCheckpointStore {

    /** A checkpoint as stored; any field may be null when the stored one lacks it. */
    public record Stored(String hashes, String seal, String node, Long since, boolean late, Date sealed) {}

    private final MongoCollection<Document> checkpoints;

    public AuditCheckpointStore(MongoDatabase db) {
        this.checkpoints = db.getCollection("audit_checkpoints");
    }

    /** The {@code to} the block's pointer names, or null when there is none. */
    public Long pointer(long block) {
        Document pointer = checkpoints.find(eq("_id", Long.toString(block))).first();
        return pointer == null ? null : pointer.getLong("to");
    }

    /** The block's checkpoint up to link {@code to}, or null. */
    public Stored find(long block, long to) {
        Document doc = checkpoints.find(eq("_id", block + "/" + to)).first();
        return doc == null
                ? null
                : new Stored(
                        doc.getString("hashes"),
                        doc.getString("seal"),
                        doc.getString("node"),
                        doc.getLong("since"),
                        doc.getBoolean("late", false),
                        doc.getDate("sealed"));
    }

    /** Inserts the checkpoint; false when one of that block and {@code to} exists already (another node sealed it). */
    public boolean insert(long block, long to, Stored checkpoint) {
        try {
            checkpoints.insertOne(new Document("_id", block + "/" + to)
                    .append("hashes", checkpoint.hashes())
                    .append("seal", checkpoint.seal())
                    .append("node", checkpoint.node())
                    .append("since", checkpoint.since())
                    .append("late", checkpoint.late())
                    .append("sealed", checkpoint.sealed()));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            return false;
        }
    }

    /** Moves the block's pointer to {@code to} unless it names a further one. */
    public void point(long block, long to) {
        checkpoints.updateOne(eq("_id", Long.toString(block)), Updates.max("to", to), new UpdateOptions().upsert(true));
    }

    /** Deletes the block's checkpoint up to {@code to} (replaced by a longer one). */
    public void delete(long block, long to) {
        checkpoints.deleteOne(eq("_id", block + "/" + to));
    }
}
