package jp.renkei.hub.store;

import java.util.List;
import jp.renkei.hub.HubInstance;

/**
 * Tests' own door into a hub's store, past the access rules and the write rules: records as a given organisation wrote
 * them (data that predates an API), records the API would refuse, or a record changed behind the hub's back. The hub
 * itself has no such door ({@link Records} and {@link Writes} are its only ways in).
 */
public final class StoreFixtures {

    private final ResourceStore store;

    private StoreFixtures(ResourceStore store) {
        this.store = store;
    }

    public static StoreFixtures of(HubInstance hub) {
        return new StoreFixtures(hub.bean(ResourceStore.class));
    }

    public List<StoredResource> write(List<WriteRequest> requests) {
        return store.write(requests);
    }

    public StoredResource read(String type, String id) {
        return store.read(type, id);
    }

    public StoredResource readVersion(String type, String id, long version) {
        return store.readVersion(type, id, version);
    }

    public List<StoredResource> readCurrent(String type, List<String> ids, boolean withBody) {
        return store.readCurrent(type, ids, withBody);
    }

    public ChangeFeed changeFeed() {
        return store.changeFeed();
    }

    public static String newId() {
        return ResourceStore.newId();
    }
}
