package jp.renkei.hub.consent.operations;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.List;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.Writes;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST /fhir/Consent/{id}/$revoke} (optional {@code reason}): the patient, their registered
 * proxy or the organisation that recorded it withdraws a Consent. The Consent becomes
 * {@code inactive} in a new version stamped with who revoked it and why; the sharing it granted ends
 * with the very next request. Revoking a Consent that is no longer active changes nothing.
 * The policy action {@code revoke} decides who may; updating a Consent otherwise stays with its author.
 */
public final class ConsentRevocation implements OperationProvider {

    private final AccessGuard guard;
    private final Records records;
    private final ConsentRecording recording;
    private final Writes writes;

    public ConsentRevocation(AccessGuard guard, Records records, ConsentRecording recording, Writes writes) {
        this.guard = guard;
        this.records = records;
        this.recording = recording;
        this.writes = writes;
    }

    @Operation(name = "$revoke", type = Consent.class)
    public Consent revoke(@IdParam IdType id, @OperationParam(name = "reason", max = 1) StringType reason) {
        StoredResource current = records.read("Consent", id.getIdPart());
        if (current == null) {
            throw new ResourceNotFoundException("Consent/" + id.getIdPart() + " is not known");
        }
        guard.checkRevoke(current);
        if (current.deleted()) {
            throw new ResourceGoneException(
                    "Consent/" + id.getIdPart() + " was deleted (version " + current.version() + ")");
        }
        // through the read check: the hub seals its change, so a signed directive changed in the database must be
        // refused here, not come out of $revoke sealed as sound
        Consent consent = records.resource(current, Consent.class);
        StoredResource result = current;
        if (isInForce(consent.getStatus())) {
            consent.setStatus(Consent.ConsentState.INACTIVE);
            String why = reason == null
                            || reason.getValue() == null
                            || reason.getValue().isBlank()
                    ? null
                    : reason.getValue().trim();
            recording.stamp(consent, guard.caller(), "revoke", why);
            // the hub's change to what may be a signed advance directive: sealed as the hub's, not the caller's
            // authoring
            result = writes.byTheHub(List.of(new WriteRequest(
                            "Consent", current.id(), consent, current.version(), guard.owner(), guard.author())))
                    .get(0);
        }
        AccessRecord.touched(
                result.type(), result.id(), result.version(), result.labels().patients());
        return records.resource(result, Consent.class);
    }

    /** Draft, proposed and active Consents can be withdrawn; the others already have no effect. */
    private static boolean isInForce(Consent.ConsentState status) {
        return status == Consent.ConsentState.ACTIVE
                || status == Consent.ConsentState.PROPOSED
                || status == Consent.ConsentState.DRAFT;
    }
}
