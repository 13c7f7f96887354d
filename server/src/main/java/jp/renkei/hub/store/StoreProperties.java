package jp.renkei.hub.store;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where resources are kept. {@code uri} (env {@code MONGODB_URI}) selects a real MongoDB server;
 * when it is blank the embedded store runs in-process with its files in {@code embedded.dataDir}
 * (env {@code RENKEI_DATA_DIR}).
 */
@ConfigurationProperties("renkei.store")
public record StoreProperties(String uri, String database, Embedded embedded) {

    /**
     * @param cacheMb MVStore page cache. Pages are decoded whole, so a cache smaller than the hot
     *                data makes random reads decode pages again; a large one keeps decoded pages alive
     *                long enough for every young collection to copy them, which lengthened its pauses
     *                to 70-150 ms at 512 MiB (under 30 ms at the default 32 MiB).
     */
    public record Embedded(Path dataDir, boolean fsync, int cacheMb) {}

    public boolean useEmbedded() {
        return uri == null || uri.isBlank();
    }
}
