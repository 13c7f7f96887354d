package jp.renkei.hub.store.embedded;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server backend on an H2 MVStore file whose maps hold BSON ({@link BsonDataType}).
 * A file written with another layout is refused with a clear message rather than misread.
 */
public final class MvStoreBackend extends AbstractMongoBackend {

    private static final String FORMAT_MAP = "renkei.format";
    private static final String FORMAT = "bson-1";

    private final MVStore store;

    public MvStoreBackend(MVStore store) {
        checkFormat(store);
        this.store = store;
        store.getMapNames().stream()
                .filter(name -> name.startsWith(MvStoreDatabase.DATA_PREFIX))
                .map(name ->
                        name.substring(MvStoreDatabase.DATA_PREFIX.length()).split("\\.", 2)[0])
                .distinct()
                .forEach(this::resolveDatabase);
    }

    private static void checkFormat(MVStore store) {
        boolean hasData = store.getMapNames().stream().anyMatch(n -> n.startsWith(MvStoreDatabase.DATA_PREFIX));
        MVMap<String, Object> format = MvStoreDatabase.open(store, FORMAT_MAP);
        Object found = format.get("format");
        if (found == null && hasData) {
            throw new IllegalStateException(
                    "The data file " + store.getFileStore().getFileName()
                            + " was written by an earlier development build with another storage layout; move it away to start afresh");
        }
        if (found != null && !FORMAT.equals(found)) {
            throw new IllegalStateException(
                    "The data file has storage layout " + found + ", this build reads " + FORMAT);
        }
        format.putIfAbsent("format", FORMAT);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String name) {
        return new MvStoreDatabase(name, store, getCursorRegistry());
    }
}
