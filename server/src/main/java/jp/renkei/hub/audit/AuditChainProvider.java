package jp.renkei.hub.audit;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.fhir.OperationProvider;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code GET /fhir/$verify-audit-chain}: checks every link of the audit hash chain against its event and its sealed
 * checkpoint, and the checkpoints in the store against their copies outside it (hub-admin only). A break raises the
 * alert as the scheduled check does.
 */
public final class AuditChainProvider implements OperationProvider {

    private final AuditAnchoring anchoring;
    private final AccessGuard guard;

    public AuditChainProvider(AuditAnchoring anchoring, AccessGuard guard) {
        this.anchoring = anchoring;
        this.guard = guard;
    }

    @Operation(name = "$verify-audit-chain", idempotent = true)
    public Parameters verify() {
        if (!guard.mayAdministerAudit()) {
            throw new ForbiddenOperationException("監査証跡の検証は hub-admin のみ (only hub-admin may verify the audit chain)");
        }
        AuditAnchoring.Status result = anchoring.verify();
        Parameters out = new Parameters();
        out.addParameter().setName("intact").setValue(new BooleanType(result.intact()));
        out.addParameter().setName("links").setValue(new IntegerType(Math.toIntExact(result.links())));
        if (!result.intact()) {
            out.addParameter()
                    .setName("firstBrokenLink")
                    .setValue(new IntegerType(Math.toIntExact(result.firstBroken())));
            out.addParameter().setName("problem").setValue(new StringType(result.problem()));
        }
        out.addParameter().setName("anchored").setValue(new BooleanType(result.anchored()));
        if (result.anchored()) {
            out.addParameter()
                    .setName("sealedThrough")
                    .setValue(new IntegerType(Math.toIntExact(result.sealedThrough())));
            out.addParameter().setName("anchorsAgree").setValue(new BooleanType(result.anchorsAgree()));
        }
        result.notes().forEach(note -> out.addParameter().setName("note").setValue(new StringType(note)));
        return out;
    }
}
