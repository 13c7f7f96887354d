package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collections {@code audit_chain} (one link per AuditEvent, numbered by its unique {@code _id}, unique by event) and
 * {@code audit_chain_head} (one document: the last link). Links are only inserted; the head only moves forward.
 * The hashes and what makes the chain intact are audit.AuditChain's.
 */
public final class AuditChainStore {

    /** One link as stored; {@code prev} and {@code hash} are null when the stored link lacks them. */
    public record Link(long seq, String event, String prev, String hash) {}

    /** The stored head. */
    public record Head(long seq, String hash) {}

    private static final Logger log = LoggerFactory.getLogger(AuditChainStore.class);

    private final MongoCollection<Document> links;
    private final MongoCollection<Document> head;

    /** @throws IllegalStateException when the index by event cannot be built: every AuditEvent read would scan the chain */
    public AuditChainStore(MongoDatabase db) {
        this.links = db.getCollection("audit_chain");
        this.head = db.getCollection("audit_chain_head");
        indexByEvent();
    }

    /**
     * An AuditEvent read finds its link by one lookup of this unique index (the embedded store serves a filter from a
     * unique index only), and an event is chained once. Built on the first start after an upgrade, before the hub
     * serves anything.
     */
    private void indexByEvent() {
        for (Document index : links.listIndexes()) {
            if ("event".equals(index.getString("name"))) {
                return;
            }
        }
        log.info("Building the audit chain's unique index by event (once; start-up waits for it)");
        try {
            links.createIndex(
                    Indexes.ascending("event"), new IndexOptions().unique(true).name("event"));
        } catch (MongoException e) {
            throw new IllegalStateException(
                    "The audit chain's unique index by event cannot be built (" + e.getMessage() + "): without it"
                            + " every AuditEvent read scans the chain, so the hub does not start. Two links naming one AuditEvent are a change"
                            + " to the database: compare audit_chain with a backup",
                    e);
        }
    }

    /** The stored head, or null when the chain is empty. */
    public Head head() {
        Document h = head.find(eq("_id", "head")).first();
        return h == null ? null : new Head(h.getLong("seq"), h.getString("hash"));
    }

    /**
     * Inserts link {@code seq}; false when a link of that number or of that event exists already (unique keys: two hubs
     * on one database cannot both append link n).
     */
    public boolean insert(Link link) {
        try {
            links.insertOne(new Document("_id", link.seq())
                    .append("event", link.event())
                    .append("prev", link.prev())
                    .append("hash", link.hash()));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Moves the head to link {@code seq} unless it is there or further already, in one conditional write. The filter
     * names more than {@code _id}, which the embedded store serves by scanning: this collection holds one document.
     */
    public void advanceHead(long seq, String hash) {
        try {
            head.replaceOne(
                    and(eq("_id", "head"), lt("seq", seq)),
                    new Document("_id", "head").append("seq", seq).append("hash", hash),
                    new ReplaceOptions().upsert(true));
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            // the head is at seq or beyond
        }
    }

    /** The link of this event (by the unique index), or null. */
    public Link linkOf(String eventId) {
        return toLink(links.find(eq("event", eventId)).first());
    }

    public Link link(long seq) {
        return toLink(links.find(eq("_id", seq)).first());
    }

    /** Links {@code from} to {@code to} that exist, in no particular order. */
    public List<Link> links(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            ids.add(s);
        }
        List<Link> found = new ArrayList<>();
        for (Document link : links.find(in("_id", ids))) {
            found.add(toLink(link));
        }
        return found;
    }

    private static Link toLink(Document doc) {
        return doc == null
                ? null
                : new Link(doc.getLong("_id"), doc.getString("event"), doc.getString("prev"), doc.getString("hash"));
    }
}
