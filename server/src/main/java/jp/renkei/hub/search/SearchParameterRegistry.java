package jp.renkei.hub.search;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.fhirpath.IFhirPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceSearchParamComponent;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;

/**
 * What the hub serves, read once from the CapabilityStatement input in {@code fhir-profiles}:
 * the resource types, their interactions and the search parameters that are indexed. The same
 * definitions drive indexing on write, query parsing and {@code GET /fhir/metadata}, so what the
 * hub says it supports and what it does cannot drift apart.
 */
public final class SearchParameterRegistry {

    public static final String CAPABILITY_INPUT = "/renkei/CapabilityStatement-renkei-hub.json";
    public static final String HUB_DEFINED_BASE = "http://renkei.example.jp/fhir/SearchParameter/";

    /**
     * Parameters the hub defines where R4 has none, published as SearchParameter resources in the profiles
     * package: a document Bundle's patient is its Composition's subject (resolved inside the Bundle); a Provenance's
     * patient may also be named by R5's {@code Provenance.patient} (the signature record of a document does).
     */
    private record HubDefined(ParamKind kind, String path, Set<String> targets) {}

    private static final Map<String, HubDefined> HUB_DEFINED = Map.of(
            "Bundle-patient",
                    new HubDefined(
                            ParamKind.REFERENCE,
                            "Bundle.entry.first().resource.ofType(Composition).subject",
                            Set.of("Patient")),
            // R4's Provenance.patient is only a target that is a Patient; the signature record of a document names
            // the document's patient with R5's Provenance.patient (as a cross-version extension)
            "Provenance-patient",
                    new HubDefined(
                            ParamKind.REFERENCE,
                            "Provenance.target.where(resolve() is Patient)"
                                    + " | Provenance.extension('http://hl7.org/fhir/5.0/StructureDefinition/extension-Provenance.patient').value",
                            Set.of("Patient")));

    private final CapabilityStatement capabilityInput;
    private final Map<String, Map<String, SearchParamDef>> byType = new LinkedHashMap<>();

    public SearchParameterRegistry(FhirContext fhirContext) {
        this.capabilityInput = loadInput(fhirContext);
        IFhirPath fhirPath = fhirContext.newFhirPath();
        for (CapabilityStatementRestResourceComponent resource :
                capabilityInput.getRestFirstRep().getResource()) {
            String type = resource.getType();
            RuntimeResourceDefinition definition = fhirContext.getResourceDefinition(type);
            Map<String, SearchParamDef> params = new LinkedHashMap<>();
            for (CapabilityStatementRestResourceSearchParamComponent declared : resource.getSearchParam()) {
                SearchParamDef def = define(fhirPath, definition, declared.getName());
                params.put(def.name(), def);
                declared.setType(SearchParamType.fromCode(def.kind().name().toLowerCase(Locale.ROOT)));
                if (HUB_DEFINED.containsKey(type + "-" + def.name())) {
                    declared.setDefinition(HUB_DEFINED_BASE + type + "-" + def.name());
                } else if (!def.builtIn()) {
                    declared.setDefinition("http://hl7.org/fhir/SearchParameter/" + type + "-" + def.name());
                }
            }
            byType.put(type, Collections.unmodifiableMap(params));
            if (resource.getConditionalDelete() == CapabilityStatement.ConditionalDeleteStatus.MULTIPLE) {
                // several matches are a 412 (ResourceOperations.matchCondition); metadata must not promise more
                throw new IllegalStateException("CapabilityStatement input declares conditionalDelete 'multiple' for "
                        + type + ", which the hub does not implement (use 'single' or 'not-supported')");
            }
        }
    }

    private static SearchParamDef define(IFhirPath fhirPath, RuntimeResourceDefinition resource, String name) {
        String type = resource.getName();
        switch (name) {
            case "_id":
                return new SearchParamDef(name, ParamKind.TOKEN, null, null, Set.of());
            case "_lastUpdated":
                return new SearchParamDef(name, ParamKind.DATE, null, null, Set.of());
            default:
                break;
        }
        HubDefined hub = HUB_DEFINED.get(type + "-" + name);
        if (hub != null) {
            return parsed(fhirPath, type, name, hub.kind(), hub.path(), hub.targets());
        }
        RuntimeSearchParam param = resource.getSearchParam(name);
        if (param == null) {
            throw new IllegalStateException(
                    "CapabilityStatement input declares unknown search parameter " + type + "." + name);
        }
        ParamKind kind = switch (param.getParamType()) {
            case TOKEN -> ParamKind.TOKEN;
            case REFERENCE -> ParamKind.REFERENCE;
            case STRING -> ParamKind.STRING;
            case DATE -> ParamKind.DATE;
            default ->
                throw new IllegalStateException("Search parameter " + type + "." + name + " has type "
                        + param.getParamType() + ", which the hub does not index");
        };
        String path = String.join(" | ", param.getPathsSplitForResourceType(type));
        if (path.isBlank()) {
            throw new IllegalStateException("Search parameter " + type + "." + name + " has no FHIRPath for " + type);
        }
        return parsed(fhirPath, type, name, kind, path, Set.copyOf(param.getTargets()));
    }

    private static SearchParamDef parsed(
            IFhirPath fhirPath, String type, String name, ParamKind kind, String path, Set<String> targets) {
        try {
            return new SearchParamDef(name, kind, path, fhirPath.parse(path), targets);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot parse the FHIRPath of " + type + "." + name + ": " + path, e);
        }
    }

    private static CapabilityStatement loadInput(FhirContext fhirContext) {
        try (InputStream in = SearchParameterRegistry.class.getResourceAsStream(CAPABILITY_INPUT)) {
            if (in == null) {
                throw new IllegalStateException(
                        CAPABILITY_INPUT + " is missing from the classpath (module fhir-profiles)");
            }
            return fhirContext
                    .newJsonParser()
                    .parseResource(CapabilityStatement.class, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + CAPABILITY_INPUT, e);
        }
    }

    /** The input CapabilityStatement with search parameter types and definitions filled in. */
    public CapabilityStatement capabilityInput() {
        return capabilityInput;
    }

    public Set<String> resourceTypes() {
        return Collections.unmodifiableSet(byType.keySet());
    }

    public boolean isReadOnly(String type) {
        return capabilityInput.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals(type))
                .flatMap(r -> r.getInteraction().stream())
                .noneMatch(i -> i.getCode() == CapabilityStatement.TypeRestfulInteraction.CREATE);
    }

    /** Whether the input declares conditional delete ({@code conditionalDelete: single}) for the type. */
    public boolean conditionalDelete(String type) {
        return capabilityInput.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals(type))
                .anyMatch(r -> r.getConditionalDelete() == CapabilityStatement.ConditionalDeleteStatus.SINGLE);
    }

    public Collection<SearchParamDef> params(String type) {
        return byType.getOrDefault(type, Map.of()).values();
    }

    public SearchParamDef param(String type, String name) {
        return byType.getOrDefault(type, Map.of()).get(name);
    }

    public String supportedNames(String type) {
        return params(type).stream().map(SearchParamDef::name).sorted().collect(Collectors.joining(", "));
    }

    public List<SearchParamDef> indexedParams(String type) {
        return params(type).stream().filter(p -> !p.builtIn()).toList();
    }
}
