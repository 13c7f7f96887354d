package jp.renkei.hub.fhir;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IPagingProvider;
import jp.renkei.hub.store.ResultSnapshots;

/** Serves HAPI FHIR's {@code _getpages} links from result snapshots kept in the store. */
final class SnapshotPagingProvider implements IPagingProvider {

    private final ResourceOperations operations;
    private final ResultSnapshots snapshots;
    private final FhirProperties properties;

    SnapshotPagingProvider(ResourceOperations operations, ResultSnapshots snapshots, FhirProperties properties) {
        this.operations = operations;
        this.snapshots = snapshots;
        this.properties = properties;
    }

    @Override
    public int getDefaultPageSize() {
        return properties.defaultPageSize();
    }

    @Override
    public int getMaximumPageSize() {
        return properties.maxPageSize();
    }

    @Override
    public IBundleProvider retrieveResultList(RequestDetails request, String searchId) {
        ResultSnapshots.Snapshot snapshot = snapshots.find(searchId);
        // Another user's result list is as unknown as an expired one.
        if (snapshot == null || !java.util.Objects.equals(snapshot.owner(), operations.callerKey())) {
            return null;
        }
        return StoredResultList.fromSnapshot(operations, snapshots, snapshot);
    }

    /**
     * Only the hub's own search results are frozen. A history reaches here wrapped by HAPI FHIR, which pages it by
     * {@code _offset} links rather than by a stored list ({@link StoredResultList#history}); the Subscriptions' list is
     * in memory. For those, null: HAPI FHIR then links no stored pages.
     */
    @Override
    public String storeResultList(RequestDetails request, IBundleProvider list) {
        return list instanceof StoredResultList stored ? stored.persist() : null;
    }
}
