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
     * Freezes the hub's own result lists: a search's, and a history's, which reaches here wrapped by HAPI FHIR and is found
     * with the request instead ({@link HistoryPages}). The Subscriptions' list is in memory: null, so HAPI FHIR links no
     * stored pages for it.
     */
    @Override
    public String storeResultList(RequestDetails request, IBundleProvider list) {
        if (list instanceof StoredResultList stored) {
            return stored.persist();
        }
        StoredResultList history = HistoryPages.of(request);
        return history != null ? history.persist() : null;
    }
}
