package jp.renkei.hub.notify;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;

/**
 * {@code [type]/[id]/$notification-receipts} on the record types topics report: who was notified of the
 * record, when it reached them and when they opened it (既達・既読). Anyone who may read the record may
 * ask, so the sender of a discharge handoff sees that the care manager received and opened it.
 */
public class ReceiptOperations implements OperationProvider {

    private final Receipts receipts;
    private final Records records;
    private final AccessGuard guard;

    ReceiptOperations(Receipts receipts, Records records, AccessGuard guard) {
        this.receipts = receipts;
        this.records = records;
        this.guard = guard;
    }

    @Operation(name = "$notification-receipts", type = Bundle.class, idempotent = true)
    public Parameters bundle(@IdParam IdType id) {
        return receiptsOf("Bundle", id);
    }

    @Operation(name = "$notification-receipts", type = Composition.class, idempotent = true)
    public Parameters composition(@IdParam IdType id) {
        return receiptsOf("Composition", id);
    }

    @Operation(name = "$notification-receipts", type = DocumentReference.class, idempotent = true)
    public Parameters documentReference(@IdParam IdType id) {
        return receiptsOf("DocumentReference", id);
    }

    @Operation(name = "$notification-receipts", type = Task.class, idempotent = true)
    public Parameters task(@IdParam IdType id) {
        return receiptsOf("Task", id);
    }

    @Operation(name = "$notification-receipts", type = Communication.class, idempotent = true)
    public Parameters communication(@IdParam IdType id) {
        return receiptsOf("Communication", id);
    }

    private Parameters receiptsOf(String type, IdType id) {
        StoredResource stored = records.read(type, id.getIdPart());
        if (stored == null || stored.deleted()) {
            throw new ResourceNotFoundException(type + "/" + id.getIdPart() + " is not known");
        }
        guard.checkRead(stored, type + "/" + id.getIdPart() + " is not known");
        AccessRecord.touched(
                type, stored.id(), stored.version(), stored.labels().patients());
        Parameters out = new Parameters();
        for (Receipts.Receipt receipt : receipts.of(type + "/" + stored.id())) {
            Parameters.ParametersParameterComponent p = out.addParameter().setName("receipt");
            Reference who = receipt.identity() == null || receipt.identity().isEmpty()
                    ? new Reference()
                    : new Reference(receipt.identity());
            p.addPart().setName("recipient").setValue(who.setDisplay(receipt.username()));
            p.addPart().setName("notified").setValue(new InstantType(receipt.notified()));
            if (receipt.delivered() != null) {
                p.addPart().setName("delivered").setValue(new InstantType(receipt.delivered()));
            }
            if (receipt.opened() != null) {
                p.addPart().setName("opened").setValue(new InstantType(receipt.opened()));
            }
        }
        return out;
    }
}
