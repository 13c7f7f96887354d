package jp.renkei.hub.audit;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/** {@code GET /fhir/$verify-audit-chain}: checks every link of the audit hash chain (hub-admin only). */
public final class AuditChainProvider implements OperationProvider {

    private final AuditChain chain;
    private final ResourceStore store;
    private final AccessGuard guard;

    public AuditChainProvider(AuditChain chain, ResourceStore store, AccessGuard guard) {
        this.chain = chain;
        this.store = store;
        this.guard = guard;
    }

    @Operation(name = "$verify-audit-chain", idempotent = true)
    public Parameters verify() {
        if (!guard.mayAdministerAudit()) {
            throw new ForbiddenOperationException("監査証跡の検証は hub-admin のみ (only hub-admin may verify the audit chain)");
        }
        AuditChain.Verification result = chain.verify(id -> {
            StoredResource stored = store.read("AuditEvent", id);
            return stored == null || stored.deleted() ? null : stored.json();
        });
        Parameters out = new Parameters();
        out.addParameter().setName("intact").setValue(new BooleanType(result.intact()));
        out.addParameter().setName("links").setValue(new IntegerType(Math.toIntExact(result.links())));
        if (!result.intact()) {
            out.addParameter().setName("firstBrokenLink").setValue(new IntegerType(Math.toIntExact(result.firstBroken())));
            out.addParameter().setName("problem").setValue(new StringType(result.problem()));
        }
        return out;
    }
}
