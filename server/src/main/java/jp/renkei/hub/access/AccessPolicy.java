package jp.renkei.hub.access;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.context.Caller;
import org.hl7.fhir.r4.model.Coding;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The access policy of {@code access-policy.yml}: per role, which actions on which resource types
 * and kinds, under which relations to the patient. Pure data and lookups; {@link AccessGuard} applies
 * it to requests. Loading rejects a policy that breaks the invariants stated in the file.
 */
final class AccessPolicy {

    public static final String RESOURCE = "access-policy.yml";
    static final String UNCLASSIFIED = "unclassified";

    /** One grant; {@code kinds} null means every kind. */
    public record Rule(Set<String> types, Set<String> kinds, Set<Action> actions, Set<Relation> relations) {}

    /** {@code purpose}: the HL7 v3 PurposeOfUse code the role's access is for (TREAT, CAREMGT, PATRQT, …). */
    public record Role(String name, String label, String purpose, boolean assignsIds, List<Rule> rules) {}

    static final String DEFAULT_PURPOSE = Caller.DEFAULT_PURPOSE;

    /**
     * A classification scheme: the code system and the types whose records it classifies, the kinds' labels,
     * the codes of other systems that stand for a kind ({@code mapped}: system → code → kind) and the kind of a
     * record of a type with no classifying code at all ({@code defaults}: type → kind).
     */
    public record KindScheme(
            String name,
            String system,
            List<String> types,
            Map<String, String> labels,
            Map<String, Map<String, String>> mapped,
            Map<String, String> defaults) {

        /**
         * The kind of a record of {@code type} whose classifying codings are these, in the order of its classifying
         * elements: the first code of the scheme's own system decides, and one the hub does not know makes the
         * record unclassified rather than letting a later code choose a more open kind; without one, the first code
         * of another system the scheme maps decides; without that, the type's default, else unclassified.
         */
        public String kindOf(String type, List<Coding> codings) {
            for (Coding coding : codings) {
                if (system.equals(coding.getSystem()) && coding.getCode() != null) {
                    return labels.containsKey(coding.getCode()) ? coding.getCode() : UNCLASSIFIED;
                }
            }
            for (Coding coding : codings) {
                // a coding without system or code maps to nothing (and the policy's maps take no null keys)
                String kind = coding.getSystem() == null || coding.getCode() == null
                        ? null
                        : mapped.getOrDefault(coding.getSystem(), Map.of()).get(coding.getCode());
                if (kind != null) {
                    return kind;
                }
            }
            return defaults.getOrDefault(type, UNCLASSIFIED);
        }
    }

    private final Map<String, Role> roles;
    private final Set<String> directory;
    private final Map<String, KindScheme> schemeByType;
    private final List<KindScheme> schemes;

    private AccessPolicy(Map<String, Role> roles, Set<String> directory, List<KindScheme> schemes) {
        this.roles = roles;
        this.directory = directory;
        this.schemes = schemes;
        Map<String, KindScheme> byType = new LinkedHashMap<>();
        schemes.forEach(s -> s.types().forEach(t -> byType.put(t, s)));
        this.schemeByType = byType;
    }

    public static AccessPolicy loadDefault() {
        try (InputStream in = AccessPolicy.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return load(in);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + RESOURCE, e);
        }
    }

    @SuppressWarnings("unchecked")
    public static AccessPolicy load(InputStream in) {
        Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        Map<String, String> systems = (Map<String, String>) root.get("codeSystems");
        Map<String, List<String>> kindedTypes = (Map<String, List<String>>) root.get("kindedTypes");
        Map<String, Map<String, String>> kindLabels = (Map<String, Map<String, String>>) root.get("kinds");
        Map<String, Map<String, Object>> mappings =
                (Map<String, Map<String, Object>>) root.getOrDefault("kindMapping", Map.of());
        for (String scheme : mappings.keySet()) {
            if (!kindedTypes.containsKey(scheme)) {
                throw new IllegalArgumentException("kindMapping." + scheme + ": no such scheme in kindedTypes");
            }
        }
        List<KindScheme> schemes = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : kindedTypes.entrySet()) {
            String system = require(systems.get(e.getKey()), "codeSystems." + e.getKey());
            Map<String, String> labels = require(kindLabels.get(e.getKey()), "kinds." + e.getKey());
            if (!labels.containsKey(UNCLASSIFIED)) {
                throw new IllegalArgumentException("kinds." + e.getKey() + " must list '" + UNCLASSIFIED + "'");
            }
            Map<String, Object> mapping = mappings.getOrDefault(e.getKey(), Map.of());
            schemes.add(new KindScheme(
                    e.getKey(),
                    system,
                    List.copyOf(e.getValue()),
                    Collections.unmodifiableMap(labels),
                    mappedCodes(e.getKey(), system, labels, (Map<String, Map<Object, Object>>)
                            mapping.getOrDefault("codes", Map.of())),
                    defaultKinds(e.getKey(), e.getValue(), labels, (Map<String, Object>)
                            mapping.getOrDefault("default", Map.of()))));
        }
        Set<String> directory = new LinkedHashSet<>((List<String>) root.get("directory"));
        Map<String, List<String>> groups = new LinkedHashMap<>((Map<String, List<String>>) root.get("groups"));
        groups.put("directory", List.copyOf(directory));

        Map<String, Role> roles = new LinkedHashMap<>();
        Map<String, Map<String, Object>> roleDefs = (Map<String, Map<String, Object>>) root.get("roles");
        AccessPolicy partial = new AccessPolicy(Map.of(), directory, schemes);
        for (Map.Entry<String, Map<String, Object>> e : roleDefs.entrySet()) {
            String name = e.getKey();
            List<Rule> rules = new ArrayList<>();
            List<Map<String, Object>> ruleDefs =
                    (List<Map<String, Object>>) e.getValue().get("rules");
            for (int i = 0; i < ruleDefs.size(); i++) {
                rules.add(partial.rule(name + " rule " + (i + 1), ruleDefs.get(i), groups));
            }
            String purpose = (String) e.getValue().getOrDefault("purpose", DEFAULT_PURPOSE);
            boolean assignsIds = Boolean.TRUE.equals(e.getValue().get("assignsIds"));
            roles.put(
                    name, new Role(name, (String) e.getValue().get("label"), purpose, assignsIds, List.copyOf(rules)));
        }
        return new AccessPolicy(
                Collections.unmodifiableMap(roles), Collections.unmodifiableSet(directory), List.copyOf(schemes));
    }

    /** {@code kindMapping.<scheme>.codes}: codes of other systems, each standing for one of the scheme's kinds. */
    private static Map<String, Map<String, String>> mappedCodes(
            String scheme, String ownSystem, Map<String, String> labels, Map<String, Map<Object, Object>> codes) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Object, Object>> bySystem : codes.entrySet()) {
            String where = "kindMapping." + scheme + ".codes." + bySystem.getKey();
            if (bySystem.getKey().equals(ownSystem)) {
                throw new IllegalArgumentException(where + ": the scheme's own codes are its kinds and are not mapped");
            }
            Map<String, String> kinds = new LinkedHashMap<>();
            // YAML reads an unquoted code such as 8310 as a number: a code is its text
            bySystem.getValue()
                    .forEach((code, kind) ->
                            kinds.put(String.valueOf(code), checkedKind(where + "." + code, kind, labels)));
            out.put(bySystem.getKey(), Collections.unmodifiableMap(kinds));
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code kindMapping.<scheme>.default}: the kind, per type, of a record with no classifying code. */
    private static Map<String, String> defaultKinds(
            String scheme, List<String> types, Map<String, String> labels, Map<String, Object> defaults) {
        Map<String, String> out = new LinkedHashMap<>();
        defaults.forEach((type, kind) -> {
            String where = "kindMapping." + scheme + ".default." + type;
            if (!types.contains(type)) {
                throw new IllegalArgumentException(where + ": " + type + " is not classified by " + scheme);
            }
            out.put(type, checkedKind(where, kind, labels));
        });
        return Collections.unmodifiableMap(out);
    }

    private static String checkedKind(String where, Object kind, Map<String, String> labels) {
        if (!(kind instanceof String k) || !labels.containsKey(k) || k.equals(UNCLASSIFIED)) {
            throw new IllegalArgumentException(where + ": '" + kind + "' is not a kind (and never '" + UNCLASSIFIED
                    + "'," + " which is what an unmapped record is)");
        }
        return k;
    }

    @SuppressWarnings("unchecked")
    private Rule rule(String where, Map<String, Object> def, Map<String, List<String>> groups) {
        Set<String> types = new LinkedHashSet<>();
        for (String t : (List<String>) require(def.get("types"), where + ".types")) {
            if (t.startsWith("@")) {
                types.addAll(require(groups.get(t.substring(1)), where + ": group " + t));
            } else {
                types.add(t);
            }
        }
        Set<Action> actions = EnumSet.noneOf(Action.class);
        ((List<String>) require(def.get("actions"), where + ".actions")).forEach(a -> actions.add(Action.fromCode(a)));
        Set<Relation> relations = EnumSet.noneOf(Relation.class);
        ((List<String>) require(def.get("relations"), where + ".relations"))
                .forEach(r -> relations.add(Relation.fromCode(r)));
        Set<String> kinds = null;
        if (def.containsKey("kinds")) {
            kinds = new LinkedHashSet<>((List<String>) def.get("kinds"));
            for (String type : types) {
                KindScheme scheme = schemeByType.get(type);
                if (scheme == null) {
                    throw new IllegalArgumentException(where + ": " + type + " has no kinds");
                }
                for (String kind : kinds) {
                    if (!scheme.labels().containsKey(kind)) {
                        throw new IllegalArgumentException(where + ": '" + kind + "' is not a kind of " + type);
                    }
                }
            }
        }
        for (Action action : actions) {
            for (Relation relation : relations) {
                checkInvariants(where, types, action, relation);
            }
        }
        return new Rule(
                Collections.unmodifiableSet(types),
                kinds == null ? null : Collections.unmodifiableSet(kinds),
                Collections.unmodifiableSet(actions),
                Collections.unmodifiableSet(relations));
    }

    private void checkInvariants(String where, Set<String> types, Action action, Relation relation) {
        for (String type : types) {
            boolean dir = directory.contains(type);
            if ((action == Action.UPDATE || action == Action.DELETE)
                    && relation != Relation.AUTHOR_ORG
                    && !(dir && relation == Relation.ANY)) {
                throw new IllegalArgumentException(where + ": " + action.code() + " of " + type
                        + " may be granted under author-org only, not " + relation.code());
            }
            if (action == Action.REVOKE
                    && (!type.equals("Consent")
                            || !Set.of(Relation.SELF, Relation.PROXY, Relation.AUTHOR_ORG)
                                    .contains(relation))) {
                throw new IllegalArgumentException(where + ": revoke applies to Consent only, under self, proxy or"
                        + " author-org, not " + type + " under " + relation.code());
            }
            if ((action == Action.RESPOND) != (relation == Relation.ADDRESSEE && action != Action.READ)
                    || (relation == Relation.ADDRESSEE && !type.equals("Task"))) {
                throw new IllegalArgumentException(
                        where + ": respond applies to Task only, under addressee, and addressee"
                                + " grants only read and respond of Task, not " + action.code() + " of " + type
                                + " under " + relation.code());
            }
            // Belonging to the organisation that wrote a record lets one amend it once one may read it, never
            // read it: a colleague outside the patient's care team sees nothing of the patient.
            if (relation == Relation.AUTHOR_ORG
                    && !Set.of(Action.UPDATE, Action.DELETE, Action.REVOKE).contains(action)) {
                throw new IllegalArgumentException(
                        where + ": 'author-org' can grant update, delete and revoke only, not " + action.code()
                                + " (organisation membership alone grants no access to a patient's records)");
            }
            if ((relation == Relation.CONSENT || relation == Relation.BREAK_GLASS || relation == Relation.AUTHOR)
                    && action != Action.READ) {
                throw new IllegalArgumentException(
                        where + ": '" + relation.code() + "' can grant read only, not " + action.code());
            }
            if (relation == Relation.ANY
                    && !dir
                    && !(type.equals("Patient") && action == Action.CREATE)
                    && !(type.equals("AuditEvent") && action == Action.READ)) {
                throw new IllegalArgumentException(where + ": 'any' cannot grant " + action.code() + " of " + type);
            }
        }
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(RESOURCE + ": " + what + " is missing");
        }
        return value;
    }

    // ---- lookups ---------------------------------------------------------------------------

    /** The relations under which a role may do an action on a record of this type and kind; empty if never. */
    public Set<Relation> relations(String role, String type, String kind, Action action) {
        Role r = roles.get(role);
        if (r == null) {
            return Set.of();
        }
        Set<Relation> out = EnumSet.noneOf(Relation.class);
        for (Rule rule : r.rules()) {
            if (rule.types().contains(type)
                    && rule.actions().contains(action)
                    && (rule.kinds() == null || rule.kinds().contains(kind == null ? UNCLASSIFIED : kind))) {
                out.addAll(rule.relations());
            }
        }
        return out;
    }

    /** Whether a role may do an action on some records of a type (of some kind, under some relation). */
    public boolean mayEver(String role, String type, Action action) {
        Role r = roles.get(role);
        return r != null
                && r.rules().stream()
                        .anyMatch(rule ->
                                rule.types().contains(type) && rule.actions().contains(action));
    }

    /** Whether some rule of the role is granted under break-glass, i.e. the role may declare an emergency. */
    public boolean mayBreakGlass(String role) {
        Role r = roles.get(role);
        return r != null && r.rules().stream().anyMatch(rule -> rule.relations().contains(Relation.BREAK_GLASS));
    }

    /**
     * Why a user with these roles accesses records (HL7 v3 PurposeOfUse): the purpose of the first of
     * their roles in the policy's order; it is what a Consent's {@code provision.purpose} is matched
     * against and what the audit trail records.
     */
    public String purposeOf(Set<String> callerRoles) {
        return roles.values().stream()
                .filter(r -> callerRoles.contains(r.name()))
                .map(Role::purpose)
                .findFirst()
                .orElse(DEFAULT_PURPOSE);
    }

    /** Whether one of these roles may create a resource under an id it chooses (update as create). */
    public boolean mayAssignIds(Set<String> callerRoles) {
        return callerRoles.stream().map(roles::get).anyMatch(r -> r != null && r.assignsIds());
    }

    public boolean isRole(String role) {
        return roles.containsKey(role);
    }

    public Map<String, Role> roles() {
        return roles;
    }

    public boolean isDirectory(String type) {
        return directory.contains(type);
    }

    public Set<String> directory() {
        return directory;
    }

    /** The scheme that classifies records of a type, or null. */
    public KindScheme scheme(String type) {
        return schemeByType.get(type);
    }

    public List<KindScheme> schemes() {
        return schemes;
    }

    /** Every type some rule names. */
    public Set<String> types() {
        Set<String> out = new LinkedHashSet<>(directory);
        roles.values().forEach(r -> r.rules().forEach(rule -> out.addAll(rule.types())));
        return out;
    }
}
