package jp.renkei.hub.audit;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.access.RejectedTokens;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.Writes;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Writes one AuditEvent per FHIR interaction, shaped after the IHE Basic Audit Log Patterns: who
 * (user, their FHIR identity and professions, organisation, client application, network address),
 * what (every patient and every record version involved, and the query of a search), the
 * interaction, its outcome and when. Each event is stored durably and linked into the
 * {@link AuditChain} before the response goes out.
 */
@Component
public class AuditTrail implements RejectedTokens {

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    private static final Pattern PATIENT_PATH = Pattern.compile("^/fhir/Patient/([A-Za-z0-9\\-.]{1,64})(?:/.*)?$");

    private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    static final String PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    private final Records records;
    private final Writes writes;
    private final AuditChain chain;
    private final AccessGuard guard;
    private final ObjectProvider<RecordsShown> observers;

    public AuditTrail(
            Records records,
            Writes writes,
            AuditChain chain,
            AccessGuard guard,
            ObjectProvider<RecordsShown> observers) {
        this.records = records;
        this.writes = writes;
        this.chain = chain;
        this.guard = guard;
        this.observers = observers;
    }

    /** Records the interaction; throws when the event cannot be stored, so that the access fails too. */
    public void record(RequestDetails request, AccessRecord access, int status) {
        AuditEvent event = event(request, access, status);
        writes.append(List.of(new WriteRequest("AuditEvent", Records.newId(), event, null, null)), this::chain);
        if (status < 400 && !access.records().isEmpty()) {
            Caller caller = guard.caller();
            RestOperationTypeEnum operation = request.getRestOperationType();
            String interaction = operation == RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE
                    ? request.getOperation()
                    : operation == null ? "" : operation.getCode();
            observers.orderedStream().forEach(observer -> {
                try {
                    observer.shown(caller, interaction, access.records());
                } catch (RuntimeException e) {
                    log.warn("Could not note what {} was shown", caller.subject(), e);
                }
            });
        }
    }

    /**
     * Records a request refused before any user is known: no token, or a token that failed its
     * checks (signature, issuer, audience, expiry). Nothing of the token is trusted, so the event names
     * no user, only the network address, the request line and, when the path names one, the patient
     * whose record was asked for, so that the patient sees the attempt too. The request fails anyway;
     * when the event cannot be stored that is logged as an error.
     */
    @Override
    public void recordRejectedToken(HttpServletRequest request, String reason) {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding(DCM, "110114", "User Authentication")).addSubtype(new Coding(DCM, "110122", "Login"));
        event.setAction(AuditEventAction.E)
                .setRecorded(new Date())
                .setOutcome(AuditEventOutcome._4)
                .setOutcomeDesc("token rejected: " + reason);
        event.addAgent()
                .setRequestor(true)
                .setWho(new Reference().setDisplay("unauthenticated"))
                .getNetwork()
                .setAddress(request.getRemoteAddr())
                .setType(AuditEvent.AuditEventAgentNetworkType._2);
        source(event);
        Matcher patient = PATIENT_PATH.matcher(request.getRequestURI());
        if (patient.matches()) {
            patientEntity(event, patient.group(1));
        }
        String line = request.getMethod() + " " + request.getRequestURI()
                + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        queryEntity(event, line);
        try {
            writes.append(List.of(new WriteRequest("AuditEvent", Records.newId(), event, null, null)), this::chain);
        } catch (RuntimeException e) {
            log.error("Could not store the audit event of a rejected token from {}", request.getRemoteAddr(), e);
        }
    }

    /**
     * Records an alert about the audit trail itself (its chain or its anchors): who and what are the hub, and
     * {@code problem} names links, AuditEvent ids, checkpoints and files only, never a patient. {@code key} names the
     * problem: the event's id is derived from it, so an alert is recorded once however often, and by however many
     * nodes, it is raised.
     */
    void recordSecurityAlert(String key, String subtype, String display, String problem) {
        String id = UUID.nameUUIDFromBytes(("security-alert|" + key).getBytes(StandardCharsets.UTF_8))
                .toString();
        if (records.read("AuditEvent", id) != null) {
            return;
        }
        AuditEvent event = new AuditEvent();
        event.setType(new Coding(DCM, "110113", "Security Alert"))
                .addSubtype(new Coding("http://renkei.example.jp/fhir/CodeSystem/audit-subtype", subtype, display));
        event.setAction(AuditEventAction.E)
                .setRecorded(new Date())
                .setOutcome(AuditEventOutcome._8)
                .setOutcomeDesc(problem);
        event.addAgent()
                .setRequestor(false)
                .setWho(new Reference().setDisplay("Renkei hub"))
                .setType(new CodeableConcept(new Coding(DCM, "110150", "Application")));
        source(event);
        writes.append(List.of(new WriteRequest("AuditEvent", id, event, null, null)), this::chain);
    }

    /**
     * A notification sent to a Subscription's owner: the patients and records it disclosed. {@code key}
     * names it uniquely (its change and Subscription), so it is recorded once however often it is reported.
     */
    public record Notified(
            String key,
            Caller recipient,
            String subscription,
            Collection<String> patients,
            Collection<String> records) {

        /** The key of a change's disclosure to a Subscription. */
        public static String key(String change, String subscription) {
            return change + "|" + subscription;
        }

        /** The id of the AuditEvent recording the disclosure with this key. */
        public static String auditEventId(String key) {
            return UUID.nameUUIDFromBytes(("notification|" + key).getBytes(StandardCharsets.UTF_8))
                    .toString();
        }
    }

    /**
     * Records that the hub pushed records to Subscription owners (notifications: disclosures nobody
     * asked for in that moment), all in one durable write. Each event's id comes from its key; when
     * {@code repeated} (the notifications come from changes taken again after a crash), those already
     * recorded are skipped.
     */
    public void recordNotifications(List<Notified> notifications, boolean repeated) {
        if (notifications.isEmpty()) {
            return;
        }
        Map<String, Notified> byId = new java.util.LinkedHashMap<>();
        notifications.forEach(n -> byId.put(Notified.auditEventId(n.key()), n));
        if (repeated) {
            records.readCurrent("AuditEvent", List.copyOf(byId.keySet()), false)
                    .forEach(done -> byId.remove(done.id()));
        }
        List<WriteRequest> events = new java.util.ArrayList<>();
        for (Map.Entry<String, Notified> entry : byId.entrySet()) {
            Notified n = entry.getValue();
            AuditEvent event = new AuditEvent();
            event.setType(new Coding(DCM, "110106", "Export"))
                    .addSubtype(new Coding(
                            "http://renkei.example.jp/fhir/CodeSystem/audit-subtype", "notification", "購読通知の送信"));
            event.setAction(AuditEventAction.R).setRecorded(new Date()).setOutcome(AuditEventOutcome._0);
            event.addPurposeOfEvent(
                    new CodeableConcept(new Coding(PURPOSE_SYSTEM, n.recipient().purpose(), null)));
            userAgents(event, n.recipient());
            source(event);
            recordEntities(event, n.patients(), n.records());
            event.addEntity()
                    .setWhat(new Reference("Subscription/" + n.subscription()))
                    .setType(
                            new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
                    .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "9", "Subscriber"));
            events.add(new WriteRequest("AuditEvent", entry.getKey(), event, null, null));
        }
        if (events.isEmpty()) {
            return;
        }
        writes.append(events, this::chain);
    }

    /** Chains the stored events; the store flushes the chain with them. */
    private void chain(List<StoredResource> events) {
        events.forEach(stored -> chain.append(stored.id(), stored.json()));
    }

    /** The user (with their professions) and their organisation. */
    private static AuditEventAgentComponent userAgents(AuditEvent event, Caller caller) {
        AuditEventAgentComponent user = event.addAgent()
                .setRequestor(true)
                .setType(new CodeableConcept(new Coding(
                        "http://terminology.hl7.org/CodeSystem/extra-security-role-type", "humanuser", "human user")));
        user.setWho(caller.asReference()).setAltId(caller.username());
        // The patient reads this event to learn who looked at their record: the person's name as their token gives it
        // (a Subscription keeps the name claims, so a notification's event names them too), the login only in altId.
        if (caller.name() != null) {
            user.getWho().setDisplay(caller.name());
        }
        caller.roles()
                .forEach(role -> user.addRole(new CodeableConcept(new Coding(Caller.PROFESSION_SYSTEM, role, null))));
        if (caller.organization() != null) {
            event.addAgent()
                    .setRequestor(false)
                    .setWho(new Reference("Organization/" + caller.organization()))
                    .setType(new CodeableConcept(new Coding(
                            "http://terminology.hl7.org/CodeSystem/v3-RoleClass", "PROV", "healthcare provider")));
        }
        return user;
    }

    private static void recordEntities(AuditEvent event, Collection<String> patients, Collection<String> records) {
        for (String patient : patients) {
            patientEntity(event, patient);
        }
        for (String record : records) {
            event.addEntity()
                    .setWhat(new Reference(record))
                    .setType(
                            new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
                    .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "4", "Domain Resource"));
        }
    }

    private static void source(AuditEvent event) {
        event.getSource()
                .setSite("Renkei")
                .setObserver(new Reference().setDisplay("Renkei hub"))
                .addType(new Coding(
                        "http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
    }

    private static void patientEntity(AuditEvent event, String patient) {
        event.addEntity()
                .setWhat(new Reference("Patient/" + patient))
                .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"))
                .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
    }

    private static void queryEntity(AuditEvent event, String query) {
        event.addEntity()
                .setQuery(query.getBytes(StandardCharsets.UTF_8))
                .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
                .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query"));
    }

    private AuditEvent event(RequestDetails request, AccessRecord access, int status) {
        RestOperationTypeEnum operation = request.getRestOperationType();
        AuditEvent event = new AuditEvent();
        event.setType(
                new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"));
        if (operation != null) {
            event.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", operation.getCode(), null));
        }
        if (access.breakGlassDeclared()) {
            event.addSubtype(new Coding(
                    "http://renkei.example.jp/fhir/CodeSystem/audit-subtype", "break-glass", "緊急時アクセス（ブレークグラス）"));
        }
        event.setAction(action(operation));
        event.setRecorded(new Date());
        if (status < 400) {
            event.setOutcome(AuditEventOutcome._0);
        } else {
            event.setOutcome(status < 500 ? AuditEventOutcome._4 : AuditEventOutcome._8);
            event.setOutcomeDesc((access.denied() ? "denied " : "failed ") + status);
        }

        Caller caller = guard.caller();
        // Access under an emergency grant is for emergency treatment, whatever the role usually does.
        String purpose = access.emergencyAccess() ? "ETREAT" : caller.purpose();
        event.addPurposeOfEvent(new CodeableConcept(new Coding(PURPOSE_SYSTEM, purpose, null)));
        AuditEventAgentComponent user = userAgents(event, caller);
        if (request instanceof ServletRequestDetails servlet) {
            user.getNetwork()
                    .setAddress(servlet.getServletRequest().getRemoteAddr())
                    .setType(AuditEvent.AuditEventAgentNetworkType._2);
        }
        if (caller.client() != null) {
            event.addAgent()
                    .setRequestor(false)
                    .setWho(new Reference()
                            .setIdentifier(new Identifier()
                                    .setSystem("urn:renkei:oauth-client")
                                    .setValue(caller.client())))
                    .setType(new CodeableConcept(new Coding(DCM, "110150", "Application")));
        }
        source(event);
        recordEntities(event, access.patients(), access.records());
        if (operation == RestOperationTypeEnum.SEARCH_TYPE || operation == RestOperationTypeEnum.SEARCH_SYSTEM) {
            String query = request.getRequestPath()
                    + (request.getCompleteUrl().contains("?")
                            ? request.getCompleteUrl()
                                    .substring(request.getCompleteUrl().indexOf('?'))
                            : "");
            queryEntity(event, query);
        } else if (access.query() != null) {
            queryEntity(event, access.query());
        }
        return event;
    }

    private static AuditEventAction action(RestOperationTypeEnum operation) {
        if (operation == null) {
            return AuditEventAction.E;
        }
        return switch (operation) {
            case CREATE -> AuditEventAction.C;
            case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM, GET_PAGE -> AuditEventAction.R;
            case UPDATE -> AuditEventAction.U;
            case DELETE -> AuditEventAction.D;
            default -> AuditEventAction.E;
        };
    }
}
