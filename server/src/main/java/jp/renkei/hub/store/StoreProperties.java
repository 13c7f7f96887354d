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

    public record Embedded(Path dataDir, boolean fsync) {
    }

    public boolean useEmbedded() {
        return uri == null || uri.isBlank();
    }
}
