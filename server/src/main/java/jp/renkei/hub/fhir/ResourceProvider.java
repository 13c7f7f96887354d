package jp.renkei.hub.fhir;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.MethodOutcome;
import jp.renkei.hub.store.ResultSnapshots;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/** All interactions for one resource type that clients may write. */
public class ResourceProvider extends ReadOnlyResourceProvider {

    public ResourceProvider(Class<? extends IBaseResource> resourceClass, ResourceOperations operations,
                            ResultSnapshots snapshots) {
        super(resourceClass, operations, snapshots);
    }

    @Create
    public MethodOutcome create(@ResourceParam IBaseResource resource, @ConditionalUrlParam String ifNoneExist) {
        if (ifNoneExist == null) {
            return outcome(operations.write(operations.createRequest(type, (Resource) resource))).setCreated(true);
        }
        return operations.conditionally(() -> {
            String existing = operations.matchCondition(type, ifNoneExist);
            if (existing != null) {
                return outcome(operations.readCurrent(type, existing)).setCreated(false);
            }
            return outcome(operations.write(operations.createRequest(type, (Resource) resource))).setCreated(true);
        });
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam IBaseResource resource) {
        StoredResource written = operations.write(operations.updateRequest(type, id.getIdPart(), (Resource) resource,
                ResourceOperations.version(id)));
        return outcome(written).setCreated(written.version() == 1);
    }

    @Delete
    public MethodOutcome delete(@IdParam IdType id, RequestDetails request) {
        // HAPI passes If-Match into the id for updates but not for deletes.
        Long ifMatch = id.hasVersionIdPart() ? ResourceOperations.version(id)
                : ResourceOperations.ifMatchVersion(request.getHeader("If-Match"), "");
        StoredResource after = operations.write(operations.deleteRequest(type, id.getIdPart(), ifMatch));
        OperationOutcome message = new OperationOutcome();
        message.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
                .setCode(OperationOutcome.IssueType.INFORMATIONAL)
                .setDiagnostics(type + "/" + id.getIdPart() + " を削除しました (deleted; version " + after.version() + ")");
        return new MethodOutcome(new IdType(type, after.id(), Long.toString(after.version()))).setOperationOutcome(message);
    }

    private MethodOutcome outcome(StoredResource stored) {
        return new MethodOutcome(new IdType(type, stored.id(), Long.toString(stored.version())))
                .setResource(operations.toResource(stored));
    }
}
