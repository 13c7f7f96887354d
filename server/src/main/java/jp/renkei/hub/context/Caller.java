package jp.renkei.hub.context;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Who is making the current request, from their access token: professions (roles), the FHIR
 * identities the realm links them to, the client they use and the SMART scopes it was granted.
 * One instance lives for one request and remembers the relations already worked out for it.
 */
public final class Caller {

    /** Identifier system of the token subject ({@code sub}) of a user in FHIR References and AuditEvents. */
    public static final String SUBJECT_SYSTEM = "urn:renkei:token-subject";

    /** The code system of the professions a caller's roles name. */
    public static final String PROFESSION_SYSTEM = "http://renkei.example.jp/fhir/CodeSystem/profession";

    /** The purpose of use when a role names none: treatment. */
    public static final String DEFAULT_PURPOSE = "TREAT";

    /** The caller when authentication is switched off for local tests (loopback only). */
    public static final Caller UNRESTRICTED = new Caller(
            "local",
            "local",
            null,
            null,
            Set.of(),
            null,
            null,
            null,
            null,
            null,
            SmartScopes.NONE,
            DEFAULT_PURPOSE,
            true);

    /**
     * The hub itself, writing on its own account (a break-glass notice, an audit event, a hand-off flagged overdue, a
     * Consent withdrawn on its patient's request): the write rules judge its writes like anyone's.
     */
    public static final Caller HUB = new Caller(
            "hub",
            "hub",
            "Renkei hub",
            null,
            Set.of(),
            null,
            null,
            null,
            null,
            null,
            SmartScopes.NONE,
            DEFAULT_PURPOSE,
            true);

    private final String subject;
    private final String username;
    private final String name;
    private final String client;
    private final Set<String> roles;
    private final String practitioner;
    private final String practitionerRole;
    private final String organization;
    private final String patient;
    private final String relatedPerson;
    private final SmartScopes scopes;
    private final String purpose;
    private final boolean unrestricted;
    private final Map<String, Object> memo = new HashMap<>();
    private final Map<String, Staged> staged = new LinkedHashMap<>();

    /** A resource an earlier entry of the caller's transaction writes, with the owner and author it will have. */
    public record Staged(String type, String id, Resource resource, String owner, String author) {}

    public Caller(
            String subject,
            String username,
            String name,
            String client,
            Set<String> roles,
            String practitioner,
            String practitionerRole,
            String organization,
            String patient,
            String relatedPerson,
            SmartScopes scopes,
            String purpose,
            boolean unrestricted) {
        this.subject = subject;
        this.username = username;
        this.name = name;
        this.client = client;
        this.roles = Set.copyOf(roles);
        this.practitioner = practitioner;
        this.practitionerRole = practitionerRole;
        this.organization = organization;
        this.patient = patient;
        this.relatedPerson = relatedPerson;
        this.scopes = scopes;
        this.purpose = purpose;
        this.unrestricted = unrestricted;
    }

    /** Whether this is {@link #HUB}: the hub writing on its own account. */
    public boolean isHub() {
        return this == HUB;
    }

    public String subject() {
        return subject;
    }

    public String username() {
        return username;
    }

    /**
     * The person's name as their access token gives it ({@code family_name given_name}, else {@code name}), for people
     * reading the audit trail — the patient above all, who knows no logins; null when the token gives none.
     */
    public String name() {
        return name;
    }

    public String client() {
        return client;
    }

    public Set<String> roles() {
        return roles;
    }

    public String practitioner() {
        return practitioner;
    }

    public String practitionerRole() {
        return practitionerRole;
    }

    public String organization() {
        return organization;
    }

    public String patient() {
        return patient;
    }

    public String relatedPerson() {
        return relatedPerson;
    }

    /**
     * The FHIR resource that stands for this user: their PractitionerRole, else Practitioner, else
     * RelatedPerson, else Patient; null for users with none (a hub administrator, a system client).
     */
    public String fhirIdentity() {
        if (practitionerRole != null) {
            return "PractitionerRole/" + practitionerRole;
        }
        if (practitioner != null) {
            return "Practitioner/" + practitioner;
        }
        if (relatedPerson != null) {
            return "RelatedPerson/" + relatedPerson;
        }
        return patient != null ? "Patient/" + patient : null;
    }

    /**
     * The user as a FHIR Reference: their {@link #fhirIdentity()} when they have one, always the
     * token subject as identifier and the user name as display.
     */
    public Reference asReference() {
        Reference who = new Reference();
        if (fhirIdentity() != null) {
            who.setReference(fhirIdentity());
        }
        return who.setIdentifier(new Identifier().setSystem(SUBJECT_SYSTEM).setValue(subject))
                .setDisplay(username);
    }

    /** Why this user accesses records: an HL7 v3 PurposeOfUse code from the access policy ({@link AccessPolicy#purposeOf}). */
    public String purpose() {
        return purpose;
    }

    public SmartScopes scopes() {
        return scopes;
    }

    /** Authentication is off (local tests only): no user, every request allowed. */
    public boolean unrestricted() {
        return unrestricted;
    }

    /**
     * Who owns what this caller writes: their organisation, or for people acting for none (an
     * ambulance crew member, a hub administrator) themselves.
     */
    public String ownerKey() {
        if (unrestricted) {
            return null;
        }
        return organization != null ? "Organization/" + organization : "user/" + subject;
    }

    /**
     * This caller as the individual author of what they write ({@code user/<subject>}): the person, whatever
     * organisation they act for.
     */
    public String authorKey() {
        return unrestricted ? null : "user/" + subject;
    }

    /** The references by which a CareTeam may name this caller as a participant, or a Task as its addressee. */
    public boolean isNamedBy(String reference, boolean organizationWide) {
        if (reference == null) {
            return false;
        }
        return (practitioner != null && reference.equals("Practitioner/" + practitioner))
                || (practitionerRole != null && reference.equals("PractitionerRole/" + practitionerRole))
                || (organizationWide && organization != null && reference.equals("Organization/" + organization));
    }

    /** What was worked out about this caller earlier in the request (relations, care teams, consents). */
    @SuppressWarnings("unchecked")
    public <T> T remembered(String key, Supplier<T> work) {
        Object known = memo.get(key);
        if (known == null) {
            known = work.get();
            memo.put(key, known);
        }
        return (T) known;
    }

    /**
     * Remembers what an entry of the caller's transaction will write, so that later entries of the
     * same transaction are judged as if it were stored: registering a patient and forming their
     * care team is one transaction.
     */
    public void stage(String type, String id, Resource resource, String owner, String author) {
        staged.put(type + "/" + id, new Staged(type, id, resource, owner, author));
        memo.clear();
    }

    public Staged staged(String type, String id) {
        return staged.get(type + "/" + id);
    }

    public List<Staged> staged(String type) {
        return staged.values().stream().filter(s -> s.type().equals(type)).toList();
    }

    /** For log lines: who, never what about. */
    @Override
    public String toString() {
        return username + roles;
    }
}
