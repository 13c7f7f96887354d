package jp.renkei.hub.sign;

import static jp.renkei.hub.sign.HealthcareRole.Qualification.CARE_MANAGER;
import static jp.renkei.hub.sign.HealthcareRole.Qualification.MEDICAL_DOCTOR;
import static jp.renkei.hub.sign.HealthcareRole.Qualification.NURSE;
import static jp.renkei.hub.sign.HealthcareRole.Qualification.SOCIAL_WORKER;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import jp.renkei.hub.validation.ProfileValidation;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;

/**
 * The documents the hub keeps only signed, and who may sign each. A record is of a kind by what it is (the profile
 * the hub holds it to), whatever it claims, so leaving out a profile claim does not leave out the signature.
 */
enum SignedKind {

    /** 退院時情報提供書: written by the ward's physician, nurse or MSW. */
    DISCHARGE_HANDOFF(
            "退院時情報提供書",
            ProfileValidation.DISCHARGE_HANDOFF_BUNDLE,
            SignatureElements.AUTHOR,
            true,
            Set.of(MEDICAL_DOCTOR, NURSE, SOCIAL_WORKER)),
    /** 緊急時連絡票: kept by the home doctor, the visiting nurse or the care manager. */
    EMERGENCY_SHEET(
            "緊急時連絡票",
            ProfileValidation.EMERGENCY_SHEET_BUNDLE,
            SignatureElements.AUTHOR,
            true,
            Set.of(MEDICAL_DOCTOR, NURSE, CARE_MANAGER)),
    /** 事前指示書: the patient's wishes, witnessed by a physician; only the witness's signature will do. */
    ADVANCE_DIRECTIVE(
            "事前指示書",
            ProfileValidation.ADVANCE_DIRECTIVE,
            SignatureElements.CONSENT_WITNESS,
            false,
            Set.of(MEDICAL_DOCTOR)),
    /** 主治医・ケアマネジャー連絡票の回答: the physician's answer. */
    CONTACT_FORM_ANSWER(
            "連絡票への主治医の回答",
            ProfileValidation.CONTACT_FORM_ANSWER,
            SignatureElements.AUTHOR,
            true,
            Set.of(MEDICAL_DOCTOR));

    private final String japanese;
    private final String profile;
    private final String signatureType;
    private final boolean sealable;
    private final Set<HealthcareRole.Qualification> signers;

    SignedKind(
            String japanese,
            String profile,
            String signatureType,
            boolean sealable,
            Set<HealthcareRole.Qualification> signers) {
        this.japanese = japanese;
        this.profile = profile;
        this.signatureType = signatureType;
        this.sealable = sealable;
        this.signers = signers;
    }

    public static Optional<SignedKind> of(Resource resource) {
        String profile = ProfileValidation.profileFor(resource);
        return Arrays.stream(values()).filter(k -> k.profile.equals(profile)).findFirst();
    }

    public String japanese() {
        return japanese;
    }

    /** The ASTM signature type the sender's signature must declare. */
    public String signatureType() {
        return signatureType;
    }

    /** Whether the hub may seal it for an author who cannot sign (an advance directive needs its witness). */
    public boolean sealable() {
        return sealable;
    }

    public Set<HealthcareRole.Qualification> signers() {
        return signers;
    }

    /** The Provenance agent type that fits a signature: its author, the witness who attested, or the custodian. */
    public static CodeableConcept agentType(Signature signature) {
        String code = SignatureElements.isOfType(signature, SignatureElements.CONSENT_WITNESS)
                ? "attester"
                : SignatureElements.isOfType(signature, SignatureElements.SOURCE) ? "custodian" : "author";
        String display = switch (code) {
            case "attester" -> "Attester";
            case "custodian" -> "Custodian";
            default -> "Author";
        };
        return new CodeableConcept(
                new Coding("http://terminology.hl7.org/CodeSystem/provenance-participant-type", code, display));
    }
}
