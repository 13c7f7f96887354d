package jp.renkei.hub.search;

import ca.uhn.fhir.fhirpath.IFhirPath;
import java.util.Set;

/**
 * One supported search parameter of one resource type: its FHIR name and type, the FHIRPath
 * expression that extracts its values, and, for references, the resource types it may point to.
 * {@code expression} is null for the built-in {@code _id} and {@code _lastUpdated}, which come
 * from the stored record rather than from the resource body.
 */
public record SearchParamDef(
        String name, ParamKind kind, String path, IFhirPath.IParsedExpression expression, Set<String> targets) {

    public boolean builtIn() {
        return expression == null;
    }

    /** Reference and identifier values are exact keys, so the store keeps point-lookup buckets for them. */
    public boolean bucketed() {
        return kind == ParamKind.REFERENCE || name.equals("identifier");
    }
}
