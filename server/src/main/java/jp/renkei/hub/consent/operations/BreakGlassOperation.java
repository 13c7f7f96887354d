package jp.renkei.hub.consent.operations;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.consent.BreakGlassGrants;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST /fhir/Patient/{id}/$break-glass} (or {@code POST /fhir/Patient/$break-glass} naming the patient by name and
 * birth date) with {@code purpose = ETREAT} and a {@code reason}:
 * an ambulance crew member or physician opens this patient's emergency information without consent
 * or care-team membership, for a limited time (relation {@code break-glass} in the access policy).
 * The declaration and every read under it are audited with purpose "emergency treatment", and the
 * patient's care managers and the authors of the emergency documents are told.
 */
public final class BreakGlassOperation implements OperationProvider {

    private final AccessGuard guard;
    private final Records records;
    private final BreakGlassGrants grants;
    private final BreakGlassNotice notice;
    private final EmergencyPatientMatch matches;

    private static final String NOT_ALLOWED = "緊急時アクセスは救急隊・医師のみ (only ems and physicians may declare an emergency)";

    public BreakGlassOperation(
            AccessGuard guard,
            Records records,
            BreakGlassGrants grants,
            BreakGlassNotice notice,
            SearchExecutor searches) {
        this.guard = guard;
        this.records = records;
        this.grants = grants;
        this.notice = notice;
        this.matches = new EmergencyPatientMatch(searches, records);
    }

    @Operation(name = "$break-glass", type = Patient.class)
    public Parameters declare(
            @IdParam IdType id,
            @OperationParam(name = "purpose", min = 1, max = 1) CodeType purpose,
            @OperationParam(name = "reason", min = 1, max = 1) StringType reason) {
        if (!guard.mayBreakGlass()) {
            AccessRecord.refused(java.util.List.of(id.getIdPart()));
            throw new ForbiddenOperationException(NOT_ALLOWED);
        }
        checkPurposeAndReason(purpose, reason);
        String patient = id.getIdPart();
        StoredResource stored = records.read("Patient", patient);
        if (stored == null || stored.deleted()) {
            throw new ResourceNotFoundException("Patient/" + patient + " is not known");
        }
        return grant(patient, reason);
    }

    /**
     * {@code POST /fhir/Patient/$break-glass}: the crew names the patient (full name in kanji or kana and birth date, and
     * when that is not enough part of the address or the phone number) instead of an id they cannot know, since they may
     * read no patient before declaring. Exactly one match is granted; none is a 404, several a 412 that asks for more
     * and names nobody. Every attempt is audited as an emergency access attempt, with what was asked.
     */
    @Operation(name = "$break-glass", type = Patient.class)
    public Parameters declareByName(
            @OperationParam(name = "name", min = 1, max = 1) StringType name,
            @OperationParam(name = "birthDate", min = 1, max = 1) DateType birthDate,
            @OperationParam(name = "address", max = 1) StringType address,
            @OperationParam(name = "phone", max = 1) StringType phone,
            @OperationParam(name = "purpose", min = 1, max = 1) CodeType purpose,
            @OperationParam(name = "reason", min = 1, max = 1) StringType reason) {
        if (!guard.mayBreakGlass()) {
            AccessRecord.refused(java.util.List.of());
            throw new ForbiddenOperationException(NOT_ALLOWED);
        }
        checkPurposeAndReason(purpose, reason);
        if (name == null || name.getValue() == null || name.getValue().isBlank()) {
            throw new InvalidRequestException(
                    "氏名（name）を入力してください。漢字またはカナの姓と名 (name is required: family and given name in kanji or kana)");
        }
        if (birthDate == null
                || birthDate.getValue() == null
                || birthDate.getPrecision() != TemporalPrecisionEnum.DAY) {
            throw new InvalidRequestException(
                    "生年月日（birthDate）を年月日まで入力してください (birthDate is required as a full date YYYY-MM-DD)");
        }
        String narrowed = (address != null
                                && address.getValue() != null
                                && !address.getValue().isBlank())
                        || (phone != null
                                && phone.getValue() != null
                                && !phone.getValue().isBlank())
                ? "（住所・電話番号も含めて）"
                : "";
        List<String> found = matches.find(
                name.getValue(),
                birthDate.getValueAsString(),
                address == null ? null : address.getValue(),
                phone == null ? null : phone.getValue());
        AccessRecord.breakGlassAttempt(
                found,
                "Patient/$break-glass?birthDate=" + birthDate.getValueAsString()
                        + "&name=" + name.getValue().trim()
                        + (address != null && address.getValue() != null
                                ? "&address=" + address.getValue().trim()
                                : "")
                        + (phone != null && phone.getValue() != null
                                ? "&phone=" + phone.getValue().trim()
                                : ""));
        if (found.isEmpty()) {
            throw new ResourceNotFoundException("氏名と生年月日" + narrowed + "が一致する患者は登録されていません。氏名（姓と名）と生年月日を"
                    + "確かめてください (no patient has this full name and birth date)");
        }
        if (found.size() > 1) {
            OperationOutcome outcome = new OperationOutcome();
            String diagnostics = "氏名と生年月日" + narrowed + "が同じ患者が複数登録されているため、一人に特定できません。住所の一部（address）"
                    + "または電話番号（phone）を加えて、もう一度宣言してください (more than one patient matches: add part of the address "
                    + "or the phone number)";
            outcome.addIssue()
                    .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.MULTIPLEMATCHES)
                    .setDiagnostics(diagnostics);
            throw new PreconditionFailedException(diagnostics, outcome);
        }
        return grant(found.get(0), reason);
    }

    private static void checkPurposeAndReason(CodeType purpose, StringType reason) {
        if (purpose == null || !"ETREAT".equals(purpose.getValue())) {
            throw new InvalidRequestException("purpose must be ETREAT (emergency treatment / 救急対応)");
        }
        if (reason == null || reason.getValue() == null || reason.getValue().isBlank()) {
            throw new InvalidRequestException("reason (理由) is required: say why emergency access is needed");
        }
    }

    private Parameters grant(String patient, StringType reason) {
        Caller caller = guard.caller();
        Instant until =
                grants.grant(caller.subject(), patient, reason.getValue().trim());
        AccessRecord.breakGlass(patient);
        // Who was told is not the caller's business: whether a care manager exists is not emergency information.
        notice.send(patient, caller, caller.name(), reason.getValue().trim(), until);

        Parameters out = new Parameters();
        out.addParameter().setName("patient").setValue(new Reference("Patient/" + patient));
        out.addParameter().setName("until").setValue(new InstantType(Date.from(until)));
        return out;
    }
}
