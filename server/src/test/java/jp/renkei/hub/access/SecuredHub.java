package jp.renkei.hub.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Resource;

/** A hub that trusts a {@link TestIssuer}, with records seeded straight into its store under a chosen owner. */
public final class SecuredHub implements AutoCloseable {

    public final TestIssuer issuer = new TestIssuer();
    public final HubInstance hub;
    public final StoreFixtures store;

    private final Path dataDir;

    public SecuredHub(String name, String... moreProperties) throws IOException {
        dataDir = Files.createTempDirectory(name);
        String[] properties = java.util.stream.Stream.concat(java.util.Arrays.stream(issuer.hubProperties()),
                java.util.Arrays.stream(moreProperties)).toArray(String[]::new);
        hub = new HubInstance(dataDir, properties);
        store = StoreFixtures.of(hub);
    }

    /** Writes a record as if {@code owner} had, bypassing the API so that any owner can be set up; no individual author. */
    public void seed(String type, String id, Resource resource, String owner) {
        seed(type, id, resource, owner, null);
    }

    /** Writes a record as if {@code author} ({@code user/<subject>}) of {@code owner} had, bypassing the API. */
    public void seed(String type, String id, Resource resource, String owner, String author) {
        store.write(List.of(new WriteRequest(type, id, resource, null, owner, author)));
    }

    @Override
    public void close() {
        hub.close();
        issuer.close();
        HubInstance.deleteStore(dataDir);
    }
}
