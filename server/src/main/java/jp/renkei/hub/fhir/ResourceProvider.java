package jp.renkei.hub.fhir;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jp.renkei.hub.store.ResultSnapshots;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/** All interactions for one resource type that clients may write. */
public class ResourceProvider extends ReadOnlyResourceProvider {

    public ResourceProvider(
            Class<? extends IBaseResource> resourceClass, ResourceOperations operations, ResultSnapshots snapshots) {
        super(resourceClass, operations, snapshots);
    }

    /** HAPI FHIR answers with the resource, nothing or the OperationOutcome, as the request's {@code Prefer: return=} asks. */
    @Create
    public MethodOutcome create(@ResourceParam IBaseResource resource, @ConditionalUrlParam String ifNoneExist) {
        if (ifNoneExist == null && !ResourceOperations.identifiesItself((Resource) resource)) {
            return written(operations.createRequest(type, (Resource) resource), false);
        }
        return operations.conditionally(() -> {
            String existing =
                    ifNoneExist == null ? null : operations.matchCondition(type, ifNoneExist, "If-None-Exist");
            if (existing != null) {
                return outcome(operations.readCurrent(type, existing), ResourceOperations.Done.MATCHED);
            }
            WriteRequest create = operations.createRequest(type, (Resource) resource);
            // a document found by its identifier is pinned to the version found (createRequest)
            return written(create, create.ifMatch() != null);
        });
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam IBaseResource resource, RequestDetails request) {
        String ifNoneMatch = request.getHeader("If-None-Match");
        if (ifNoneMatch != null) {
            operations.requireAbsent(type, id.getIdPart(), ifNoneMatch);
        }
        return written(
                operations.updateRequest(type, id.getIdPart(), (Resource) resource, ResourceOperations.version(id)),
                true);
    }

    /**
     * Writes, unless the write would change nothing: 201 when it created the resource, 200 otherwise. A create under a
     * new id cannot restate anything, so it is not compared ({@code existing} false).
     */
    private MethodOutcome written(WriteRequest request, boolean existing) {
        StoredResource unchanged = existing ? operations.unchanged(request) : null;
        if (unchanged != null) {
            return outcome(unchanged, ResourceOperations.Done.UNCHANGED);
        }
        StoredResource written = operations.write(request);
        return outcome(
                written, written.version() == 1 ? ResourceOperations.Done.CREATED : ResourceOperations.Done.UPDATED);
    }

    /** {@code DELETE Type/id}, or the conditional {@code DELETE Type?params} (HAPI then passes no id but the condition). */
    @Delete
    public MethodOutcome delete(@IdParam IdType id, @ConditionalUrlParam String condition, RequestDetails request) {
        // HAPI passes If-Match into the id for updates but not for deletes.
        Long ifMatch = id != null && id.hasVersionIdPart()
                ? ResourceOperations.version(id)
                : ResourceOperations.ifMatchVersion(request.getHeader("If-Match"), "");
        if (id == null || !id.hasIdPart()) {
            if (condition == null) {
                throw new InvalidRequestException("DELETE needs an id (DELETE " + type + "/[id]) or search parameters"
                        + " that match one record (DELETE " + type + "?identifier=...)");
            }
            WriteRequest delete = operations.conditionalDeleteRequest(type, condition, ifMatch);
            if (delete == null) {
                return new MethodOutcome()
                        .setOperationOutcome(
                                information("条件に一致する" + type + "はありません。何も削除していません (no match; nothing was deleted)"));
            }
            return deleted(operations.write(delete));
        }
        return deleted(operations.write(operations.deleteRequest(type, id.getIdPart(), ifMatch)));
    }

    private MethodOutcome deleted(StoredResource after) {
        return new MethodOutcome(new IdType(type, after.id(), Long.toString(after.version())))
                .setOperationOutcome(information(ResourceOperations.Done.DELETED.told(after)));
    }

    private static OperationOutcome information(String diagnostics) {
        return OperationOutcomes.information(diagnostics);
    }

    private MethodOutcome outcome(StoredResource stored, ResourceOperations.Done done) {
        return new MethodOutcome(new IdType(type, stored.id(), Long.toString(stored.version())))
                .setResource(operations.records().resource(stored))
                .setCreated(done == ResourceOperations.Done.CREATED)
                .setOperationOutcome(information(done.told(stored)));
    }
}
