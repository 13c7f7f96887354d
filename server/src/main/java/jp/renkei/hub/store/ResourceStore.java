package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jp.renkei.hub.search.IndexExtractor;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every resource is written and read. Each resource type has a collection of current
 * versions ({@code Patient}) and one of all versions ({@code Patient_history}).
 *
 * <p>A write unit (one create/update/delete, or a whole transaction Bundle) is made atomic without
 * multi-document transactions, which the embedded store lacks:
 * <ol>
 * <li>a journal document names every version the unit will write;</li>
 * <li>the new versions are inserted into the history collections with {@code _id = id/version}; the
 *     unique {@code _id} doubles as the version lock, so of two writers of the same version exactly
 *     one succeeds;</li>
 * <li>for several resources the journal is marked committed: the single atomic commit point (for one
 *     resource the history insert already is), and until then the new versions are invisible;</li>
 * <li>current documents and search keys are updated, then the journal entry is removed.</li>
 * </ol>
 * At start-up {@link #recover()} rolls every leftover unit forward (committed) or back (not).
 */
final class ResourceStore {

    private static final Logger log = LoggerFactory.getLogger(ResourceStore.class);
    private static final int MAX_ATTEMPTS = 50;
    private static final Bson WITHOUT_BODY = Projections.exclude("body");

    private final MongoDatabase db;
    private final Durability durability;
    private final FhirContext fhirContext;
    private final IndexExtractor extractor;
    private final MongoCollection<Document> journal;
    private final SearchKeys searchKeys;
    private final ChangeFeed changeFeed;
    private final Labeler labeler;
    /** Each write's time is later than the one before, even within a millisecond or if the clock steps back,
     *  so the newest of two records (the emergency summary's sheet) is the one written last. */
    private final AtomicLong lastUpdated = new AtomicLong();

    ResourceStore(
            MongoDatabase db,
            Durability durability,
            FhirContext fhirContext,
            SearchParameterRegistry registry,
            IndexExtractor extractor,
            Labeler labeler) {
        this.db = db;
        this.durability = durability;
        this.fhirContext = fhirContext;
        this.extractor = extractor;
        this.labeler = labeler;
        this.journal = db.getCollection("write_journal");
        this.searchKeys = new SearchKeys(db.getCollection("search_keys"), registry);
        this.changeFeed = new ChangeFeed(db.getCollection("change_feed"));
    }

    /** The committed changes of watched types, for those who act on changes (notifications). */
    public ChangeFeed changeFeed() {
        return changeFeed;
    }

    MongoCollection<Document> current(String type) {
        return db.getCollection(type);
    }

    MongoCollection<Document> history(String type) {
        return db.getCollection(type + "_history");
    }

    MongoCollection<Document> journal() {
        return journal;
    }

    SearchKeys searchKeys() {
        return searchKeys;
    }

    public static String newId() {
        return TimeOrderedIds.next();
    }

    // ---- reads -------------------------------------------------------------------------------

    /** The current version (possibly a deletion), or null if the resource never existed. */
    public StoredResource read(String type, String id) {
        Document doc = current(type).find(eq("_id", id)).first();
        return doc == null ? null : StoredResource.fromCurrent(type, doc);
    }

    /** One committed version, or null. */
    public StoredResource readVersion(String type, String id, long version) {
        Document doc = history(type)
                .find(eq("_id", StoredResource.historyKey(id, version)))
                .first();
        if (doc == null || !committed(type, doc)) {
            return null;
        }
        return StoredResource.fromHistory(type, doc);
    }

    /** Current versions in the order of {@code ids}; ids that do not exist are left out. */
    public List<StoredResource> readCurrent(String type, List<String> ids, boolean withBody) {
        Map<String, StoredResource> found = new HashMap<>();
        for (List<String> chunk : chunks(ids)) {
            var query = current(type).find(in("_id", chunk));
            if (!withBody) {
                query = query.projection(WITHOUT_BODY);
            }
            for (Document doc : query) {
                found.put(doc.getString("_id"), StoredResource.fromCurrent(type, doc));
            }
        }
        List<StoredResource> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            StoredResource r = found.get(id);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** Committed versions for history keys ({@code id/version}) in the given order. */
    public List<StoredResource> readVersions(String type, List<String> historyKeys) {
        Map<String, StoredResource> found = new HashMap<>();
        for (List<String> chunk : chunks(historyKeys)) {
            for (Document doc : history(type).find(in("_id", chunk))) {
                if (committed(type, doc)) {
                    found.put(doc.getString("_id"), StoredResource.fromHistory(type, doc));
                }
            }
        }
        List<StoredResource> out = new ArrayList<>(historyKeys.size());
        for (String key : historyKeys) {
            StoredResource r = found.get(key);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** Every current document of a type without its body, for searches no key can narrow. */
    Iterable<Document> scanCurrent(String type) {
        return current(type).find().projection(WITHOUT_BODY);
    }

    /** Every version of a type without bodies, for type-level history. */
    Iterable<Document> scanHistory(String type) {
        return history(type).find().projection(WITHOUT_BODY);
    }

    boolean committed(String type, Document historyDoc) {
        String tx = historyDoc.getString("tx");
        if (tx == null) {
            return true;
        }
        Document unit = journal.find(eq("_id", tx)).first();
        if (unit != null) {
            return "committed".equals(unit.getString("state"));
        }
        // No journal entry: either the unit finished (and cleared tx) after this document was read,
        // or it was rolled back (and the version deleted). The document as it is now tells which.
        Document now =
                history(type).find(eq("_id", historyDoc.getString("_id"))).first();
        return now != null && now.getString("tx") == null;
    }

    private static <T> List<List<T>> chunks(List<T> list) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i += 1000) {
            out.add(list.subList(i, Math.min(list.size(), i + 1000)));
        }
        return out;
    }

    // ---- writes ------------------------------------------------------------------------------

    /**
     * Writes all requests atomically and durably. Each written resource gets the next version and
     * the unit's timestamp in {@code meta}. Deleting what is absent or already deleted writes nothing
     * and returns the current state (or null).
     *
     * @throws VersionConflictException when an {@code If-Match} fails or a concurrent writer keeps winning
     */
    public List<StoredResource> write(List<WriteRequest> requests) {
        return write(requests, written -> {});
    }

    /**
     * Writes as {@link #write(List)} and, after the unit's commit point and before it is flushed, hands what
     * was written to {@code alongside}, whose own writes are then made durable by the same flush (one flush, not
     * two, e.g. for an audit event and its place in the audit chain).
     */
    public List<StoredResource> write(List<WriteRequest> requests, Consumer<List<StoredResource>> alongside) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tryWrite(requests, alongside);
            } catch (LostRace race) {
                // Only a lost race on a resource the client named a version of is the client's conflict.
                boolean clientNamedVersion = requests.stream()
                        .anyMatch(r -> r.ifMatch() != null && r.type().equals(race.type) && r.id().equals(race.id));
                if (clientNamedVersion) {
                    throw new VersionConflictException(race.getMessage(), true);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new VersionConflictException(
                            "The resource is being changed by another request; try again", false);
                }
                pause(attempt);
            }
        }
    }

    private List<StoredResource> tryWrite(List<WriteRequest> requests, Consumer<List<StoredResource>> alongside) {
        long now = lastUpdated.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()));
        List<Pending> pending = new ArrayList<>();
        List<StoredResource> results = new ArrayList<>();
        IParser parser = fhirContext.newJsonParser();
        for (WriteRequest request : requests) {
            StoredResource before = read(request.type(), request.id());
            long currentVersion = before == null ? 0 : before.version();
            if (request.ifMatch() != null && (before == null || currentVersion != request.ifMatch())) {
                throw new VersionConflictException(
                        "Version conflict on " + request.type() + "/" + request.id()
                                + ": If-Match names version " + request.ifMatch() + " but the current version is "
                                + (before == null ? "none" : currentVersion),
                        true);
            }
            if (request.isDelete() && (before == null || before.deleted())) {
                results.add(before);
                continue;
            }
            long version = currentVersion + 1;
            StoredResource after;
            // The owner and author are whoever created the resource; amending, deleting or re-creating it does not
            // change hands (else re-creating a deleted Patient would hand its whole record to the writer).
            String owner = before != null ? before.labels().owner() : request.owner();
            String author = before != null ? before.labels().author() : request.author();
            if (request.isDelete()) {
                // A deletion keeps the labels of what it deleted, so its history entry stays as protected.
                after = new StoredResource(
                        request.type(), request.id(), version, now, true, null, new Document(), before.labels());
            } else {
                Resource resource = request.resource();
                resource.setId(request.type() + "/" + request.id() + "/_history/" + version);
                resource.getMeta().setVersionId(Long.toString(version));
                resource.getMeta().setLastUpdatedElement(new InstantType(new Date(now)));
                after = new StoredResource(
                        request.type(),
                        request.id(),
                        version,
                        now,
                        false,
                        parser.encodeResourceToString(resource),
                        extractor.extract(resource),
                        labeler.label(request.id(), resource).withWriter(owner, author));
            }
            pending.add(new Pending(before, after));
            results.add(after);
        }
        if (!pending.isEmpty()) {
            ChangeFeed.Change change = commit(pending);
            alongside.accept(results);
            durability.awaitDurable();
            changeFeed.published(change);
        }
        return results;
    }

    private ChangeFeed.Change commit(List<Pending> pending) {
        String tx = newId();
        boolean single = pending.size() == 1;
        List<Document> entries = pending.stream()
                .map(p -> new Document("t", p.after.type())
                        .append("id", p.after.id())
                        .append("v", p.after.version()))
                .toList();
        journal.insertOne(new Document("_id", tx)
                .append("state", single ? "single" : "pending")
                .append("entries", entries)
                .append("at", new Date()));
        try {
            insertVersions(pending, single ? null : tx);
        } catch (LostRace race) {
            journal.deleteOne(eq("_id", tx));
            throw race;
        }
        if (!single) {
            journal.updateOne(eq("_id", tx), Updates.set("state", "committed"));
        }
        ChangeFeed.Change change = changeFeed.record(
                tx,
                pending.stream()
                        .map(p -> new ChangeFeed.Entry(p.after.type(), p.after.id(), p.after.version()))
                        .toList());
        for (Pending p : pending) {
            apply(p.before, p.after, !single);
        }
        journal.deleteOne(eq("_id", tx));
        return change;
    }

    /** Inserts the new versions, per type in order; on a lost version race removes what it inserted. */
    private void insertVersions(List<Pending> pending, String tx) {
        Map<String, List<Document>> byType = new LinkedHashMap<>();
        for (Pending p : pending) {
            Document doc = p.after.toHistory();
            if (tx != null) {
                doc.append("tx", tx);
            }
            byType.computeIfAbsent(p.after.type(), t -> new ArrayList<>()).add(doc);
        }
        Map<String, List<String>> inserted = new LinkedHashMap<>();
        for (Map.Entry<String, List<Document>> e : byType.entrySet()) {
            try {
                history(e.getKey()).insertMany(e.getValue());
                inserted.put(
                        e.getKey(),
                        e.getValue().stream().map(d -> d.getString("_id")).toList());
            } catch (MongoBulkWriteException failure) {
                int failedAt = failure.getWriteErrors().isEmpty()
                        ? 0
                        : failure.getWriteErrors().get(0).getIndex();
                inserted.put(
                        e.getKey(),
                        e.getValue().subList(0, failedAt).stream()
                                .map(d -> d.getString("_id"))
                                .toList());
                inserted.forEach((type, keys) -> {
                    if (!keys.isEmpty()) {
                        history(type).deleteMany(in("_id", keys));
                    }
                });
                boolean duplicate = failure.getWriteErrors().stream()
                        .anyMatch(w -> ErrorCategory.fromErrorCode(w.getCode()) == ErrorCategory.DUPLICATE_KEY);
                if (!duplicate) {
                    throw failure;
                }
                Document lost = e.getValue().get(failedAt);
                throw new LostRace(e.getKey(), lost.getString("rid"), lost.getLong("v"));
            }
        }
    }

    /** Makes a committed version current. Idempotent, so recovery can repeat it. */
    private void apply(StoredResource before, StoredResource after, boolean clearTx) {
        if (clearTx) {
            history(after.type())
                    .updateOne(eq("_id", StoredResource.historyKey(after.id(), after.version())), Updates.unset("tx"));
        }
        current(after.type()).replaceOne(eq("_id", after.id()), after.toCurrent(), new ReplaceOptions().upsert(true));
        searchKeys.update(after.type(), after.id(), before == null ? null : before.index(), after.index());
        // A later version may have been applied while these keys were changing, and this update may
        // have removed a key that version put back. Re-adding the keys of what is current now makes
        // the final key set right whichever writer finishes last.
        Document now = current(after.type())
                .find(eq("_id", after.id()))
                .projection(Projections.include("v", "ix"))
                .first();
        if (now != null && now.getLong("v") > after.version()) {
            searchKeys.update(after.type(), after.id(), null, now.get("ix", Document.class));
        }
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 2 + Math.min(attempt, 20)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while retrying a write", e);
        }
    }

    // ---- recovery ----------------------------------------------------------------------------

    /** Finishes or undoes the write units a crash interrupted. Runs once at start-up. */
    public void recover() {
        int forward = 0;
        int back = 0;
        for (Document unit : journal.find()) {
            String tx = unit.getString("_id");
            boolean rollBack = "pending".equals(unit.getString("state"));
            List<ChangeFeed.Entry> finished = new ArrayList<>();
            for (Document entry : unit.getList("entries", Document.class)) {
                String type = entry.getString("t");
                String key = StoredResource.historyKey(entry.getString("id"), entry.getLong("v"));
                Document version = history(type).find(eq("_id", key)).first();
                if (version == null) {
                    continue;
                }
                String owner = version.getString("tx");
                if (rollBack) {
                    if (tx.equals(owner)) {
                        history(type).deleteOne(eq("_id", key));
                    }
                } else if (owner == null || owner.equals(tx)) {
                    // A unit that lost its race may still list a version another unit wrote: only
                    // versions without a unit mark (committed) or with this unit's are finished here.
                    rollForward(type, version);
                    finished.add(new ChangeFeed.Entry(type, entry.getString("id"), entry.getLong("v")));
                }
            }
            // Recovery runs before anyone watches (notifications start later and read what was recorded), so
            // a unit interrupted after its commit point is recorded for every type that might be watched.
            changeFeed.recordUnfiltered(tx, finished);
            journal.deleteOne(eq("_id", tx));
            if (rollBack) {
                back++;
            } else {
                forward++;
            }
        }
        if (forward + back > 0) {
            durability.awaitDurable();
            log.warn("Recovered interrupted write units: {} completed, {} rolled back", forward, back);
        }
    }

    private void rollForward(String type, Document versionDoc) {
        StoredResource version = StoredResource.fromHistory(type, versionDoc);
        Document index = version.deleted()
                ? new Document()
                : extractor.extract(fhirContext.newJsonParser().parseResource(version.json()));
        StoredResource after = new StoredResource(
                type,
                version.id(),
                version.version(),
                version.lastUpdated(),
                version.deleted(),
                version.json(),
                index,
                version.labels());
        StoredResource current = read(type, version.id());
        if (current != null && current.version() >= after.version()) {
            // Current already shows this version or a later one; only the keys of what is current may be missing.
            history(type).updateOne(eq("_id", versionDoc.getString("_id")), Updates.unset("tx"));
            searchKeys.update(type, current.id(), null, current.index());
            return;
        }
        apply(current, after, true);
    }

    private record Pending(StoredResource before, StoredResource after) {}

    /** Another writer inserted the same version first. */
    private static final class LostRace extends RuntimeException {
        final String type;
        final String id;

        LostRace(String type, String id, long version) {
            super(
                    "Version conflict on " + type + "/" + id + ": another request wrote version " + version + " first",
                    null,
                    false,
                    false);
            this.type = type;
            this.id = id;
        }
    }
}
