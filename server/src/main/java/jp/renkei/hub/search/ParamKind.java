package jp.renkei.hub.search;

/** The FHIR search parameter types the hub indexes. */
public enum ParamKind {
    TOKEN,
    REFERENCE,
    STRING,
    DATE
}
