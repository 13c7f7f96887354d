package jp.renkei.hub.fhir;

import java.util.Map;

/**
 * What a client's search means beyond the values it names, worked out before the query is parsed: an
 * organisation's inbox ({@code Task?owner=Organization/…}) takes in what is addressed to its people. The records
 * found are still shown only to those who may read each one.
 */
public interface SearchExpansion {

    /** The parameters to search with: {@code parameters} itself when this expansion does not apply. */
    Map<String, String[]> expand(String type, Map<String, String[]> parameters);
}
