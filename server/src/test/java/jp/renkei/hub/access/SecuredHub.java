package jp.renkei.hub.access;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Resource;

/** A hub that trusts a {@link TestIssuer}, with records seeded straight into its store under a chosen owner. */
public final class SecuredHub implements AutoCloseable {

    public final TestIssuer issuer = new TestIssuer();
    public final HubInstance hub;
    public final ResourceStore store;

    public SecuredHub(String name) throws IOException {
        hub = new HubInstance(Files.createTempDirectory(name), issuer.hubProperties());
        store = hub.bean(ResourceStore.class);
    }

    /** Writes a record as if {@code owner} had, bypassing the API so that any owner can be set up. */
    public void seed(String type, String id, Resource resource, String owner) {
        store.write(List.of(new WriteRequest(type, id, resource, null, owner)));
    }

    @Override
    public void close() {
        hub.close();
        issuer.close();
    }
}
