package jp.renkei.hub.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.context.support.ValueSetExpansionOptions;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.fhirpath.ExpressionNode;
import org.hl7.fhir.r4.fhirpath.FHIRPathEngine;
import org.hl7.fhir.r4.hapi.ctx.HapiWorkerContext;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.ElementDefinition.ConstraintSeverity;
import org.hl7.fhir.r4.model.Enumerations.BindingStrength;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * Base R4's rules for each type, compiled once from its definition (cardinalities, the types of choice elements and
 * references, the format of each primitive type, required bindings as sets of codes, invariants as parsed FHIRPath),
 * and checked over the resource the server has already parsed. It answers one question: is this resource certainly
 * valid against base R4? Only a resource that claims no profile gets asked, and a "no" means "not sure": the full
 * validator ({@link ValidatorPool}) then decides, and what the client is told always comes from it. So this check may
 * be stricter than the validator (anything it does not model, such as extensions, contained resources, narrative or
 * a code system it cannot ask, sends the resource to the validator), never more lenient ({@code
 * PrecompiledBaseRulesTest} holds it to that over every mutation of a corpus of records). It exists for speed: the
 * full validator interprets the definitions for every element of every write, about ten times the cost of this.
 */
final class PrecompiledBaseRules {

    private static final String REGEX = "http://hl7.org/fhir/StructureDefinition/regex";
    private static final String R4 = "http://hl7.org/fhir/StructureDefinition/";
    /** Invariants checked here in code rather than by FHIRPath, or only where this check sends the resource on anyway. */
    private static final Set<String> NOT_BY_FHIRPATH = Set.of(
            "ele-1", // an element has a value or children: checked as the tree is walked
            "ext-1", // extensions: any sends the resource to the validator
            "dom-2", "dom-3", "dom-4", "dom-5", // contained resources: likewise
            "dom-6", "txt-1", "txt-2", // narrative: likewise (dom-6 is a best-practice rule the hub does not apply)
            "ref-1"); // a reference to a contained resource: only Type/id references are taken here

    private static final Pattern RELATIVE_REFERENCE = Pattern.compile("([A-Z][A-Za-z]+)/[A-Za-z0-9\\-.]{1,64}");
    private static final Pattern ABSOLUTE_URI = Pattern.compile("https?://[^\\s]+|urn:oid:[0-2](\\.(0|[1-9][0-9]*))+"
            + "|urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Namespaces whose code systems the validator knows by name: a system there the hub does not hold is suspect. */
    private static final List<String> HL7_NAMESPACES = List.of("http://hl7.org/fhir/", "http://terminology.hl7.org/");

    private static final int CODINGS_REMEMBERED = 10_000;

    private final IValidationSupport support;
    private final ThreadLocal<FHIRPathEngine> fhirPath;
    private final Map<String, Node> types = new ConcurrentHashMap<>();
    private final Map<String, Pattern> primitiveFormats = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> requiredCodes = new ConcurrentHashMap<>();
    /** system|code|display → whether the hub's terminology says so without a doubt; bounded, the terminology never changes. */
    private final Map<String, Boolean> codings = new ConcurrentHashMap<>();

    PrecompiledBaseRules(FhirContext fhirContext, IValidationSupport support) {
        this.support = support;
        HapiWorkerContext worker = new HapiWorkerContext(fhirContext, support);
        this.fhirPath = ThreadLocal.withInitial(() -> new FHIRPathEngine(worker));
    }

    /** Whether base R4 certainly holds for {@code resource}; false when it does not or when this check cannot tell. */
    boolean certainlyValid(Resource resource) {
        if (resource instanceof Bundle
                || resource.getMeta().hasProfile()
                || resource.hasImplicitRules()
                || resource.hasLanguage()) {
            return false;
        }
        if (resource instanceof DomainResource domain && (domain.hasText() || domain.hasContained())) {
            return false;
        }
        if (resource.getIdElement().hasIdPart()
                && !primitive(resource.getIdElement().getIdPart(), "id")) {
            return false;
        }
        Node node = type(resource.fhirType());
        try {
            return node != null && complex(resource, resource, node, List.of());
        } catch (RuntimeException notSure) {
            return false;
        }
    }

    /** One element of a definition: its cardinality, types, binding and invariants, and its children when it has them. */
    private record Child(
            String name,
            int min,
            int max,
            Set<String> types,
            Set<String> targets,
            BindingStrength strength,
            String valueSet,
            List<ExpressionNode> invariants,
            Node children) {}

    /** The children an element may have (by name, {@code value[x]} as written in the definition) and its own invariants. */
    private static final class Node {
        final Map<String, Child> children = new HashMap<>();
        final List<ExpressionNode> invariants = new ArrayList<>();
    }

    private boolean complex(Resource root, Base element, Node node, List<ExpressionNode> invariants) {
        int present = 0;
        for (Property property : element.children()) {
            List<Base> values = nonEmpty(property.getValues());
            String name = property.getName();
            if (name.equals("extension") || name.equals("modifierExtension")) {
                if (!values.isEmpty()) {
                    return false;
                }
                continue;
            }
            if (name.equals("id") && element instanceof Resource) {
                continue; // its format is checked by certainlyValid (the parsed id may be a whole URL)
            }
            if (name.equals("id")) {
                // an element's id is a plain string; it alone does not make the element present (ele-1)
                if (!values.isEmpty() && !primitive(((PrimitiveType<?>) values.get(0)).getValueAsString(), "string")) {
                    return false;
                }
                continue;
            }
            Child child = node.children.get(name);
            if (child == null) {
                if (values.isEmpty()) {
                    continue;
                }
                return false;
            }
            if (values.size() < child.min() || (child.max() >= 0 && values.size() > child.max())) {
                return false;
            }
            for (Base value : values) {
                if (!value(root, value, child)) {
                    return false;
                }
            }
            present += values.size();
        }
        if (present == 0 && !(element instanceof Resource)) {
            return false; // ele-1: only an id, or nothing
        }
        return holds(root, element, node.invariants) && holds(root, element, invariants);
    }

    private boolean value(Resource root, Base value, Child child) {
        String type = value.fhirType();
        if (child.children() == null && !child.types().contains(type)) {
            return false;
        }
        if (value instanceof Resource) {
            return false; // a resource inside a resource: the validator's
        }
        if (value instanceof PrimitiveType<?> primitive) {
            if (primitive.hasExtension() || primitive.getValueAsString() == null) {
                return false;
            }
            if (!primitive(primitive.getValueAsString(), type)) {
                return false;
            }
            if (child.strength() == BindingStrength.REQUIRED
                    && type.equals("code")
                    && !inValueSet(child.valueSet(), null, primitive.getValueAsString())) {
                return false;
            }
            if (child.name().equals("system")
                    && type.equals("uri")
                    && !ABSOLUTE_URI.matcher(primitive.getValueAsString()).matches()) {
                return false; // an identifier's or quantity's system is an absolute URI
            }
            return holds(root, value, child.invariants());
        }
        if (!bound(value, child) || !terminology(value)) {
            return false;
        }
        if (value instanceof Reference reference && !referenceType(reference, child.targets())) {
            return false;
        }
        Node node = child.children() != null ? child.children() : type(type);
        return node != null && complex(root, value, node, child.invariants());
    }

    /** A required binding holds when a coding is in the value set; an extensible one too (else the validator judges). */
    private boolean bound(Base value, Child child) {
        if (child.strength() != BindingStrength.REQUIRED && child.strength() != BindingStrength.EXTENSIBLE) {
            return true;
        }
        List<Coding> codings = value instanceof CodeableConcept concept
                ? concept.getCoding()
                : value instanceof Coding coding ? List.of(coding) : null;
        if (codings == null) {
            return value instanceof Quantity ? child.strength() == BindingStrength.EXTENSIBLE : false;
        }
        return codings.stream()
                .anyMatch(
                        c -> c.hasSystem() && c.hasCode() && inValueSet(child.valueSet(), c.getSystem(), c.getCode()));
    }

    /**
     * Whether the code is in the value set: by its expansion when the hub can expand it, else (a value set over a system
     * too large to expand, such as the MIME types of a required binding) by asking the hub's terminology, remembered.
     */
    private boolean inValueSet(String valueSet, String system, String code) {
        Set<String> codes = codes(valueSet);
        if (!codes.isEmpty()) {
            return codes.contains((system == null ? "" : system) + "|" + code);
        }
        String key = valueSet + "#" + system + "|" + code;
        Boolean known = codings.get(key);
        if (known == null) {
            IValidationSupport.CodeValidationResult result = support.validateCode(
                    new ValidationSupportContext(support),
                    new ConceptValidationOptions().setInferSystem(system == null),
                    system,
                    code,
                    null,
                    valueSet);
            known = result != null
                    && result.isOk()
                    && (result.getIssues() == null || result.getIssues().isEmpty());
            if (codings.size() < CODINGS_REMEMBERED) {
                codings.put(key, known);
            }
        }
        return known;
    }

    /** Each coding (and a Quantity's unit code) is known to the terminology the hub holds, or from a system it cannot check. */
    private boolean terminology(Base value) {
        if (value instanceof Coding coding) {
            return coding(coding.getSystem(), coding.getCode(), coding.getDisplay()) && !coding.hasVersion();
        }
        if (value instanceof Quantity quantity && quantity.hasSystem()) {
            return coding(quantity.getSystem(), quantity.getCode(), null);
        }
        return true; // a CodeableConcept's codings are visited as its children
    }

    private boolean coding(String system, String code, String display) {
        if (system == null) {
            return true; // a code without a system means nothing; the validator warns at most
        }
        String key = system + "|" + code + "|" + display;
        Boolean known = codings.get(key);
        if (known == null) {
            known = ask(system, code, display);
            if (codings.size() < CODINGS_REMEMBERED) {
                codings.put(key, known);
            }
        }
        return known;
    }

    private boolean ask(String system, String code, String display) {
        if (!ABSOLUTE_URI.matcher(system).matches() || code == null || !primitive(code, "code")) {
            return false;
        }
        ValidationSupportContext context = new ValidationSupportContext(support);
        if (!support.isCodeSystemSupported(context, system)) {
            // LOINC, SNOMED CT, JLAC10…: the validator cannot check them either. A system in HL7's own namespaces that
            // the hub does not hold is one the validator may know by name and refuse: it decides.
            return HL7_NAMESPACES.stream().noneMatch(system::startsWith);
        }
        IValidationSupport.CodeValidationResult result =
                support.validateCode(context, new ConceptValidationOptions(), system, code, display, null);
        return result != null
                && result.isOk()
                && (result.getIssues() == null || result.getIssues().isEmpty())
                && (display == null || display.equals(result.getDisplay()));
    }

    private static boolean referenceType(Reference reference, Set<String> targets) {
        if (!reference.hasReference()) {
            return true;
        }
        var matcher = RELATIVE_REFERENCE.matcher(reference.getReference());
        return matcher.matches()
                && (targets.isEmpty() || targets.contains("Resource") || targets.contains(matcher.group(1)));
    }

    private boolean holds(Resource root, Base focus, List<ExpressionNode> invariants) {
        for (ExpressionNode invariant : invariants) {
            if (!fhirPath.get().evaluateToBoolean(root, root, focus, invariant)) {
                return false;
            }
        }
        return true;
    }

    private static List<Base> nonEmpty(List<Base> values) {
        List<Base> present = new ArrayList<>(values.size());
        for (Base v : values) {
            if (v != null && !v.isEmpty()) {
                present.add(v);
            }
        }
        return present;
    }

    /** The value matches the format base R4 gives its primitive type, and a date is a day of the calendar. */
    private boolean primitive(String value, String type) {
        Pattern format = primitiveFormats.computeIfAbsent(type, this::format);
        if (!format.matcher(value).matches()) {
            return false;
        }
        if ((type.equals("date") || type.equals("dateTime") || type.equals("instant")) && value.length() >= 10) {
            try {
                LocalDate.parse(value.substring(0, 10));
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return value.length() <= 1_048_576;
    }

    private Pattern format(String type) {
        IBaseResource found = support.fetchStructureDefinition(R4 + type);
        if (found instanceof StructureDefinition sd) {
            for (ElementDefinition e : sd.getSnapshot().getElement()) {
                if (e.getPath().equals(type + ".value")) {
                    for (ElementDefinition.TypeRefComponent t : e.getType()) {
                        Extension regex = t.getExtensionByUrl(REGEX);
                        if (regex != null && regex.hasValue()) {
                            return Pattern.compile(regex.getValue().primitiveValue());
                        }
                    }
                }
            }
        }
        return Pattern.compile("(?!)"); // no format known (xhtml): never certainly valid
    }

    private Set<String> codes(String valueSet) {
        return requiredCodes.computeIfAbsent(valueSet, url -> {
            Set<String> codes = new HashSet<>();
            IValidationSupport.ValueSetExpansionOutcome outcome =
                    support.expandValueSet(new ValidationSupportContext(support), new ValueSetExpansionOptions(), url);
            if (outcome != null && outcome.getValueSet() instanceof ValueSet expansion && outcome.getError() == null) {
                collect(expansion.getExpansion().getContains(), codes);
            }
            return codes;
        });
    }

    private static void collect(List<ValueSet.ValueSetExpansionContainsComponent> contains, Set<String> codes) {
        for (ValueSet.ValueSetExpansionContainsComponent c : contains) {
            if (c.hasCode()) {
                codes.add(c.getSystem() + "|" + c.getCode());
                codes.add("|" + c.getCode()); // a code element carries no system
            }
            collect(c.getContains(), codes);
        }
    }

    /** The compiled rules of a resource or data type, from its base R4 definition; null for a type without one. */
    private Node type(String name) {
        Node node = types.get(name);
        if (node == null) {
            IBaseResource found = support.fetchStructureDefinition(R4 + name);
            if (!(found instanceof StructureDefinition sd) || !sd.hasSnapshot()) {
                return null;
            }
            node = compile(sd);
            types.putIfAbsent(name, node);
        }
        return node;
    }

    private Node compile(StructureDefinition sd) {
        Map<String, Node> byPath = new LinkedHashMap<>();
        List<ElementDefinition> elements = sd.getSnapshot().getElement();
        Node root = new Node();
        byPath.put(elements.get(0).getPath(), root);
        root.invariants.addAll(invariants(elements.get(0)));
        List<String[]> contentReferences = new ArrayList<>();
        for (ElementDefinition e : elements.subList(1, elements.size())) {
            String path = e.getPath();
            String parentPath = path.substring(0, path.lastIndexOf('.'));
            Node parent = byPath.get(parentPath);
            if (parent == null) {
                continue; // a child of a slice or of an element whose type has its own definition
            }
            String name = path.substring(path.lastIndexOf('.') + 1);
            Set<String> typeCodes = new HashSet<>();
            Set<String> targets = new HashSet<>();
            for (ElementDefinition.TypeRefComponent t : e.getType()) {
                typeCodes.add(t.getWorkingCode());
                t.getTargetProfile()
                        .forEach(p ->
                                targets.add(p.getValue().substring(p.getValue().lastIndexOf('/') + 1)));
            }
            boolean backbone =
                    typeCodes.contains("BackboneElement") || (typeCodes.contains("Element") && typeCodes.size() == 1);
            Node children = null;
            if (backbone) {
                children = new Node();
                byPath.put(path, children);
            } else if (e.hasContentReference()) {
                children = new Node();
                contentReferences.add(
                        new String[] {path, e.getContentReference().substring(1)});
                byPath.put(path, children);
            }
            String max = e.getMax();
            ElementDefinition.ElementDefinitionBindingComponent binding = e.hasBinding() ? e.getBinding() : null;
            String valueSet = binding != null && binding.hasValueSet()
                    ? binding.getValueSet().split("\\|")[0]
                    : null;
            parent.children.put(
                    name,
                    new Child(
                            name,
                            e.getMin(),
                            "*".equals(max) ? -1 : Integer.parseInt(max),
                            typeCodes,
                            targets,
                            valueSet == null ? null : binding.getStrength(),
                            valueSet,
                            invariants(e),
                            children));
        }
        for (String[] reference : contentReferences) {
            Node target = byPath.get(reference[1]);
            Node holder = byPath.get(reference[0]);
            if (target != null) {
                holder.children.putAll(target.children);
                holder.invariants.addAll(target.invariants);
            }
        }
        return root;
    }

    private List<ExpressionNode> invariants(ElementDefinition e) {
        List<ExpressionNode> parsed = new ArrayList<>();
        for (ElementDefinition.ElementDefinitionConstraintComponent c : e.getConstraint()) {
            if (c.getSeverity() == ConstraintSeverity.ERROR
                    && c.hasExpression()
                    && !NOT_BY_FHIRPATH.contains(c.getKey())) {
                parsed.add(fhirPath.get().parse(c.getExpression()));
            }
        }
        return parsed;
    }
}
