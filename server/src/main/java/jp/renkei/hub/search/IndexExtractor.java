package jp.renkei.hub.search;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.fhirpath.IFhirPathEvaluationContext;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.bson.Document;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Timing;

/**
 * Computes the search index of a resource on write: for every supported parameter, the values a
 * query compares against, in the forms {@link SearchMatcher} expects. Tokens are kept as
 * {@code code}, {@code system|code}, {@code system|} and {@code |code} so every FHIR token form is an
 * exact comparison; references as {@code Type/id}; strings normalised; dates as [low, high] ranges.
 */
public final class IndexExtractor {

    private final SearchParameterRegistry registry;
    private final IFhirPath fhirPath;
    private final ZoneId zone;

    public IndexExtractor(FhirContext fhirContext, SearchParameterRegistry registry, ZoneId zone) {
        this.registry = registry;
        this.zone = zone;
        this.fhirPath = fhirContext.newFhirPath();
        // "where(resolve() is Patient)" only needs the referenced type, which the reference itself carries.
        this.fhirPath.setEvaluationContext(new IFhirPathEvaluationContext() {
            @Override
            public IBase resolveReference(IIdType reference, IBase context) {
                if (!reference.hasResourceType()) {
                    return null;
                }
                IBaseResource stub = fhirContext
                        .getResourceDefinition(reference.getResourceType())
                        .newInstance();
                stub.setId(reference.toUnqualifiedVersionless());
                return stub;
            }
        });
    }

    public Document extract(IBaseResource resource) {
        String type = resource.fhirType();
        Document index = new Document();
        Map<String, String> inside = entriesByFullUrl(resource);
        for (SearchParamDef param : registry.indexedParams(type)) {
            List<IBase> values = fhirPath.evaluate(resource, param.expression(), IBase.class);
            Set<Object> seen = new LinkedHashSet<>();
            Set<Object> exact = new LinkedHashSet<>();
            for (IBase value : values) {
                switch (param.kind()) {
                    case TOKEN -> tokens(value, seen);
                    case REFERENCE -> reference(value, seen, inside);
                    case STRING -> {
                        strings(value, text -> seen.add(TextNormalizer.normalize(text)));
                        strings(value, exact::add);
                    }
                    case DATE -> dates(value, seen);
                    default -> throw new IllegalStateException(param.kind().name());
                }
            }
            if (!seen.isEmpty()) {
                index.append(param.name(), new ArrayList<>(seen));
            }
            if (!exact.isEmpty()) {
                index.append(exactField(param.name()), new ArrayList<>(exact));
            }
        }
        return index;
    }

    /** The {@code Type/id} references a reference parameter of the resource's type extracts from it. */
    public List<String> references(IBaseResource resource, String paramName) {
        SearchParamDef param = registry.param(resource.fhirType(), paramName);
        if (param == null || param.kind() != ParamKind.REFERENCE) {
            return List.of();
        }
        Set<Object> seen = new LinkedHashSet<>();
        Map<String, String> inside = entriesByFullUrl(resource);
        for (IBase value : fhirPath.evaluate(resource, param.expression(), IBase.class)) {
            reference(value, seen, inside);
        }
        return seen.stream().map(String.class::cast).toList();
    }

    private static void tokens(IBase value, Set<Object> out) {
        if (value instanceof Identifier id) {
            token(id.getSystem(), id.getValue(), out);
        } else if (value instanceof CodeableConcept cc) {
            cc.getCoding().forEach(c -> token(c.getSystem(), c.getCode(), out));
        } else if (value instanceof Coding c) {
            token(c.getSystem(), c.getCode(), out);
        } else if (value instanceof ContactPoint cp) {
            token(null, cp.getValue(), out);
        } else if (value instanceof Enumeration<?> e) {
            token(e.getSystem(), e.getValueAsString(), out);
        } else if (value instanceof PrimitiveType<?> p) {
            token(null, p.getValueAsString(), out);
        }
    }

    /** Adds the exact-match keys of one token; see the class comment for the forms. */
    public static void token(String system, String code, Set<Object> out) {
        boolean hasSystem = system != null && !system.isEmpty();
        if (code != null && !code.isEmpty()) {
            out.add(code);
            out.add(hasSystem ? system + "|" + code : "|" + code);
        }
        if (hasSystem) {
            out.add(system + "|");
        }
    }

    /**
     * Inside a Bundle, a reference to another entry by its {@code urn:} {@code fullUrl} ({@code urn:uuid:…})
     * means that entry's resource: {@code Type/id} when the entry's resource has an id. A RESTful fullUrl is
     * not resolved this way: the reference itself ({@code Patient/123}) already names the record, and an entry
     * whose id disagreed with it must not redirect the label to another patient.
     */
    private static Map<String, String> entriesByFullUrl(IBaseResource resource) {
        if (!(resource instanceof Bundle bundle)) {
            return Map.of();
        }
        Map<String, String> byFullUrl = new HashMap<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.hasFullUrl()
                    && entry.getFullUrl().startsWith("urn:")
                    && entry.getResource() != null
                    && entry.getResource().getIdElement().hasIdPart()) {
                byFullUrl.put(
                        entry.getFullUrl(),
                        entry.getResource().fhirType() + "/"
                                + entry.getResource().getIdElement().getIdPart());
            }
        }
        return byFullUrl;
    }

    private static void reference(IBase value, Set<Object> out, Map<String, String> inside) {
        if (value instanceof Reference ref && ref.hasReference() && inside.containsKey(ref.getReference())) {
            out.add(inside.get(ref.getReference()));
        } else if (value instanceof Reference ref && ref.hasReference()) {
            out.add(referenceKey(ref.getReferenceElement()));
        } else if (value instanceof PrimitiveType<?> canonical && canonical.hasValue()) {
            out.add(canonical.getValueAsString());
        }
    }

    /**
     * "Type/id" for relative references; absolute URLs and {@code urn:} references stay as written,
     * because a resource on another server is not the local resource with the same id.
     */
    public static String referenceKey(IIdType ref) {
        if (ref.hasResourceType()
                && ref.hasIdPart()
                && !ref.hasBaseUrl()
                && !ref.getValue().startsWith("urn:")) {
            return ref.getResourceType() + "/" + ref.getIdPart();
        }
        return ref.getValue();
    }

    /** Where the as-written values of a string parameter are kept, for {@code :exact}. */
    public static String exactField(String param) {
        return param + ":exact";
    }

    /** Every searchable text of a string value, as written. */
    private static void strings(IBase value, Consumer<String> out) {
        if (value instanceof HumanName name) {
            add(name.getFamily(), out);
            name.getGiven().forEach(g -> add(g.getValue(), out));
            name.getPrefix().forEach(p -> add(p.getValue(), out));
            name.getSuffix().forEach(s -> add(s.getValue(), out));
            add(name.getText(), out);
            if (name.hasFamily() && name.hasGiven()) {
                // Japanese users type a full name with or without the space: 山田太郎 / 山田 太郎
                String given = name.getGivenAsSingleString();
                add(name.getFamily() + given.replace(" ", ""), out);
                add(name.getFamily() + " " + given, out);
            }
        } else if (value instanceof Address a) {
            a.getLine().forEach(l -> add(l.getValue(), out));
            add(a.getCity(), out);
            add(a.getDistrict(), out);
            add(a.getState(), out);
            add(a.getPostalCode(), out);
            add(a.getCountry(), out);
            add(a.getText(), out);
        } else if (value instanceof PrimitiveType<?> p) {
            add(p.getValueAsString(), out);
        }
    }

    private static void add(String text, Consumer<String> out) {
        if (text != null && !text.isBlank()) {
            out.accept(text);
        }
    }

    private void dates(IBase value, Set<Object> out) {
        if (value instanceof BaseDateTimeType dt && dt.hasValue()) {
            out.add(range(DateRange.parse(dt.getValueAsString(), zone)));
        } else if (value instanceof Period p) {
            long low = p.hasStart()
                    ? DateRange.parse(p.getStartElement().getValueAsString(), zone)
                            .low()
                    : DateRange.MIN;
            long high = p.hasEnd()
                    ? DateRange.parse(p.getEndElement().getValueAsString(), zone)
                            .high()
                    : DateRange.MAX;
            if (p.hasStart() || p.hasEnd()) {
                out.add(List.of(low, high));
            }
        } else if (value instanceof Timing t) {
            t.getEvent().forEach(e -> dates(e, out));
        }
    }

    private static List<Long> range(DateRange r) {
        return List.of(r.low(), r.high());
    }
}
