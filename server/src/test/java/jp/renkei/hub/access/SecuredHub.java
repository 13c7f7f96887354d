package jp.renkei.hub.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Resource;

/**
 * A hub that trusts a {@link TestIssuer}, with records seeded straight into its store under a chosen owner. The run's
 * shared one ({@link jp.renkei.hub.Hub}) refuses a seed that would change a record another test class seeded: each
 * class that shares it writes records of its own.
 */
public final class SecuredHub implements AutoCloseable {

    public final TestIssuer issuer = new TestIssuer();
    public final HubInstance hub;
    public final StoreFixtures store;

    private final Path dataDir;
    /** The test class the shared hub is lent to now; null for a class's own hub. */
    private volatile String borrower;
    /** Type/id → the class that seeded it and what it wrote, on the shared hub. */
    private final Map<String, String[]> seeded = new ConcurrentHashMap<>();

    public SecuredHub(String name, String... moreProperties) throws IOException {
        dataDir = Files.createTempDirectory(name);
        String[] properties = java.util.stream.Stream.concat(
                        java.util.Arrays.stream(issuer.hubProperties()), java.util.Arrays.stream(moreProperties))
                .toArray(String[]::new);
        hub = new HubInstance(dataDir, properties);
        store = StoreFixtures.of(hub);
    }

    /** Writes a record as if {@code owner} had, bypassing the API so that any owner can be set up; no individual author. */
    public void seed(String type, String id, Resource resource, String owner) {
        seed(type, id, resource, owner, null);
    }

    /** Writes a record as if {@code author} ({@code user/<subject>}) of {@code owner} had, bypassing the API. */
    public void seed(String type, String id, Resource resource, String owner, String author) {
        String by = borrower;
        if (by != null) {
            // the same directory entry written alike by several classes is no conflict; anything else is
            Resource bare = resource.copy();
            bare.setId((String) null);
            bare.setMeta(null);
            String what = owner + " " + author + " "
                    + HubInstance.fhirContext().newJsonParser().encodeResourceToString(bare);
            String[] first = seeded.putIfAbsent(type + "/" + id, new String[] {by, what});
            if (first != null && !first[0].equals(by) && !first[1].equals(what)) {
                throw new IllegalStateException(type + "/" + id + " was seeded by " + first[0] + " on the shared hub; "
                        + by + " must seed records of its own (another id) or use a hub of its own (@Hub(own = ...))");
            }
        }
        store.write(List.of(new WriteRequest(type, id, resource, null, owner, author)));
    }

    /** The run's shared hub now serves {@code testClass} (called by {@link jp.renkei.hub.Hubs}). */
    public void lendTo(String testClass) {
        borrower = testClass;
    }

    @Override
    public void close() {
        hub.close();
        issuer.close();
        HubInstance.deleteStore(dataDir);
    }
}
