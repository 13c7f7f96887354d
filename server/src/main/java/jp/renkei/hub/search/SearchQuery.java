package jp.renkei.hub.search;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.IdType;

/**
 * A parsed, validated FHIR search on one resource type. Parsing is strict: an unknown parameter,
 * an unsupported modifier or a malformed value is a 400 naming the problem, because silently
 * ignoring a filter would return more than the user asked for.
 */
public record SearchQuery(String type, List<Criterion> criteria, List<SortKey> sort, List<IncludeSpec> includes) {

    /** Result-shaping parameters that HAPI FHIR or the paging code handle. */
    private static final Set<String> CONTROL =
            Set.of("_count", "_summary", "_format", "_pretty", "_elements", "_total");

    private static final Set<String> DATE_PREFIXES = Set.of("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb");
    private static final Pattern UNESCAPED_COMMA = Pattern.compile("(?<!\\\\),");

    public static SearchQuery parse(
            String type, Map<String, String[]> parameters, SearchParameterRegistry registry, ZoneId zone) {
        List<Criterion> criteria = new ArrayList<>();
        List<SortKey> sort = new ArrayList<>();
        List<IncludeSpec> includes = new ArrayList<>();
        for (Map.Entry<String, String[]> entry : parameters.entrySet()) {
            String rawName = entry.getKey();
            if (CONTROL.contains(rawName)) {
                continue;
            }
            if (rawName.equals("_sort")) {
                for (String value : entry.getValue()) {
                    sort.addAll(parseSort(type, value, registry));
                }
                continue;
            }
            if (rawName.equals("_include")) {
                for (String value : entry.getValue()) {
                    includes.addAll(parseInclude(type, value, registry));
                }
                continue;
            }
            if (rawName.equals("_revinclude")) {
                for (String value : entry.getValue()) {
                    includes.addAll(parseRevInclude(type, value, registry));
                }
                continue;
            }
            int colon = rawName.indexOf(':');
            String name = colon < 0 ? rawName : rawName.substring(0, colon);
            String modifier = colon < 0 ? null : rawName.substring(colon + 1);
            if (name.contains(".")) {
                throw invalid("Chained search parameter '" + rawName + "' is not supported");
            }
            SearchParamDef param = registry.param(type, name);
            if (param == null) {
                throw invalid("Unknown search parameter '" + rawName + "' for resource type " + type
                        + ". Supported parameters: " + registry.supportedNames(type)
                        + "; result parameters: _count, _sort, _include, _revinclude, _summary, _elements, _format");
            }
            for (String value : entry.getValue()) {
                criteria.add(criterion(param, modifier, value, zone));
            }
        }
        return new SearchQuery(type, List.copyOf(criteria), List.copyOf(sort), List.copyOf(includes));
    }

    public boolean matches(IndexedRecord record) {
        for (Criterion criterion : criteria) {
            if (!criterion.matches(record)) {
                return false;
            }
        }
        return true;
    }

    private static Criterion criterion(SearchParamDef param, String modifier, String value, ZoneId zone) {
        String name = param.name();
        if (value == null || value.isEmpty()) {
            throw invalid("Search parameter '" + name + "' has an empty value");
        }
        if ("missing".equals(modifier)) {
            if (!value.equals("true") && !value.equals("false")) {
                throw invalid("':missing' takes true or false, not '" + value + "'");
            }
            boolean wantMissing = value.equals("true");
            if (param.builtIn()) {
                return new Criterion(name, r -> !wantMissing, null);
            }
            return new Criterion(name, r -> r.indexValues(name).isEmpty() == wantMissing, null);
        }
        List<String> alternatives = splitAlternatives(value);
        return switch (param.kind()) {
            case TOKEN -> token(param, modifier, alternatives);
            case REFERENCE -> reference(param, modifier, alternatives);
            case STRING -> string(param, modifier, alternatives);
            case DATE -> date(param, modifier, alternatives, zone);
        };
    }

    private static Criterion token(SearchParamDef param, String modifier, List<String> alternatives) {
        String name = param.name();
        if (modifier != null && !modifier.equals("not")) {
            throw invalid("Modifier ':" + modifier + "' is not supported on token parameter '" + name
                    + "' (supported: :not, :missing)");
        }
        Set<String> keys = new LinkedHashSet<>(alternatives);
        Predicate<IndexedRecord> any =
                name.equals("_id") ? r -> keys.contains(r.id()) : r -> Criterion.anyValue(r, name, keys::contains);
        if (modifier != null) {
            return new Criterion(name, any.negate(), null);
        }
        boolean exactKeys = name.equals("_id")
                || (param.bucketed() && alternatives.stream().allMatch(a -> a.indexOf('|') > 0 && !a.endsWith("|")));
        return new Criterion(name, any, exactKeys ? Set.copyOf(keys) : null);
    }

    private static Criterion reference(SearchParamDef param, String modifier, List<String> alternatives) {
        String name = param.name();
        // A parameter that may point at any type ("Reference(Any)") lists no targets: any type name goes.
        boolean anyTarget = param.targets().isEmpty() && modifier != null && modifier.matches("[A-Z][A-Za-z]+");
        if (modifier != null && !anyTarget && !param.targets().contains(modifier)) {
            throw invalid("Modifier ':" + modifier + "' is not supported on reference parameter '" + name
                    + "' (use a target type among " + param.targets() + ", or :missing)");
        }
        Set<String> keys = new LinkedHashSet<>();
        for (String alternative : alternatives) {
            IdType id = new IdType(alternative);
            if (modifier != null) {
                keys.add(modifier + "/" + id.getIdPart());
            } else if (id.hasResourceType() && id.hasIdPart()) {
                keys.add(IndexExtractor.referenceKey(id));
            } else if (alternative.contains("/")) {
                keys.add(alternative);
            } else {
                if (param.targets().isEmpty()) {
                    throw invalid("Reference '" + alternative + "' for '" + name
                            + "' needs a resource type, e.g. Patient/" + alternative);
                }
                param.targets().forEach(t -> keys.add(t + "/" + alternative));
            }
        }
        return new Criterion(name, r -> Criterion.anyValue(r, name, keys::contains), Set.copyOf(keys));
    }

    private static Criterion string(SearchParamDef param, String modifier, List<String> alternatives) {
        String name = param.name();
        if ("exact".equals(modifier)) {
            // As written: case, width and kana type all count.
            String field = IndexExtractor.exactField(name);
            return new Criterion(name, r -> Criterion.anyValue(r, field, alternatives::contains), null);
        }
        List<String> wanted =
                alternatives.stream().map(TextNormalizer::normalize).toList();
        Predicate<String> valueTest;
        if (modifier == null) {
            valueTest = v -> wanted.stream().anyMatch(v::startsWith);
        } else if (modifier.equals("contains")) {
            valueTest = v -> wanted.stream().anyMatch(v::contains);
        } else {
            throw invalid("Modifier ':" + modifier + "' is not supported on string parameter '" + name
                    + "' (supported: :exact, :contains, :missing)");
        }
        return new Criterion(name, r -> Criterion.anyValue(r, name, v -> valueTest.test((String) v)), null);
    }

    private static Criterion date(SearchParamDef param, String modifier, List<String> alternatives, ZoneId zone) {
        String name = param.name();
        if (modifier != null) {
            throw invalid("Modifier ':" + modifier + "' is not supported on date parameter '" + name
                    + "' (supported: :missing)");
        }
        List<Predicate<long[]>> tests = new ArrayList<>();
        for (String alternative : alternatives) {
            String prefix = "eq";
            String date = alternative;
            if (alternative.length() > 2 && Character.isLetter(alternative.charAt(0))) {
                prefix = alternative.substring(0, 2);
                date = alternative.substring(2);
                if (!DATE_PREFIXES.contains(prefix)) {
                    throw invalid("Date prefix '" + prefix + "' in '" + name + "=" + alternative
                            + "' is not supported (supported: eq, ne, gt, lt, ge, le, sa, eb)");
                }
            }
            DateRange s;
            try {
                s = DateRange.parse(date, zone);
            } catch (IllegalArgumentException e) {
                throw invalid("Invalid value for date parameter '" + name + "': " + e.getMessage());
            }
            tests.add(dateTest(prefix, s));
        }
        Predicate<long[]> anyTest = t -> tests.stream().anyMatch(p -> p.test(t));
        if (name.equals("_lastUpdated")) {
            return new Criterion(name, r -> anyTest.test(new long[] {r.lastUpdated(), r.lastUpdated()}), null);
        }
        return new Criterion(name, r -> Criterion.anyValue(r, name, v -> anyTest.test(toRange(v))), null);
    }

    /** FHIR R4 date comparison of a target range t against a search range s (spec §3.1.1.4.x). */
    private static Predicate<long[]> dateTest(String prefix, DateRange s) {
        return switch (prefix) {
            case "eq" -> t -> t[0] >= s.low() && t[1] <= s.high();
            case "ne" -> t -> !(t[0] >= s.low() && t[1] <= s.high());
            case "gt" -> t -> t[1] > s.high();
            case "lt" -> t -> t[0] < s.low();
            case "ge" -> t -> t[1] > s.high() || (t[0] >= s.low() && t[1] <= s.high());
            case "le" -> t -> t[0] < s.low() || (t[0] >= s.low() && t[1] <= s.high());
            case "sa" -> t -> t[0] > s.high();
            case "eb" -> t -> t[1] < s.low();
            default -> throw new IllegalStateException(prefix);
        };
    }

    private static long[] toRange(Object stored) {
        List<?> pair = (List<?>) stored;
        return new long[] {((Number) pair.get(0)).longValue(), ((Number) pair.get(1)).longValue()};
    }

    private static List<SortKey> parseSort(String type, String value, SearchParameterRegistry registry) {
        List<SortKey> keys = new ArrayList<>();
        for (String part : value.split(",")) {
            boolean descending = part.startsWith("-");
            String name = descending ? part.substring(1) : part;
            SearchParamDef param = registry.param(type, name);
            if (!name.equals("_id") && (param == null || param.kind() != ParamKind.DATE)) {
                throw invalid("Cannot sort " + type + " by '" + name
                        + "': supported sort parameters are _id, _lastUpdated" + " and the date parameters of " + type);
            }
            keys.add(new SortKey(name, descending));
        }
        return keys;
    }

    private static List<IncludeSpec> parseInclude(String type, String value, SearchParameterRegistry registry) {
        String[] parts = value.split(":");
        if (parts.length < 2 || parts.length > 3 || !parts[0].equals(type)) {
            throw invalid("_include '" + value + "' must have the form " + type + ":parameter[:TargetType]");
        }
        if (parts[1].equals("*")) {
            return registry.params(type).stream()
                    .filter(p -> p.kind() == ParamKind.REFERENCE)
                    .map(p -> new IncludeSpec(p.name(), null))
                    .toList();
        }
        SearchParamDef param = registry.param(type, parts[1]);
        if (param == null || param.kind() != ParamKind.REFERENCE) {
            throw invalid(
                    "_include '" + value + "': '" + parts[1] + "' is not a reference search parameter of " + type);
        }
        String target = parts.length == 3 ? parts[2] : null;
        if (target != null && !param.targets().contains(target)) {
            throw invalid("_include '" + value + "': " + parts[1] + " cannot refer to " + target);
        }
        return List.of(new IncludeSpec(param.name(), target));
    }

    /** {@code _revinclude=Source:param[:Type]}: records of Source whose reference parameter param may point at the searched type. */
    private static List<IncludeSpec> parseRevInclude(String type, String value, SearchParameterRegistry registry) {
        String[] parts = value.split(":");
        if (parts.length < 2
                || parts.length > 3
                || !registry.resourceTypes().contains(parts[0])
                || (parts.length == 3 && !parts[2].equals(type))) {
            throw invalid("_revinclude '" + value + "' must have the form SourceType:parameter[:" + type + "]");
        }
        String source = parts[0];
        if (parts[1].equals("*")) {
            return registry.params(source).stream()
                    .filter(p -> p.kind() == ParamKind.REFERENCE && p.targets().contains(type))
                    .map(p -> new IncludeSpec(p.name(), null, source))
                    .toList();
        }
        SearchParamDef param = registry.param(source, parts[1]);
        if (param == null
                || param.kind() != ParamKind.REFERENCE
                || !param.targets().contains(type)) {
            throw invalid("_revinclude '" + value + "': '" + parts[1] + "' is not a reference search parameter of "
                    + source + " that can refer to " + type);
        }
        return List.of(new IncludeSpec(param.name(), null, source));
    }

    private static List<String> splitAlternatives(String value) {
        List<String> out = new ArrayList<>();
        for (String part : UNESCAPED_COMMA.split(value, -1)) {
            String unescaped = part.replace("\\,", ",").replace("\\$", "$");
            if (unescaped.isEmpty()) {
                throw invalid("Empty alternative in search value '" + value + "'");
            }
            out.add(unescaped);
        }
        return out;
    }

    private static InvalidRequestException invalid(String message) {
        return new InvalidRequestException(message);
    }
}
