package jp.renkei.hub.fhir;

import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.search.SearchQuery;
import jp.renkei.hub.store.ResultSnapshots;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;

/**
 * read, vread, search and history for one resource type. Types the hub writes itself (AuditEvent)
 * are served by this class alone, so HAPI FHIR has no create, update or delete to route to.
 */
public class ReadOnlyResourceProvider implements IResourceProvider {

    protected final String type;
    protected final Class<? extends IBaseResource> resourceClass;
    protected final ResourceOperations operations;
    private final ResultSnapshots snapshots;

    public ReadOnlyResourceProvider(
            Class<? extends IBaseResource> resourceClass, ResourceOperations operations, ResultSnapshots snapshots) {
        this.resourceClass = resourceClass;
        this.type = resourceClass.getSimpleName();
        this.operations = operations;
        this.snapshots = snapshots;
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
        return resourceClass;
    }

    @Read(version = true)
    public IBaseResource read(@IdParam IdType id) {
        StoredResource stored = id.hasVersionIdPart()
                ? operations.readVersion(type, id.getIdPart(), id.getVersionIdPart())
                : operations.readCurrent(type, id.getIdPart());
        return operations.records().resource(stored);
    }

    @Search(allowUnknownParams = true)
    public IBundleProvider search(RequestDetails request) {
        SearchQuery query = operations.parseQuery(type, request.getParameters());
        List<String> ids = operations.search(query);
        return StoredResultList.fresh(operations, snapshots, StoredResultList.SEARCH, type, query.includes(), ids);
    }

    @History
    public IBundleProvider instanceHistory(
            @IdParam IdType id, @Since Date since, @Offset Integer offset, RequestDetails request) {
        List<String> keys = operations.instanceHistory(type, id.getIdPart(), millis(since));
        return StoredResultList.history(operations, snapshots, type, keys, offset, request);
    }

    @History
    public IBundleProvider typeHistory(@Since Date since, @Offset Integer offset, RequestDetails request) {
        List<String> keys = operations.typeHistory(type, millis(since));
        return StoredResultList.history(operations, snapshots, type, keys, offset, request);
    }

    static long millis(Date since) {
        return since == null ? Long.MIN_VALUE : since.getTime();
    }
}
