package jp.renkei.hub.consent;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.Date;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.access.Caller;
import jp.renkei.hub.audit.AccessRecord;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST /fhir/Patient/{id}/$break-glass} with {@code purpose = ETREAT} and a {@code reason}:
 * an ambulance crew member or physician opens this patient's emergency information without consent
 * or care-team membership, for a limited time (relation {@code break-glass} in the access policy).
 * The declaration and every read under it are audited with purpose "emergency treatment", and the
 * patient's care managers and the authors of the emergency documents are told.
 */
public final class BreakGlassOperation implements OperationProvider {

    private final AccessGuard guard;
    private final ResourceStore store;
    private final BreakGlassGrants grants;
    private final BreakGlassNotice notice;

    public BreakGlassOperation(AccessGuard guard, ResourceStore store, BreakGlassGrants grants, BreakGlassNotice notice) {
        this.guard = guard;
        this.store = store;
        this.grants = grants;
        this.notice = notice;
    }

    @Operation(name = "$break-glass", type = Patient.class)
    public Parameters declare(@IdParam IdType id,
                              @OperationParam(name = "purpose", min = 1, max = 1) CodeType purpose,
                              @OperationParam(name = "reason", min = 1, max = 1) StringType reason) {
        if (!guard.mayBreakGlass()) {
            AccessRecord.refused(java.util.List.of(id.getIdPart()));
            throw new ForbiddenOperationException("緊急時アクセスは救急隊・医師のみ (only ems and physicians may declare an emergency)");
        }
        if (purpose == null || !"ETREAT".equals(purpose.getValue())) {
            throw new InvalidRequestException("purpose must be ETREAT (emergency treatment / 救急対応)");
        }
        if (reason == null || reason.getValue() == null || reason.getValue().isBlank()) {
            throw new InvalidRequestException("reason (理由) is required: say why emergency access is needed");
        }
        String patient = id.getIdPart();
        StoredResource stored = store.read("Patient", patient);
        if (stored == null || stored.deleted()) {
            throw new ResourceNotFoundException("Patient/" + patient + " is not known");
        }
        Caller caller = guard.caller();
        Instant until = grants.grant(caller.subject(), patient, reason.getValue().trim());
        AccessRecord.breakGlass(patient);
        // Who was told is not the caller's business: whether a care manager exists is not emergency information.
        notice.send(patient, caller, guard.callerTokenName(), reason.getValue().trim(), until);

        Parameters out = new Parameters();
        out.addParameter().setName("patient").setValue(new Reference("Patient/" + patient));
        out.addParameter().setName("until").setValue(new InstantType(Date.from(until)));
        return out;
    }
}
