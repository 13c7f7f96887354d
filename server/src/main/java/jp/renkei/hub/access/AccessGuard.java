package jp.renkei.hub.access;

import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.consent.ConsentDecision;
import jp.renkei.hub.consent.ConsentEvaluator;
import jp.renkei.hub.consent.PatientConsents;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.context.Permission;
import jp.renkei.hub.store.AccessLabels;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * Where every FHIR interaction is authorised: the caller's roles (through {@link AccessPolicy}),
 * their relation to the patient (through {@link CareRelations}), their token's SMART scopes and, for
 * reads as a care-team member or registrar, the patient's Consents must all allow it. {@code ResourceOperations} calls this class for each read, search, history
 * entry, include and write, so REST and Bundle requests follow the same rules.
 *
 * <p>A denied read of a patient's record answers 404, exactly as for a record that does not exist,
 * when the caller has no relation to that patient; when they do (they are in the care team but
 * their profession may not see this kind of record) it answers 403, which tells them nothing new.
 */
@Component
public class AccessGuard {

    private final AccessPolicy policy;
    private final CareRelations relations;
    private final CareLabeler labeler;
    private final Records records;
    private final PatientConsents consents;
    private final boolean enforcing;

    public AccessGuard(
            AccessPolicy policy,
            CareRelations relations,
            CareLabeler labeler,
            Records records,
            PatientConsents consents,
            AuthProperties auth) {
        this.policy = policy;
        this.relations = relations;
        this.labeler = labeler;
        this.records = records;
        this.consents = consents;
        this.enforcing = auth.enabled();
    }

    /** The caller of the current request; 401 when there is none and authentication is on. */
    public Caller caller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof CallerAuthentication ca) {
            return ca.caller();
        }
        if (!enforcing) {
            return Caller.UNRESTRICTED;
        }
        throw new AuthenticationException("アクセストークンが必要です (a bearer access token is required)");
    }

    /**
     * The current caller's identity claims, kept to judge for them later when no request is running
     * (a Subscription's owner when its events are sent); empty without authentication.
     */
    public Map<String, Object> callerClaims() {
        Jwt jwt = callerToken();
        Map<String, Object> claims = new LinkedHashMap<>();
        if (jwt != null) {
            JwtCallerConverter.IDENTITY_CLAIMS.stream()
                    .filter(name -> jwt.getClaims().get(name) != null)
                    .forEach(name -> claims.put(name, jwt.getClaims().get(name)));
        }
        return claims;
    }

    /** When the current caller's access token expires; null without authentication. */
    public Instant callerTokenExpiry() {
        Jwt jwt = callerToken();
        return jwt == null ? null : jwt.getExpiresAt();
    }

    /** The current caller's verified access token; null without authentication (401 when it is on). */
    private Jwt callerToken() {
        if (SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication ca
                && ca.getCredentials() instanceof Jwt jwt) {
            return jwt;
        }
        caller();
        return null;
    }

    /** A fresh Caller from {@link #callerClaims()}: relations and consents are worked out anew for it. */
    public Caller callerFrom(Map<String, Object> claims) {
        if (!enforcing) {
            return Caller.UNRESTRICTED;
        }
        return JwtCallerConverter.caller(claims, policy);
    }

    /**
     * Whether this record may be pushed to {@code caller} now, outside any request (a notification):
     * exactly the read rules, consent included, except that an emergency grant does not count, since
     * break-glass is for reading at the bedside, not for being kept informed.
     */
    public boolean mayNotify(Caller caller, StoredResource stored) {
        return allowed(
                caller,
                Action.READ,
                Permission.READ,
                stored.type(),
                labels(stored),
                new Date(stored.lastUpdated()),
                false);
    }

    /** Whether {@code caller} is now a participant of an active CareTeam of the patient. */
    public boolean inCareTeam(Caller caller, String patient) {
        return caller.unrestricted() || !relations.careTeams(caller, patient).isEmpty();
    }

    /** Whether the caller's profession may declare an emergency (break-glass) at all. */
    public boolean mayBreakGlass() {
        Caller caller = caller();
        return !caller.unrestricted() && caller.roles().stream().anyMatch(policy::mayBreakGlass);
    }

    /** Whether the caller administers the hub's audit trail (hub-admin, or tests without authentication). */
    public boolean mayAdministerAudit() {
        Caller caller = caller();
        return caller.unrestricted() || caller.roles().contains("hub-admin");
    }

    /**
     * Whether the caller administers the hub itself and may see its health (hub-admin, or tests without
     * authentication): by role, not by any read right a policy rule grants.
     */
    public boolean mayAdministerHub() {
        Caller caller = caller();
        return caller.unrestricted() || caller.roles().contains("hub-admin");
    }

    // ---- reads -------------------------------------------------------------------------------

    /** read, vread and history of one resource: 404 when hidden, 403 when seen but not allowed. */
    public void checkRead(StoredResource stored, String notKnownMessage) {
        Caller caller = caller();
        AccessLabels labels = labels(stored);
        Date dataDate = new Date(stored.lastUpdated());
        if (!allowed(caller, Action.READ, Permission.READ, stored.type(), labels, dataDate)) {
            AccessRecord.refused(labels.patients());
            throw related(caller, stored.type(), labels, dataDate)
                    ? forbidden(caller, Action.READ, stored.type(), labels)
                    : new ResourceNotFoundException(notKnownMessage);
        }
    }

    /** Before a search or type history: 403 when the caller may never read this type at all. */
    public void checkSearch(String type) {
        if (!maySearch(type)) {
            AccessRecord.refused(List.of());
            throw forbidden(caller(), Action.READ, type, null);
        }
    }

    /** Whether the caller may read some records of this type (else {@link #checkSearch} refuses); the system history skips the others. */
    public boolean maySearch(String type) {
        Caller caller = caller();
        return caller.unrestricted()
                || (caller.roles().stream().anyMatch(role -> policy.mayEver(role, type, Action.READ))
                        && caller.scopes().permitsSome(type, Permission.SEARCH));
    }

    /** The records of a result the caller may see, in order; {@code permission} is SMART's r or s. */
    public List<StoredResource> visible(List<StoredResource> records, Permission permission) {
        Caller caller = caller();
        if (caller.unrestricted()) {
            return records;
        }
        List<StoredResource> out = new ArrayList<>(records.size());
        for (StoredResource r : records) {
            if (allowed(caller, Action.READ, permission, r.type(), labels(r), new Date(r.lastUpdated()))) {
                out.add(r);
            }
        }
        return out;
    }

    // ---- writes ------------------------------------------------------------------------------

    /** Who owns what the current caller writes ({@link Caller#ownerKey()}). */
    public String owner() {
        return caller().ownerKey();
    }

    /** The current caller as the individual author of what they write ({@link Caller#authorKey()}). */
    public String author() {
        return caller().authorKey();
    }

    public void checkCreate(String type, String id, Resource resource) {
        Caller caller = caller();
        AccessLabels labels = labeler.label(id, resource).withWriter(caller.ownerKey(), caller.authorKey());
        if (!allowed(caller, Action.CREATE, Permission.CREATE, type, labels)) {
            AccessRecord.refused(labels.patients());
            throw forbidden(caller, Action.CREATE, type, labels);
        }
    }

    /**
     * An update must be allowed on the version it replaces (only its author's organisation amends it)
     * and on the new content, which must also be creatable by the caller when it names other patients.
     * A deleted resource is judged by its last version: re-creating it is amending it, so nobody else
     * takes over its id, history and owner.
     */
    public void checkUpdate(StoredResource before, String type, String id, Resource resource) {
        Caller caller = caller();
        if (before == null) {
            checkCreate(type, id, resource);
            return;
        }
        try {
            checkRead(before, type + "/" + id + " is not known");
        } catch (ResourceNotFoundException hidden) {
            // to this caller the id does not exist: the same answer as for one that never did (checkClientAssignedId)
            if (!mayChooseIds(caller)) {
                throw hubAssignsIds(type, id);
            }
            throw hidden;
        }
        AccessLabels old = labels(before);
        AccessLabels updated = labeler.label(id, resource).withWriter(old.owner(), old.author());
        boolean amends = allowed(caller, Action.UPDATE, Permission.UPDATE, type, old)
                && allowed(caller, Action.UPDATE, Permission.UPDATE, type, updated);
        if (!amends && !respondsOnly(caller, before)) {
            AccessRecord.refused(old.patients());
            throw forbidden(caller, Action.UPDATE, type, old);
        }
        Set<String> added = new HashSet<>(updated.patients());
        added.removeAll(old.patients());
        if (!added.isEmpty()
                && !allowed(
                        caller,
                        Action.CREATE,
                        Permission.CREATE,
                        type,
                        updated.withWriter(caller.ownerKey(), caller.authorKey()))) {
            AccessRecord.refused(updated.patients());
            throw forbidden(caller, Action.UPDATE, type, updated);
        }
    }

    /**
     * A PUT to an id that does not exist creates under the client's id: only roles the policy lets
     * choose ids (integrations, hub administrators). Anyone else gets 405, as http.html#update says for a
     * server that does not let this client define ids; {@link #checkUpdate} gives the same answer for a record
     * hidden from the caller, so an update cannot probe which ids exist.
     */
    public void checkClientAssignedId(String type, String id) {
        if (!mayChooseIds(caller())) {
            AccessRecord.refused(List.of());
            throw hubAssignsIds(type, id);
        }
    }

    private boolean mayChooseIds(Caller caller) {
        return caller.unrestricted() || policy.mayAssignIds(caller.roles());
    }

    private static MethodNotAllowedException hubAssignsIds(String type, String id) {
        return new MethodNotAllowedException(type + "/" + id + " はありません。id はこのサーバーが割り当てます。POST " + type
                + " で作成してください (there is no " + type + "/" + id
                + " to update, and this server assigns ids to new records:"
                + " create it with POST " + type + ")");
    }

    public void checkDelete(StoredResource before) {
        Caller caller = caller();
        checkRead(before, before.type() + "/" + before.id() + " is not known");
        if (!allowed(caller, Action.DELETE, Permission.DELETE, before.type(), labels(before))) {
            AccessRecord.refused(labels(before).patients());
            throw forbidden(caller, Action.DELETE, before.type(), labels(before));
        }
    }

    /**
     * Whether the caller may change this record only as its addressee (action {@code respond}: a Task's
     * status), not amend it; the workflow then refuses any other change.
     */
    public boolean respondsOnly(Caller caller, StoredResource before) {
        AccessLabels labels = labels(before);
        return !caller.unrestricted()
                && !allowed(caller, Action.UPDATE, Permission.UPDATE, before.type(), labels)
                && allowed(caller, Action.RESPOND, Action.RESPOND.permission(), before.type(), labels);
    }

    /** Withdrawing a Consent: the patient, their proxy, or the organisation that recorded it. */
    public void checkRevoke(StoredResource consent) {
        Caller caller = caller();
        checkRead(consent, "Consent/" + consent.id() + " is not known");
        if (!allowed(caller, Action.REVOKE, Action.REVOKE.permission(), "Consent", labels(consent))) {
            AccessRecord.refused(labels(consent).patients());
            throw forbidden(caller, Action.REVOKE, "Consent", labels(consent));
        }
    }

    /**
     * Lets the rest of a transaction see what this entry will write (see {@link Caller#stage}).
     * Only for transactions, which write all or nothing; a batch entry is stored before the next.
     */
    public void stage(WriteRequest request) {
        Caller caller = caller();
        if (caller.unrestricted() || request.isDelete()) {
            return;
        }
        StoredResource before = records.read(request.type(), request.id());
        boolean labelled = before != null && !before.deleted();
        caller.stage(
                request.type(),
                request.id(),
                request.resource(),
                labelled ? before.labels().owner() : request.owner(),
                labelled ? before.labels().author() : request.author());
    }

    // ---- the decision ------------------------------------------------------------------------

    boolean allowed(Caller caller, Action action, Permission permission, String type, AccessLabels labels) {
        return allowed(caller, action, permission, type, labels, null);
    }

    /**
     * Role, relation and scopes; and for reading a patient's record as a member of their care team or
     * as the person who registered them (rather than as the patient, their proxy or the
     * record's author), the patient's Consent too. {@code dataDate} is when the record was written.
     */
    boolean allowed(
            Caller caller, Action action, Permission permission, String type, AccessLabels labels, Date dataDate) {
        return allowed(caller, action, permission, type, labels, dataDate, true);
    }

    private boolean allowed(
            Caller caller,
            Action action,
            Permission permission,
            String type,
            AccessLabels labels,
            Date dataDate,
            boolean emergencyGrants) {
        if (caller.unrestricted()) {
            return true;
        }
        if (!caller.scopes().permits(type, permission, labels.patients(), caller.patient())) {
            return false;
        }
        for (String role : caller.roles()) {
            for (Relation relation : policy.relations(role, type, labels.kind(), action)) {
                if (relation == Relation.CONSENT) {
                    if (!labels.patients().isEmpty() && consentPermits(caller, type, labels, dataDate)) {
                        return true;
                    }
                } else if ((emergencyGrants || relation != Relation.BREAK_GLASS)
                        && relations.holds(caller, relation, labels)
                        && (!needsConsent(action, relation, labels)
                                || consentPermits(caller, type, labels, dataDate))) {
                    if (relation == Relation.BREAK_GLASS) {
                        AccessRecord.emergency();
                    }
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean needsConsent(Action action, Relation relation, AccessLabels labels) {
        return action == Action.READ
                && !labels.patients().isEmpty()
                && (relation == Relation.CARE_TEAM
                        || relation == Relation.PATIENT_REGISTRAR
                        || relation == Relation.ADDRESSEE);
    }

    /** Whether the Consents of every patient the record is about permit this caller to read it. */
    private boolean consentPermits(Caller caller, String type, AccessLabels labels, Date dataDate) {
        Date now = new Date();
        for (String patient : labels.patients()) {
            Set<String> actors = new HashSet<>();
            if (caller.practitioner() != null) {
                actors.add("Practitioner/" + caller.practitioner());
            }
            if (caller.practitionerRole() != null) {
                actors.add("PractitionerRole/" + caller.practitionerRole());
            }
            if (caller.organization() != null) {
                actors.add("Organization/" + caller.organization());
            }
            if (caller.relatedPerson() != null) {
                actors.add("RelatedPerson/" + caller.relatedPerson());
            }
            relations.careTeams(caller, patient).forEach(team -> actors.add("CareTeam/" + team));
            List<Consent> given = caller.remembered("consents:" + patient, () -> consents.of(patient));
            ConsentDecision.Request request = new ConsentDecision.Request(
                    actors, caller.roles(), type, labels.kind(), dataDate, caller.purpose(), now);
            if (ConsentEvaluator.decide(given, request) != ConsentDecision.PERMIT) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the caller stands in any relation to the record (including the patient's consent to
     * share it with them), so that a 403 reveals nothing to them.
     */
    private boolean related(Caller caller, String type, AccessLabels labels, Date dataDate) {
        if (policy.isDirectory(type)) {
            return true;
        }
        if (!labels.patients().isEmpty() && consentPermits(caller, type, labels, dataDate)) {
            return true;
        }
        for (Relation relation : List.of(
                Relation.AUTHOR,
                Relation.CARE_TEAM,
                Relation.SELF,
                Relation.PROXY,
                Relation.PATIENT_REGISTRAR,
                Relation.BREAK_GLASS,
                Relation.ADDRESSEE)) {
            if (relations.holds(caller, relation, labels)) {
                return true;
            }
        }
        return false;
    }

    /** Records written before the hub kept labels are treated as about nobody and owned by nobody. */
    private static AccessLabels labels(StoredResource stored) {
        return stored.labels();
    }

    private ForbiddenOperationException forbidden(Caller caller, Action action, String type, AccessLabels labels) {
        String what = labels == null || labels.kind() == null ? type : type + " (" + labels.kind() + ")";
        String roles = caller.roles().isEmpty() ? "(役割なし / no Renkei role)" : String.join(", ", caller.roles());
        return new ForbiddenOperationException("この操作は許可されていません: " + roles + " は " + what + " を "
                + action.code() + " できません (role " + roles + " may not " + action.code() + " " + what
                + " for this patient)");
    }
}
