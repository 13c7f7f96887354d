package jp.renkei.hub.access;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every role x resource type (and care-document or care-topic kind) x relation to the patient x
 * action of access-policy.yml, through a running hub, with tokens from a test issuer. The expected
 * outcome of each case is worked out from the policy file and a plain model of the relations; the
 * hub must answer exactly that: 200/201 when allowed, 403 when the caller stands in some relation to
 * the patient, 404 (as for a missing record) when they do not, and searches that show only what
 * reads show.
 */
@Hub(own = "its 27,000 requests would fill the shared hub's audit trail and store for every class after it")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessPolicyTableTest {

    static final String P1 = "p1";

    /**
     * How the caller of a case stands to patient p1 and to the records (written by {@code author-a} of org-a;
     * p1 registered by {@code registrar} of org-r). {@code SAME_ORG} is a colleague of the author at org-a who
     * is not in p1's care team, not named by her Consent and not the author: organisation membership alone.
     */
    enum State {
        CARE_TEAM("org-b", null),
        AUTHOR("org-a", "author-a"),
        SAME_ORG("org-a", null),
        REGISTRAR("org-r", "registrar"),
        CONSENTED("org-k", null),
        ADDRESSEE("org-t", null),
        SELF(null, null),
        PROXY(null, null),
        OUTSIDER("org-c", null);

        final String organization;
        /** The token subject when the state is one person's, whatever their role; else one per role. */
        final String person;

        State(String organization, String person) {
            this.organization = organization;
            this.person = person;
        }
    }

    static final String RECORD_OWNER = "Organization/org-a";
    static final String RECORD_AUTHOR = "user/author-a";
    static final String PATIENT_OWNER = "Organization/org-r";
    static final String PATIENT_AUTHOR = "user/registrar";

    record Kinded(String type, String kind) {
        String recordId() {
            return type.equals("Patient")
                    ? P1
                    : ("rec-" + type + "-" + (kind == null ? "x" : kind)).toLowerCase(Locale.ROOT);
        }
    }

    private SecuredHub secured;
    private TestIssuer issuer;
    private HubInstance hub;
    private AccessPolicy policy;
    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private final List<Kinded> classes = new ArrayList<>();
    private final AtomicInteger clones = new AtomicInteger();

    @BeforeAll
    void start(SecuredHub secured) throws Exception {
        this.secured = secured;
        issuer = secured.issuer;
        hub = secured.hub;
        policy = hub.bean(AccessPolicy.class);

        seed(
                "Patient",
                P1,
                new Patient()
                        .addName(new org.hl7.fhir.r4.model.HumanName()
                                .setFamily("山田")
                                .addGiven("花子")),
                PATIENT_OWNER,
                PATIENT_AUTHOR);
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/" + P1)).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-org-b"));
        seed("CareTeam", "ct1", team, PATIENT_OWNER, PATIENT_AUTHOR);
        seed(
                "RelatedPerson",
                "rp1",
                new RelatedPerson().setPatient(new Reference("Patient/" + P1)),
                PATIENT_OWNER,
                PATIENT_AUTHOR);
        // p1 shares everything with her care team, the registering organisation and org-k outside the team:
        // the table checks roles and relations; ConsentAccessTest checks what Consents take away
        seed(
                "Consent",
                "consent-p1",
                CareRecords.sharingWith(
                        P1, "CareTeam/ct1", "Organization/org-r", "Organization/org-k", "Organization/org-t"),
                PATIENT_OWNER,
                PATIENT_AUTHOR);

        // the directory the example documents are sent through (a hub refuses a document to or from strangers)
        CareRecords.directory()
                .forEach(entry -> seed(entry.fhirType(), entry.getIdElement().getIdPart(), entry, null, null));

        List<String> types = new ArrayList<>(policy.types());
        types.add("AuditEvent");
        for (String type : types.stream().distinct().toList()) {
            AccessPolicy.KindScheme scheme = policy.scheme(type);
            if (scheme == null) {
                classes.add(new Kinded(type, null));
            } else {
                scheme.labels().keySet().forEach(kind -> classes.add(new Kinded(type, kind)));
            }
        }
        for (Kinded k : classes) {
            if (!k.type().equals("Patient")) {
                boolean hubs = k.type().equals("AuditEvent");
                seed(
                        k.type(),
                        k.recordId(),
                        CareRecords.about(k.type(), k.kind(), P1),
                        hubs ? null : RECORD_OWNER,
                        hubs ? null : RECORD_AUTHOR);
            }
        }
    }

    private void seed(String type, String id, Resource resource, String owner, String author) {
        secured.seed(type, id, resource, owner, author);
    }

    Stream<String> roles() {
        return policy.roles().keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roles")
    void everyKindRelationAndActionIsDecidedAsThePolicySays(String role) throws Exception {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger checked = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (State state : State.values()) {
                String token = token(role, state);
                for (Kinded k : classes) {
                    work.add(pool.submit(() -> {
                        checkCase(role, state, token, k, failures);
                        checked.incrementAndGet();
                    }));
                }
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(checked.get() >= classes.size() * State.values().length);
        assertTrue(
                failures.isEmpty(),
                role + ": " + failures.size() + " of " + checked.get() * 5 + " checks differ from the policy:\n"
                        + String.join("\n", failures.stream().sorted().limit(60).toList()));
    }

    private void checkCase(String role, State state, String token, Kinded k, List<String> failures) {
        String type = k.type();
        String id = k.recordId();
        String owner = type.equals("Patient") ? PATIENT_OWNER : type.equals("AuditEvent") ? null : RECORD_OWNER;
        String author = type.equals("Patient") ? PATIENT_AUTHOR : type.equals("AuditEvent") ? null : RECORD_AUTHOR;
        Writer writer = new Writer(owner, author);
        List<String> about = policy.isDirectory(type) ? List.of() : List.of(P1);
        String where = role + " / " + state + " / " + type + (k.kind() == null ? "" : "(" + k.kind() + ")");

        // read
        int readExpected = expectedExisting(role, state, Action.READ, k, about, writer);
        expect(failures, where + " read", readExpected, call("GET", "/" + type + "/" + id, null, token));

        // search: the record is in the result exactly when it can be read
        HttpResponse<String> search = call("GET", "/" + type + "?_id=" + id, null, token);
        if (!policy.roles().get(role).rules().stream()
                .anyMatch(r -> r.types().contains(type) && r.actions().contains(Action.READ))) {
            expect(failures, where + " search", 403, search);
        } else if (search.statusCode() != 200) {
            failures.add(where + " search: expected 200, got " + search.statusCode());
        } else {
            int total = json.parseResource(Bundle.class, search.body()).getTotal();
            int expectedTotal = readExpected == 200 ? 1 : 0;
            if (total != expectedTotal) {
                failures.add(where + " search: expected total " + expectedTotal + ", got " + total);
            }
        }
        if (type.equals("AuditEvent")) {
            return; // written by the hub only; no API writes to check
        }

        // create: the new record is about p1 (a new Patient is about itself) and owned by the caller
        Resource fresh = CareRecords.about(type, k.kind(), P1);
        List<String> newAbout = type.equals("Patient") ? List.of("new") : about;
        boolean mayCreate = allowed(
                role,
                state,
                Action.CREATE,
                k,
                newAbout,
                new Writer(ownerKey(role, state), "user/" + subject(role, state)));
        // a record that is not valid R4 is refused by validation, which runs after the access decision
        boolean valid = CareRecords.validR4(type, k.kind());
        expect(
                failures,
                where + " create",
                mayCreate ? valid ? 201 : 422 : 403,
                call("POST", "/" + type, fresh, token));

        // update: same content, so only the rules on the existing record decide
        Resource replacement = CareRecords.about(type, k.kind(), P1);
        replacement.setId(id);
        // a record hidden from the caller is to them an id that does not exist: 405 unless their role may choose ids
        int updateExpected = readExpected == 404 && !policy.mayAssignIds(java.util.Set.of(role))
                ? 405
                : readExpected != 200
                        ? readExpected
                        : allowed(role, state, Action.UPDATE, k, about, writer)
                                        || allowed(role, state, Action.RESPOND, k, about, writer)
                                ? 200
                                : 403;
        if (updateExpected == 200 && !valid) {
            updateExpected = 422;
        }
        expect(failures, where + " update", updateExpected, call("PUT", "/" + type + "/" + id, replacement, token));

        // delete: an allowed delete removes a copy, so that later cases still find the record
        int deleteExpected =
                readExpected != 200 ? readExpected : allowed(role, state, Action.DELETE, k, about, writer) ? 200 : 403;
        String target = id;
        if (deleteExpected == 200) {
            target = id + "-copy" + clones.incrementAndGet();
            seed(type, target, CareRecords.about(type, k.kind(), P1), owner, author);
            if (type.equals("Patient")) {
                // a copy of p1 is another patient, with no care team: only its author decides
                List<String> copyAbout = List.of(target);
                int copyRead = expectedExisting(role, state, Action.READ, k, copyAbout, writer);
                deleteExpected = copyRead != 200
                        ? copyRead
                        : allowed(role, state, Action.DELETE, k, copyAbout, writer) ? 200 : 403;
            }
        }
        expect(failures, where + " delete", deleteExpected, call("DELETE", "/" + type + "/" + target, null, token));

        // revoke (Consent only): an allowed revocation withdraws a copy, so the record stays active
        if (type.equals("Consent")) {
            int revokeExpected = readExpected != 200
                    ? readExpected
                    : allowed(role, state, Action.REVOKE, k, about, writer) ? 200 : 403;
            String revoked = revokeExpected == 200 ? id + "-copy" + clones.incrementAndGet() : id;
            if (revokeExpected == 200) {
                seed(type, revoked, CareRecords.about(type, k.kind(), P1), owner, author);
            }
            expect(
                    failures,
                    where + " revoke",
                    revokeExpected,
                    call("POST", "/Consent/" + revoked + "/$revoke", new org.hl7.fhir.r4.model.Parameters(), token));
        }
    }

    /** 200 when allowed; otherwise 403 if the caller stands in some relation to the record, else 404. */
    /** Who wrote a record: its owner (organisation) and its individual author. */
    record Writer(String owner, String author) {}

    private int expectedExisting(String role, State state, Action action, Kinded k, List<String> about, Writer writer) {
        if (allowed(role, state, action, k, about, writer)) {
            return 200;
        }
        boolean related = policy.isDirectory(k.type());
        for (Relation r : List.of(
                Relation.CARE_TEAM,
                Relation.AUTHOR,
                Relation.PATIENT_REGISTRAR,
                Relation.SELF,
                Relation.PROXY,
                Relation.CONSENT,
                Relation.ADDRESSEE)) {
            related |= holds(role, state, r, k, about, writer);
        }
        return related ? 403 : 404;
    }

    private boolean allowed(String role, State state, Action action, Kinded k, List<String> about, Writer writer) {
        return policy.relations(role, k.type(), k.kind(), action).stream()
                .anyMatch(r -> holds(role, state, r, k, about, writer));
    }

    /** The relations as the policy file defines them, for the fixed world this test seeds. */
    private boolean holds(String role, State state, Relation relation, Kinded k, List<String> about, Writer writer) {
        boolean onlyP1 = !about.isEmpty() && about.stream().allMatch(P1::equals);
        return switch (relation) {
            case ANY -> true;
            case AUTHOR -> writer.author() != null && writer.author().equals("user/" + subject(role, state));
            case AUTHOR_ORG -> writer.owner() != null && writer.owner().equals(ownerKey(role, state));
            case CARE_TEAM -> onlyP1 && state == State.CARE_TEAM;
            case PATIENT_REGISTRAR -> onlyP1 && state == State.REGISTRAR;
            case SELF -> onlyP1 && state == State.SELF;
            case PROXY -> onlyP1 && state == State.PROXY;
            case CONSENT ->
                onlyP1
                        && (state == State.CARE_TEAM
                                || state == State.REGISTRAR
                                || state == State.CONSENTED
                                || state == State.ADDRESSEE);
            case ADDRESSEE ->
                onlyP1 && state == State.ADDRESSEE && k.type().equals("Task"); // CareRecords' Tasks go to org-t
            case BREAK_GLASS -> false; // nobody declares an emergency here; BreakGlassTest covers it
        };
    }

    private static String subject(String role, State state) {
        return state.person != null ? state.person : role + "-" + state.name().toLowerCase(Locale.ROOT);
    }

    private static String ownerKey(String role, State state) {
        return state.organization != null ? "Organization/" + state.organization : "user/" + subject(role, state);
    }

    private String token(String role, State state) {
        TestIssuer.Token token = issuer.token().roles(role).subject(subject(role, state));
        switch (state) {
            case SELF -> token.claim("patient", P1);
            case PROXY -> token.claim("patient", P1).claim("related_person", "rp1");
            default ->
                token.claim("organization", state.organization)
                        .claim("practitioner", "pr-" + state.organization)
                        .claim("practitioner_role", "role-" + state.organization);
        }
        return token.sign();
    }

    private HttpResponse<String> call(String method, String path, Resource body, String token) {
        return hub.send(
                method,
                path,
                body == null ? null : "application/fhir+json",
                body == null ? null : json.encodeResourceToString(body),
                "Authorization",
                "Bearer " + token,
                "Accept",
                "application/fhir+json");
    }

    private static void expect(List<String> failures, String what, int expected, HttpResponse<String> response) {
        if (response.statusCode() != expected) {
            String body = response.body();
            failures.add(what + ": expected " + expected + ", got " + response.statusCode() + " "
                    + (body.length() > 300 ? body.substring(0, 300) : body));
        }
    }
}
