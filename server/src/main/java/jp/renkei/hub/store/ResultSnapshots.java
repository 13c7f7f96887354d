package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;

/**
 * Frozen result lists behind the {@code next} links of a search or history. Paging reads the list
 * as it was when the search ran, so concurrent writes cause neither duplicates nor gaps, and the
 * links keep working across a restart. Keys are stored in chunks so a page reads one or two small
 * documents whatever the size of the result.
 */
public final class ResultSnapshots {

    /** {@code owner} is who ran the search; nobody else may page through it. */
    public record Snapshot(
            String id, String kind, String type, int total, List<String> includes, long created, String owner) {}

    private static final int CHUNK = 5000;

    private final MongoCollection<Document> heads;
    private final MongoCollection<Document> chunks;
    private final Duration retention;
    private final AtomicLong lastPurge = new AtomicLong(System.currentTimeMillis());

    public ResultSnapshots(MongoDatabase db, Duration retention) {
        this.heads = db.getCollection("result_snapshots");
        this.chunks = db.getCollection("result_snapshot_keys");
        this.retention = retention;
    }

    public String save(String kind, String type, List<String> keys, List<String> includes, String owner) {
        purgeExpiredNowAndThen();
        String id = ResourceStore.newId();
        List<Document> parts = new ArrayList<>();
        for (int i = 0, n = 0; i < keys.size(); i += CHUNK, n++) {
            parts.add(new Document("_id", id + "#" + n)
                    .append("keys", keys.subList(i, Math.min(keys.size(), i + CHUNK))));
        }
        if (!parts.isEmpty()) {
            chunks.insertMany(parts);
        }
        heads.insertOne(new Document("_id", id)
                .append("kind", kind)
                .append("type", type)
                .append("total", keys.size())
                .append("inc", includes)
                .append("created", new Date())
                .append("parts", parts.size())
                .append("owner", owner));
        return id;
    }

    /** The snapshot, or null when it never existed or has expired. */
    public Snapshot find(String id) {
        Document head = heads.find(eq("_id", id)).first();
        if (head == null) {
            return null;
        }
        long created = head.getDate("created").getTime();
        if (created + retention.toMillis() < System.currentTimeMillis()) {
            return null;
        }
        return new Snapshot(
                id,
                head.getString("kind"),
                head.getString("type"),
                head.getInteger("total"),
                head.getList("inc", String.class),
                created,
                head.getString("owner"));
    }

    /** Keys [from, to) of a snapshot. */
    public List<String> keys(String id, int from, int to) {
        List<String> out = new ArrayList<>();
        if (from >= to) {
            return out;
        }
        List<String> parts = new ArrayList<>();
        for (int n = from / CHUNK; n <= (to - 1) / CHUNK; n++) {
            parts.add(id + "#" + n);
        }
        List<Document> docs = new ArrayList<>();
        chunks.find(in("_id", parts)).into(docs);
        docs.sort((a, b) -> Integer.compare(part(a), part(b)));
        for (Document doc : docs) {
            int base = part(doc) * CHUNK;
            List<String> keys = doc.getList("keys", String.class);
            for (int i = Math.max(from - base, 0); i < keys.size() && base + i < to; i++) {
                out.add(keys.get(i));
            }
        }
        return out;
    }

    private static int part(Document doc) {
        String id = doc.getString("_id");
        return Integer.parseInt(id.substring(id.lastIndexOf('#') + 1));
    }

    /** Expired snapshots are removed at most every few minutes, by whichever save comes next. */
    private void purgeExpiredNowAndThen() {
        long now = System.currentTimeMillis();
        long last = lastPurge.get();
        if (now - last < 300_000 || !lastPurge.compareAndSet(last, now)) {
            return;
        }
        Date cutoff = new Date(now - retention.toMillis());
        List<Document> expired = heads.find(lt("created", cutoff)).into(new ArrayList<>());
        for (Document head : expired) {
            String id = head.getString("_id");
            int parts = head.getInteger("parts", 0);
            List<String> partIds = new ArrayList<>();
            for (int n = 0; n < parts; n++) {
                partIds.add(id + "#" + n);
            }
            if (!partIds.isEmpty()) {
                chunks.deleteMany(in("_id", partIds));
            }
            heads.deleteOne(eq("_id", id));
        }
    }
}
