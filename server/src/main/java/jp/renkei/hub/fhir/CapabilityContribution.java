package jp.renkei.hub.fhir;

import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * A capability outside the CapabilityStatement input (a resource type served by its own provider,
 * such as Subscription) that describes itself in {@code GET /fhir/metadata}.
 */
public interface CapabilityContribution {

    /** The resource type this contribution serves; kept in the statement although the input does not list it. */
    String resourceType();

    /** Completes what HAPI generated for that type (and anything else the capability adds). */
    void contribute(CapabilityStatement statement);
}
