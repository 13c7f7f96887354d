package jp.renkei.hub.consent;

import java.util.Date;
import java.util.Set;

/**
 * What a patient's Consents say about one access.
 *
 * <p>{@link Request} describes the access: who (their FHIR references: Practitioner, PractitionerRole,
 * Organization, RelatedPerson and the CareTeams they belong to; their profession codes), what (resource
 * type, care-document or care-topic kind, the date the record is about), why (purpose of use, a
 * v3-ActReason code such as TREAT or ETREAT) and when.
 */
public enum ConsentDecision {
    PERMIT,
    DENY,
    NOT_APPLICABLE;

    public record Request(
            Set<String> actors,
            Set<String> professions,
            String resourceType,
            String kind,
            Date dataDate,
            String purpose,
            Date now) {}
}
