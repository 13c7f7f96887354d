package jp.renkei.hub.store.embedded;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVMap;

/**
 * mongo-java-server's H2 collection, except that an update never changes a stored document in place.
 * The original applies {@code $set}, {@code $inc}, … to the very object it keeps in the MVStore map
 * and puts it back; a commit running at the same time on another thread (the group commit of
 * {@code EmbeddedMongo.awaitDurable}) may be encoding that object into a page just then, fails with a
 * {@code ConcurrentModificationException}, and MVStore closes itself: every later request fails.
 * Here the documents an update or find-and-modify works on are copies, so the map only ever gets
 * new objects and a document, once stored, is never modified.
 */
final class MvStoreCollection extends H2Collection {

    /** Set while an update runs; the collection's methods are synchronized, so one thread at a time. */
    private boolean updating;

    MvStoreCollection(
            MongoDatabase database,
            String collectionName,
            CollectionOptions options,
            MVMap<Object, Document> dataMap,
            MVMap<String, Object> metaMap,
            CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    public synchronized Document updateDocuments(
            Document selector,
            Document updateQuery,
            ArrayFilters arrayFilters,
            boolean isMulti,
            boolean isUpsert,
            Oplog oplog) {
        boolean outer = updating;
        updating = true;
        try {
            return super.updateDocuments(selector, updateQuery, arrayFilters, isMulti, isUpsert, oplog);
        } finally {
            updating = outer;
        }
    }

    @Override
    public synchronized Document findAndModify(Document query) {
        boolean outer = updating;
        updating = true;
        try {
            return super.findAndModify(query);
        } finally {
            updating = outer;
        }
    }

    @Override
    protected QueryResult queryDocuments(
            Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
        QueryResult found = super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        if (!updating) {
            return found;
        }
        List<Document> copies = new ArrayList<>();
        for (Document document : found) {
            copies.add(document.cloneDeeply());
        }
        return new QueryResult(copies);
    }
}
