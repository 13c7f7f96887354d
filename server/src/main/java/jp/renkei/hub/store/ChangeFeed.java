package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.bson.Document;

/**
 * The committed changes someone downstream must act on (notifications), kept until they say they
 * are done. A write unit that changes a watched type leaves one document here, written after the
 * unit's commit point and before the unit is acknowledged, and rewritten by recovery when a crash
 * interrupted the unit: a change that was committed is never missed, even across {@code kill -9}.
 * Only the types asked for are recorded, so reads (which write AuditEvents) pay nothing for it.
 */
public final class ChangeFeed {

    /** One committed unit: its journal id (time-ordered) and the versions it wrote of watched types. */
    public record Change(String tx, long at, List<Entry> entries) {}

    /** One version a unit wrote. */
    public record Entry(String type, String id, long version) {}

    private final MongoCollection<Document> feed;
    private volatile Set<String> watched = Set.of();
    private volatile Consumer<Change> listener = change -> {};

    ChangeFeed(MongoCollection<Document> feed) {
        this.feed = feed;
    }

    /** Records every committed change of these types from now on (before anyone listens: none is missed). */
    public void watch(Set<String> types) {
        this.watched = Set.copyOf(types);
    }

    /** Hands each recorded change to {@code onCommitted} once its unit is durable. */
    public void listen(Consumer<Change> onCommitted) {
        this.listener = onCommitted;
    }

    /** Changes recorded but not yet marked done, oldest unit first: what was pending when the hub stopped. */
    public List<Change> pending() {
        List<Change> out = new ArrayList<>();
        for (Document doc : feed.find().sort(new Document("_id", 1))) {
            out.add(fromDocument(doc));
        }
        return out;
    }

    /** The change has been fully acted on. */
    public void done(List<String> txs) {
        if (!txs.isEmpty()) {
            feed.deleteMany(com.mongodb.client.model.Filters.in("_id", txs));
        }
    }

    /** Records the watched part of a committed unit (idempotent, so recovery may repeat it); null when nothing is watched. */
    Change record(String tx, List<Entry> entries) {
        return store(
                tx, entries.stream().filter(e -> watched.contains(e.type())).toList());
    }

    /** Records a unit whatever its types: recovery runs before anyone has said what they watch. */
    void recordUnfiltered(String tx, List<Entry> entries) {
        store(tx, entries);
    }

    private Change store(String tx, List<Entry> relevant) {
        if (relevant.isEmpty()) {
            return null;
        }
        long at = System.currentTimeMillis();
        List<Document> docs = relevant.stream()
                .map(e -> new Document("t", e.type()).append("id", e.id()).append("v", e.version()))
                .toList();
        feed.replaceOne(
                eq("_id", tx),
                new Document("_id", tx).append("at", new Date(at)).append("entries", docs),
                new ReplaceOptions().upsert(true));
        return new Change(tx, at, relevant);
    }

    /** Hands a recorded change on, after its unit is durable. */
    void published(Change change) {
        if (change != null) {
            listener.accept(change);
        }
    }

    private static Change fromDocument(Document doc) {
        List<Entry> entries = doc.getList("entries", Document.class).stream()
                .map(e -> new Entry(e.getString("t"), e.getString("id"), e.getLong("v")))
                .toList();
        return new Change(doc.getString("_id"), doc.getDate("at").getTime(), entries);
    }
}
