package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/access-matrix.md is generated from access-policy.yml; this test fails when they differ.
 * Regenerate with {@code mvn -pl server test -Dtest=AccessMatrixTest -Drenkei.writeDocs=true}.
 * It also checks the rules the issue names and that the loader refuses a policy that breaks them.
 */
class AccessMatrixTest {

    private static final Path DOC = Path.of("..", "docs", "access-matrix.md");
    private final AccessPolicy policy = AccessPolicy.loadDefault();

    @Test
    void theDocumentedMatrixIsThePolicy() throws IOException {
        String rendered = render(policy);
        if (Boolean.getBoolean("renkei.writeDocs")) {
            Files.writeString(DOC, rendered, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("docs/access-matrix.md is out of date; regenerate it with -Drenkei.writeDocs=true")
                .isEqualTo(rendered);
    }

    @Test
    void theRulesTheHubPromisesHold() {
        // a care worker sees no diagnoses, no medication details and no clinical observations
        assertThat(policy.mayEver("care-worker", "Condition", Action.READ)).isFalse();
        assertThat(policy.mayEver("care-worker", "MedicationStatement", Action.READ))
                .isFalse();
        assertThat(policy.relations("care-worker", "Observation", "medication", Action.READ))
                .isEmpty();
        assertThat(policy.relations("care-worker", "Observation", "clinical", Action.READ))
                .isEmpty();
        // a municipal officer reads no individual clinical record
        for (String type : List.of(
                "Encounter",
                "Condition",
                "AllergyIntolerance",
                "MedicationStatement",
                "Observation",
                "Procedure",
                "Composition",
                "DocumentReference",
                "Bundle",
                "Binary")) {
            assertThat(policy.mayEver("municipal-officer", type, Action.READ))
                    .as(type)
                    .isFalse();
        }
        // a pharmacist posts medication Observations and Communications, never a discharge sheet
        assertThat(policy.relations("pharmacist", "Observation", "medication", Action.CREATE))
                .contains(Relation.CARE_TEAM);
        assertThat(policy.relations("pharmacist", "Communication", "medication", Action.CREATE))
                .contains(Relation.CARE_TEAM);
        assertThat(policy.relations("pharmacist", "Composition", "discharge-summary", Action.CREATE))
                .isEmpty();
        assertThat(policy.relations("pharmacist", "DocumentReference", "discharge-summary", Action.CREATE))
                .isEmpty();
        assertThat(policy.relations("pharmacist", "Bundle", "discharge-summary", Action.CREATE))
                .isEmpty();
        // the patient and their proxy read everything about the patient
        for (String type : policy.types()) {
            if (policy.isDirectory(type)) {
                continue;
            }
            AccessPolicy.KindScheme scheme = policy.scheme(type);
            for (String kind : scheme == null
                    ? java.util.Collections.<String>singleton(null)
                    : scheme.labels().keySet()) {
                assertThat(policy.relations("patient", type, kind, Action.READ))
                        .as(type + " " + kind)
                        .contains(Relation.SELF);
                assertThat(policy.relations("family", type, kind, Action.READ))
                        .as(type + " " + kind)
                        .contains(Relation.PROXY);
            }
        }
        // the patient and their proxy start sharing (a privacy Consent naming whom) and stop it; nothing else is theirs
        // to
        // write: not an advance directive, not another scope, no other record type
        for (String role : List.of("patient", "family")) {
            Relation own = role.equals("patient") ? Relation.SELF : Relation.PROXY;
            assertThat(policy.relations(role, "Consent", "patient-privacy", Action.CREATE))
                    .as(role)
                    .containsExactly(own);
            assertThat(policy.relations(role, "Consent", "patient-privacy", Action.REVOKE))
                    .as(role)
                    .containsExactly(own);
            for (String kind : List.of("adr", "treatment", "research", "unclassified")) {
                assertThat(policy.relations(role, "Consent", kind, Action.CREATE))
                        .as(role + " " + kind)
                        .isEmpty();
            }
            for (String type : policy.types()) {
                if (!type.equals("Consent")) {
                    for (Action action : List.of(Action.CREATE, Action.UPDATE, Action.DELETE)) {
                        assertThat(policy.mayEver(role, type, action))
                                .as(role + " " + action + " " + type)
                                .isFalse();
                    }
                }
            }
            assertThat(policy.mayEver(role, "Consent", Action.UPDATE)).isFalse();
            assertThat(policy.mayEver(role, "Consent", Action.DELETE)).isFalse();
        }
        // organisation membership alone reads nothing of a patient: author-org grants only amending, deleting and
        // revoking (which need reading first), and a colleague outside the care team can do nothing to a patient's
        // record
        for (AccessPolicy.Role role : policy.roles().values()) {
            for (AccessPolicy.Rule rule : role.rules()) {
                if (rule.relations().contains(Relation.AUTHOR_ORG)) {
                    assertThat(rule.actions()).as(role.name()).isSubsetOf(Action.UPDATE, Action.DELETE, Action.REVOKE);
                }
            }
            for (String type : policy.types()) {
                AccessPolicy.KindScheme scheme = policy.scheme(type);
                for (String kind : scheme == null
                        ? java.util.Collections.<String>singleton(null)
                        : scheme.labels().keySet()) {
                    for (Action action : Action.values()) {
                        boolean newPatient = type.equals("Patient") && action == Action.CREATE;
                        boolean auditAdministration =
                                type.equals("AuditEvent") && role.name().equals("hub-admin");
                        if (!policy.isDirectory(type) && !newPatient && !auditAdministration) {
                            assertThat(asColleague(policy, role.name(), type, kind, action))
                                    .as(role.name() + " " + action + " " + type + " " + kind)
                                    .isFalse();
                        }
                    }
                }
            }
        }
        // amending and deleting: the author's organisation only (the directory is the hub's)
        for (AccessPolicy.Role role : policy.roles().values()) {
            for (AccessPolicy.Rule rule : role.rules()) {
                if (rule.actions().contains(Action.REVOKE)) {
                    assertThat(rule.types()).as(role.name()).containsOnly("Consent");
                    assertThat(rule.relations())
                            .as(role.name())
                            .isSubsetOf(Relation.SELF, Relation.PROXY, Relation.AUTHOR_ORG);
                }
                if (rule.actions().contains(Action.UPDATE) || rule.actions().contains(Action.DELETE)) {
                    boolean directoryOnly = rule.types().stream().allMatch(policy::isDirectory);
                    assertThat(rule.relations())
                            .as(role.name())
                            .isSubsetOf(
                                    directoryOnly
                                            ? Set.of(Relation.AUTHOR_ORG, Relation.ANY)
                                            : Set.of(Relation.AUTHOR_ORG));
                }
            }
        }
    }

    @Test
    void aPolicyThatBreaksTheInvariantsIsRefused() {
        String base = """
                codeSystems: {careDocument: "http://x/doc"}
                directory: [Organization]
                kindedTypes: {careDocument: [Composition]}
                kinds: {careDocument: {a: A, unclassified: none}}
                groups: {people: [Patient]}
                roles:
                  nurse:
                    label: n
                    rules:
                """;
        assertThatThrownBy(
                        () -> load(base + "      - {types: [Observation], actions: [update], relations: [care-team]}"))
                .hasMessageContaining("author-org only");
        assertThatThrownBy(() -> load(base + "      - {types: [Observation], actions: [read], relations: [any]}"))
                .hasMessageContaining("'any' cannot grant read of Observation");
        assertThatThrownBy(() -> load(
                        base + "      - {types: [Observation], kinds: [a], actions: [read], relations: [care-team]}"))
                .hasMessageContaining("Observation has no kinds");
        assertThatThrownBy(() -> load(
                        base + "      - {types: [Composition], kinds: [b], actions: [read], relations: [care-team]}"))
                .hasMessageContaining("'b' is not a kind of Composition");
        assertThatThrownBy(() -> load(base + "      - {types: [Composition], actions: [create], relations: [consent]}"))
                .hasMessageContaining("'consent' can grant read only");
        assertThatThrownBy(
                        () -> load(base + "      - {types: [Composition], actions: [revoke], relations: [author-org]}"))
                .hasMessageContaining("revoke applies to Consent only");
        assertThatThrownBy(() -> load(base + "      - {types: [Consent], actions: [revoke], relations: [care-team]}"))
                .hasMessageContaining("revoke applies to Consent only, under self, proxy or author-org");
        assertThatThrownBy(
                        () -> load(base + "      - {types: [Composition], actions: [respond], relations: [addressee]}"))
                .hasMessageContaining("respond applies to Task only");
        assertThatThrownBy(() -> load(base + "      - {types: [Task], actions: [respond], relations: [care-team]}"))
                .hasMessageContaining("respond applies to Task only");
        assertThatThrownBy(
                        () -> load(base + "      - {types: [Composition], actions: [read], relations: [author-org]}"))
                .hasMessageContaining("'author-org' can grant update, delete and revoke only, not read");
        assertThatThrownBy(
                        () -> load(base + "      - {types: [Composition], actions: [create], relations: [author-org]}"))
                .hasMessageContaining("'author-org' can grant update, delete and revoke only, not create");
        assertThatThrownBy(() -> load(base + "      - {types: [Composition], actions: [update], relations: [author]}"))
                .hasMessageContaining("author-org only");
        assertThatThrownBy(() -> load(base + "      - {types: [Composition], actions: [read], relations: [friend]}"))
                .hasMessageContaining("unknown relation 'friend'");
        assertThat(load(base + "      - {types: [Composition], kinds: [a], actions: [read], relations: [care-team]}")
                        .relations("nurse", "Composition", "a", Action.READ))
                .containsExactly(Relation.CARE_TEAM);
    }

    @Test
    void standardCodesAndDefaultsClassifyAsTheMappingSaysAndABadMappingIsRefused() {
        String base = """
                codeSystems: {careDocument: "http://x/doc"}
                directory: [Organization]
                kindedTypes: {careDocument: [Composition, DocumentReference]}
                kinds: {careDocument: {a: A, b: B, unclassified: none}}
                groups: {people: [Patient]}
                roles: {}
                """;
        AccessPolicy mapped = load(base + """
                kindMapping:
                  careDocument:
                    codes:
                      "http://loinc.org": {"18842-5": a, 11488: b}
                    default: {Composition: b}
                """);
        AccessPolicy.KindScheme scheme = mapped.scheme("Composition");
        org.hl7.fhir.r4.model.Coding own = new org.hl7.fhir.r4.model.Coding("http://x/doc", "b", null);
        org.hl7.fhir.r4.model.Coding unknownOwn = new org.hl7.fhir.r4.model.Coding("http://x/doc", "z", null);
        org.hl7.fhir.r4.model.Coding loinc = new org.hl7.fhir.r4.model.Coding("http://loinc.org", "18842-5", null);
        org.hl7.fhir.r4.model.Coding other = new org.hl7.fhir.r4.model.Coding("http://other", "18842-5", null);
        assertThat(scheme.kindOf("Composition", List.of(loinc, own)))
                .as("the scheme's own code decides")
                .isEqualTo("b");
        assertThat(scheme.kindOf("Composition", List.of(unknownOwn, loinc)))
                .as("an unknown own code is not overruled")
                .isEqualTo("unclassified");
        assertThat(scheme.kindOf("Composition", List.of(other, loinc))).isEqualTo("a");
        assertThat(scheme.kindOf(
                        "Composition", List.of(new org.hl7.fhir.r4.model.Coding("http://loinc.org", "11488", null))))
                .as("an unquoted numeric code")
                .isEqualTo("b");
        assertThat(scheme.kindOf("Composition", List.of(other)))
                .as("the type's default")
                .isEqualTo("b");
        assertThat(scheme.kindOf("DocumentReference", List.of(other)))
                .as("no default")
                .isEqualTo("unclassified");

        assertThatThrownBy(() -> load(base + "kindMapping: {careDocument: {codes: {\"http://loinc.org\": {x: c}}}}"))
                .hasMessageContaining("kindMapping.careDocument.codes.http://loinc.org.x: 'c' is not a kind");
        assertThatThrownBy(() ->
                        load(base + "kindMapping: {careDocument: {codes: {\"http://loinc.org\": {x: unclassified}}}}"))
                .hasMessageContaining("'unclassified' is not a kind");
        assertThatThrownBy(() -> load(base + "kindMapping: {careDocument: {codes: {\"http://x/doc\": {x: a}}}}"))
                .hasMessageContaining("the scheme's own codes are its kinds");
        assertThatThrownBy(() -> load(base + "kindMapping: {careDocument: {default: {Observation: a}}}"))
                .hasMessageContaining("Observation is not classified by careDocument");
        assertThatThrownBy(() -> load(base + "kindMapping: {careTopic: {default: {Observation: a}}}"))
                .hasMessageContaining("kindMapping.careTopic: no such scheme");
    }

    private static AccessPolicy load(String yaml) {
        return AccessPolicy.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- rendering ------------------------------------------------------------------------------

    private static final List<Relation> ORDER = List.of(
            Relation.CARE_TEAM,
            Relation.AUTHOR,
            Relation.AUTHOR_ORG,
            Relation.PATIENT_REGISTRAR,
            Relation.CONSENT,
            Relation.BREAK_GLASS,
            Relation.ADDRESSEE,
            Relation.SELF,
            Relation.PROXY,
            Relation.ANY);

    static String render(AccessPolicy policy) {
        List<String> roles = new ArrayList<>(policy.roles().keySet());
        StringBuilder out = new StringBuilder();
        out.append("# Access matrix (アクセス権限表)\n\n");
        out.append(
                "Generated from `server/src/main/resources/access-policy.yml` by `AccessMatrixTest`; do not edit by hand.\n");
        out.append("Regenerate: `mvn -pl server test -Dtest=AccessMatrixTest -Drenkei.writeDocs=true`.\n\n");
        out.append(
                "Each cell lists the relations to the patient under which the role may do the action; an empty cell\n");
        out.append(
                "means never. Anything not listed is denied. Reading under T, R or D also needs the patient's Consent.\n\n");
        out.append("| mark | relation | meaning |\n|---|---|---|\n");
        out.append(
                "| T | care-team | a current participant of an active CareTeam of the patient (by Practitioner, PractitionerRole or whole Organization) |\n");
        out.append("| W | author | the user wrote the record themself (its individual author) |\n");
        out.append(
                "| A | author-org | the record was written by the user's organisation (users without one: by themself); only to amend, delete or revoke a record the user may read |\n");
        out.append(
                "| R | patient-registrar | the user registered the patient themself (wrote the Patient resource) |\n");
        out.append(
                "| C | consent | an active privacy Consent of the patient permits the user this record (how a patient shares outside the care team) |\n");
        out.append(
                "| E | break-glass | the user declared an emergency for the patient (`POST Patient/{id}/$break-glass`), within its time limit |\n");
        out.append(
                "| D | addressee | the record (a Task) is addressed to the user, their role or their organisation (`Task.owner`) |\n");
        out.append("| S | self | the user is the patient |\n");
        out.append("| P | proxy | the user is an active RelatedPerson registered for the patient |\n");
        out.append("| * | any | no relation needed |\n\n");
        out.append(
                "Organisation membership alone grants nothing: the last column of each table, *same organisation, not on\n");
        out.append(
                "the team* (同じ組織・チーム外), names the roles that may act on such a record as a colleague of its author who\n");
        out.append(
                "is not in the patient's care team, not named by their Consent and not its author; only directory entries\n");
        out.append(
                "and registering a new patient remain. `AccessPolicyTableTest` and `OrganisationColleagueTest` check it.\n\n");
        out.append("Roles: ");
        out.append(roles.stream()
                .map(r -> "`" + r + "` " + policy.roles().get(r).label() + " (purpose "
                        + policy.roles().get(r).purpose() + ")")
                .collect(Collectors.joining(", ")));
        out.append(".\n\n");
        out.append(
                "Purpose: the HL7 v3 PurposeOfUse of the role's access, matched against Consent provisions and recorded\n");
        out.append(
                "in every AuditEvent (ETREAT under break-glass). `revoke` is withdrawing a Consent (`POST Consent/{id}/$revoke`); `respond` is the addressee changing a Task's status, reason, output and notes (docs/workflow.md).\n\n");
        out.append("Kinds: care-document types are codes of `")
                .append(system(policy, "careDocument"))
                .append("` in Composition.type / DocumentReference.type; care topics are codes of `")
                .append(system(policy, "careTopic"))
                .append("` in Observation/Communication/CommunicationRequest.category; ")
                .append("medication statuses are `MedicationStatement.status` (")
                .append(system(policy, "medicationStatus"))
                .append("); consent scopes are `Consent.scope` (")
                .append(system(policy, "consentScope"))
                .append("). ")
                .append(
                        "Without such a code, the first code of another system that the policy maps onto a kind decides ")
                .append(
                        "(Observation.category, then Observation.code), else the type's default below; a record whose first ")
                .append(
                        "code of the scheme's own system is one the hub does not know, or that has no kind by any of these, is `unclassified`.\n\n");
        for (AccessPolicy.KindScheme scheme : policy.schemes()) {
            out.append("| ").append(scheme.name()).append(" code | 名称 |\n|---|---|\n");
            scheme.labels()
                    .forEach((code, label) -> out.append("| `")
                            .append(code)
                            .append("` | ")
                            .append(label)
                            .append(" |\n"));
            out.append('\n');
            if (!scheme.mapped().isEmpty()) {
                out.append("| ").append(scheme.name()).append(": code of another system | kind |\n|---|---|\n");
                scheme.mapped()
                        .forEach((system, codes) -> codes.forEach((code, kind) -> out.append("| ")
                                .append(system)
                                .append(" `")
                                .append(code)
                                .append("` | `")
                                .append(kind)
                                .append("` |\n")));
                out.append('\n');
            }
            if (!scheme.defaults().isEmpty()) {
                out.append(scheme.name())
                        .append(" with no classifying code: ")
                        .append(scheme.defaults().entrySet().stream()
                                .map(d -> d.getKey() + " `" + d.getValue() + "`")
                                .collect(Collectors.joining(", ")))
                        .append(".\n\n");
            }
        }
        for (Action action : Action.values()) {
            out.append("## ").append(action.code()).append("\n\n| type (kind) |");
            roles.forEach(r -> out.append(' ').append(r).append(" |"));
            out.append(" same organisation, not on the team |\n|---|");
            roles.forEach(r -> out.append("---|"));
            out.append("---|");
            out.append('\n');
            for (String type : policy.types()) {
                AccessPolicy.KindScheme scheme = policy.scheme(type);
                List<String> kinds = scheme == null
                        ? java.util.Collections.singletonList(null)
                        : new ArrayList<>(scheme.labels().keySet());
                for (String kind : kinds) {
                    out.append("| ")
                            .append(type)
                            .append(kind == null ? "" : " (" + kind + ")")
                            .append(" |");
                    for (String role : roles) {
                        Set<Relation> rel = policy.relations(role, type, kind, action);
                        out.append(' ')
                                .append(ORDER.stream()
                                        .filter(rel::contains)
                                        .map(AccessMatrixTest::mark)
                                        .collect(Collectors.joining(" ")))
                                .append(" |");
                    }
                    List<String> colleagues = roles.stream()
                            .filter(role -> asColleague(policy, role, type, kind, action))
                            .toList();
                    out.append(' ')
                            .append(
                                    colleagues.isEmpty()
                                            ? "—"
                                            : colleagues.size() == roles.size()
                                                    ? "every role"
                                                    : String.join(", ", colleagues))
                            .append(" |");
                    out.append('\n');
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Whether a colleague of the record's author, outside the patient's care team and Consent, may do this:
     * they hold only {@code author-org} and {@code any}, and amending, deleting or revoking also needs reading.
     */
    static boolean asColleague(AccessPolicy policy, String role, String type, String kind, Action action) {
        Set<Relation> held = Set.of(Relation.AUTHOR_ORG, Relation.ANY);
        boolean may = policy.relations(role, type, kind, action).stream().anyMatch(held::contains);
        boolean reads = policy.relations(role, type, kind, Action.READ).stream().anyMatch(held::contains);
        return may && (action == Action.READ || action == Action.CREATE || reads);
    }

    private static String system(AccessPolicy policy, String scheme) {
        return policy.schemes().stream()
                .filter(s -> s.name().equals(scheme))
                .map(AccessPolicy.KindScheme::system)
                .findFirst()
                .orElse("");
    }

    private static String mark(Relation r) {
        return switch (r) {
            case CARE_TEAM -> "T";
            case AUTHOR -> "W";
            case AUTHOR_ORG -> "A";
            case PATIENT_REGISTRAR -> "R";
            case CONSENT -> "C";
            case BREAK_GLASS -> "E";
            case ADDRESSEE -> "D";
            case SELF -> "S";
            case PROXY -> "P";
            case ANY -> "*";
        };
    }
}
