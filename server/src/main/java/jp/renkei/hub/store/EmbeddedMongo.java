package jp.renkei.hub.store;

import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import jp.renkei.hub.store.embedded.MvStoreBackend;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process MongoDB-compatible server used when no {@code MONGODB_URI} is given: mongo-java-server
 * on an H2 MVStore file (pages in BSON, see {@link MvStoreBackend}), reached by the real MongoDB
 * driver over loopback.
 *
 * <p>MVStore only writes to its file when it commits (by default in the background about once a
 * second), so an abrupt halt loses recent acknowledged writes. {@link #awaitDurable()} is a group
 * commit: a caller whose writes are already covered by a commit that started after them returns at
 * once, otherwise it commits everything written so far. MVStore writes its chunks in order, so
 * once a commit has returned every earlier write is in the file and survives {@code kill -9}.
 */
public final class EmbeddedMongo implements Durability, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMongo.class);

    private final MVStore mvStore;
    private final MongoServer server;
    private final boolean fsync;
    private final AtomicLong requested = new AtomicLong();
    private long durable;

    public EmbeddedMongo(StoreProperties.Embedded settings) {
        Path dataDir = settings.dataDir();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        Path file = dataDir.resolve("renkei.mv.db");
        this.mvStore = new MVStore.Builder()
                .fileName(file.toString())
                .cacheSize(settings.cacheMb())
                .open();
        this.server = new MongoServer(new MvStoreBackend(mvStore));
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        this.fsync = settings.fsync();
        log.info("Embedded store started on {} with data in {}", server.getLocalAddress(), file);
    }

    public String connectionString() {
        return server.getConnectionString();
    }

    @Override
    public void awaitDurable() {
        long ticket = requested.incrementAndGet();
        synchronized (this) {
            if (durable >= ticket) {
                return;
            }
            long covered = requested.get();
            mvStore.commit();
            if (fsync) {
                mvStore.sync();
            }
            durable = covered;
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        if (!mvStore.isClosed()) {
            mvStore.close();
        }
    }
}
