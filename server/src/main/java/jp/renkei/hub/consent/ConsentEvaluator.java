package jp.renkei.hub.consent;

import java.util.Date;
import java.util.List;
import jp.renkei.hub.context.Caller;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Period;

/**
 * Evaluates a patient's privacy Consents for one access, following the FHIR R4 Consent model: a
 * Consent counts only while {@code active} with scope {@code patient-privacy}; its root provision
 * states the rule and nested provisions the exceptions to it, each applying only when every
 * criterion it names matches (actor, profession, class, code, period, dataPeriod, purpose, action).
 * Among several applicable Consents, or sibling exceptions, a deny wins. No applicable Consent
 * means {@link ConsentDecision#NOT_APPLICABLE}, which the caller treats as no permission.
 */
public final class ConsentEvaluator {

    static final String SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope";

    private ConsentEvaluator() {}

    public static ConsentDecision decide(List<Consent> consents, ConsentDecision.Request request) {
        boolean permitted = false;
        for (Consent consent : consents) {
            ConsentDecision decision = evaluate(consent, request);
            if (decision == ConsentDecision.DENY) {
                return ConsentDecision.DENY;
            }
            permitted |= decision == ConsentDecision.PERMIT;
        }
        return permitted ? ConsentDecision.PERMIT : ConsentDecision.NOT_APPLICABLE;
    }

    static ConsentDecision evaluate(Consent consent, ConsentDecision.Request request) {
        if (consent.getStatus() != Consent.ConsentState.ACTIVE || !isPrivacy(consent)) {
            return ConsentDecision.NOT_APPLICABLE;
        }
        if (!consent.hasProvision()) {
            return ConsentDecision.NOT_APPLICABLE;
        }
        // A root provision without a type states no rule of its own; its exceptions still do.
        ConsentDecision decision = evaluate(consent.getProvision(), request, ConsentDecision.NOT_APPLICABLE);
        return decision == null ? ConsentDecision.NOT_APPLICABLE : decision;
    }

    /** The decision of this provision and its exceptions, or null when it does not apply. */
    private static ConsentDecision evaluate(
            ProvisionComponent provision, ConsentDecision.Request request, ConsentDecision inherited) {
        if (!applies(provision, request)) {
            return null;
        }
        ConsentDecision decision = provision.hasType()
                ? (provision.getType() == ConsentProvisionType.PERMIT ? ConsentDecision.PERMIT : ConsentDecision.DENY)
                : inherited;
        ConsentDecision exception = null;
        for (ProvisionComponent nested : provision.getProvision()) {
            ConsentDecision d = evaluate(nested, request, decision);
            if (d == ConsentDecision.DENY) {
                exception = ConsentDecision.DENY;
            } else if (d != null && exception == null) {
                exception = d;
            }
        }
        return exception != null ? exception : decision;
    }

    private static boolean applies(ProvisionComponent p, ConsentDecision.Request r) {
        boolean deny = p.hasType() && p.getType() == ConsentProvisionType.DENY;
        return within(p.getPeriod(), r.now(), false)
                && (!p.hasDataPeriod() || within(p.getDataPeriod(), r.dataDate(), deny))
                && (!p.hasActor() || p.getActor().stream().anyMatch(a -> actorMatches(a, r)))
                && (!p.hasClass_()
                        || p.getClass_().stream().anyMatch(c -> r.resourceType().equals(c.getCode())))
                && (!p.hasCode()
                        || (r.kind() != null && p.getCode().stream().anyMatch(c -> hasCode(c, null, r.kind()))))
                && (!p.hasPurpose()
                        || (r.purpose() != null
                                && p.getPurpose().stream()
                                        .anyMatch(c -> r.purpose().equals(c.getCode()))))
                && (!p.hasAction()
                        || p.getAction().stream().anyMatch(a -> hasCode(a, null, "access") || hasCode(a, null, "use")));
    }

    /**
     * An actor names the caller by reference (their Practitioner, PractitionerRole, Organization,
     * RelatedPerson or a CareTeam they are in); a profession code in {@code role} narrows it to that
     * profession; an actor with only a profession code names everyone of that profession.
     */
    private static boolean actorMatches(Consent.provisionActorComponent actor, ConsentDecision.Request r) {
        String reference = actor.getReference().getReference();
        List<String> professions = actor.getRole().getCoding().stream()
                .filter(c -> Caller.PROFESSION_SYSTEM.equals(c.getSystem()))
                .map(Coding::getCode)
                .toList();
        if (reference == null && professions.isEmpty()) {
            return false;
        }
        boolean named = reference == null || r.actors().contains(reference);
        boolean ofProfession = professions.isEmpty() || professions.stream().anyMatch(r.professions()::contains);
        return named && ofProfession;
    }

    /** Whether the moment lies in the period; an unknown moment counts as inside only when {@code unknownInside}. */
    private static boolean within(Period period, Date moment, boolean unknownInside) {
        if (period == null || period.isEmpty()) {
            return true;
        }
        if (moment == null) {
            return unknownInside;
        }
        return (!period.hasStart() || !moment.before(period.getStart()))
                && (!period.hasEnd() || !moment.after(period.getEnd()));
    }

    /** Whether the Consent is about sharing the patient's information (scope {@code patient-privacy}). */
    public static boolean isPrivacy(Consent consent) {
        return hasCode(consent.getScope(), SCOPE_SYSTEM, "patient-privacy");
    }

    private static boolean hasCode(CodeableConcept concept, String system, String code) {
        return concept.getCoding().stream()
                .anyMatch(c -> code.equals(c.getCode()) && (system == null || system.equals(c.getSystem())));
    }
}
