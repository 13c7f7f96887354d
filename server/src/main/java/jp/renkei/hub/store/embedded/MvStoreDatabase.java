package jp.renkei.hub.store.embedded;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractSynchronizedMongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.List;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * One database of the embedded store: mongo-java-server's H2 collections, but every MVStore map is
 * opened with {@link BsonDataType} so pages hold BSON instead of Java-serialized objects.
 */
final class MvStoreDatabase extends AbstractSynchronizedMongoDatabase<Object> {

    static final String DATA_PREFIX = "databases.";
    private static final String META_PREFIX = "meta.";

    private final MVStore store;

    MvStoreDatabase(String name, MVStore store, CursorRegistry cursors) {
        super(name, cursors);
        this.store = store;
        initializeNamespacesAndIndexes();
    }

    static <K, V> MVMap<K, V> open(MVStore store, String mapName) {
        return store.openMap(
                mapName,
                new MVMap.Builder<K, V>().keyType(BsonDataType.INSTANCE).valueType(BsonDataType.INSTANCE));
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(
            String collection, String indexName, List<IndexKey> keys, boolean sparse) {
        MVMap<KeyValue, Object> map = open(store, indexMapName(collection, indexName));
        return new MvStoreUniqueIndex(map, indexName, keys, sparse);
    }

    @Override
    protected void dropIndex(MongoCollection<Object> collection, String indexName) {
        super.dropIndex(collection, indexName);
        store.removeMap(open(store, indexMapName(collection.getCollectionName(), indexName)));
    }

    private String indexMapName(String collection, String indexName) {
        return getFullCollectionNamespace(collection) + "._index_" + indexName;
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collection, CollectionOptions options) {
        String fullName = getFullCollectionNamespace(collection);
        MVMap<Object, Document> data = open(store, DATA_PREFIX + fullName);
        MVMap<String, Object> meta = open(store, META_PREFIX + fullName);
        return new MvStoreCollection(this, collection, options, data, meta, cursorRegistry);
    }

    @Override
    public void dropCollection(String collection, Oplog oplog) {
        super.dropCollection(collection, oplog);
        String fullName = getFullCollectionNamespace(collection);
        store.removeMap(open(store, DATA_PREFIX + fullName));
        store.removeMap(open(store, META_PREFIX + fullName));
    }

    @Override
    public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection, String newName) {
        super.moveCollection(oldDatabase, collection, newName);
        String newFullName = getFullCollectionNamespace(newName);
        store.renameMap(open(store, DATA_PREFIX + collection.getFullName()), DATA_PREFIX + newFullName);
        store.renameMap(open(store, META_PREFIX + collection.getFullName()), META_PREFIX + newFullName);
    }

    @Override
    public void drop(Oplog oplog) {
        super.drop(oplog);
        List<String> names = store.getMapNames().stream()
                .filter(n -> n.startsWith(databaseName + ".")
                        || n.startsWith(DATA_PREFIX + databaseName + ".")
                        || n.startsWith(META_PREFIX + databaseName + "."))
                .toList();
        for (String name : names) {
            store.removeMap(open(store, name));
        }
    }

    @Override
    protected long getStorageSize() {
        FileStore<?> file = store.getFileStore();
        return file == null ? 0 : file.size();
    }

    @Override
    protected long getFileSize() {
        return getStorageSize();
    }
}
