package jp.renkei.hub.consent;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * Tells the patient's care managers and the organisations that wrote the patient's emergency sheet
 * and advance directive that someone declared an emergency: a Communication written by the hub
 * (pushed live to their Subscriptions on the break-glass topic).
 */
public final class BreakGlassNotice {

    static final String PROFESSION = "http://renkei.example.jp/fhir/CodeSystem/profession";
    private static final String TOPIC = "http://renkei.example.jp/fhir/CodeSystem/care-topic";
    /** The tag that marks a Communication as a break-glass notice (what the break-glass SubscriptionTopic reports). */
    public static final String NOTICE_SYSTEM = "http://renkei.example.jp/fhir/CodeSystem/notice";
    public static final String BREAK_GLASS = "break-glass";
    private static final Set<String> EMERGENCY_KINDS = Set.of("emergency-sheet", "advance-directive");

    private final ResourceStore store;
    private final SearchExecutor searches;
    private final FhirContext fhirContext;
    private final ZoneId zone;

    public BreakGlassNotice(ResourceStore store, SearchExecutor searches, FhirContext fhirContext, ZoneId zone) {
        this.store = store;
        this.searches = searches;
        this.fhirContext = fhirContext;
        this.zone = zone;
    }

    /** Writes the notice; returns its id, or null when the patient has nobody to tell. */
    public String send(String patient, String who, String whoReference, String reason, Instant until) {
        Set<String> recipients = new LinkedHashSet<>(careManagers(patient));
        for (String type : List.of("Composition", "DocumentReference", "Bundle")) {
            for (StoredResource doc : searches.aboutPatient(type, patient, false)) {
                if (doc.labels() != null && EMERGENCY_KINDS.contains(doc.labels().kind())
                        && doc.labels().owner() != null && doc.labels().owner().startsWith("Organization/")) {
                    recipients.add(doc.labels().owner());
                }
            }
        }
        if (recipients.isEmpty()) {
            return null;
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(zone);
        Communication notice = new Communication().setStatus(Communication.CommunicationStatus.COMPLETED)
                .setSubject(new Reference("Patient/" + patient)).setSent(new Date());
        notice.addCategory(new CodeableConcept(new Coding(TOPIC, "care-coordination", "連絡・調整")));
        notice.getMeta().addTag(NOTICE_SYSTEM, BREAK_GLASS, "緊急時アクセスの通知");
        notice.setSender(whoReference == null ? new Reference().setDisplay(who) : new Reference(whoReference).setDisplay(who));
        recipients.forEach(r -> notice.addRecipient(new Reference(r)));
        notice.addPayload().setContent(new StringType("緊急時アクセス（ブレークグラス）: " + who + " が "
                + time.format(Instant.now()) + " に救急対応のため閲覧を開始しました（" + time.format(until) + " まで）。理由: " + reason));
        String id = ResourceStore.newId();
        store.write(List.of(new WriteRequest("Communication", id, notice, null, null)));
        return id;
    }

    /** PractitionerRoles with the care-manager profession in the patient's active CareTeams. */
    private List<String> careManagers(String patient) {
        List<String> out = new ArrayList<>();
        for (StoredResource stored : searches.aboutPatient("CareTeam", patient, true)) {
            CareTeam team = fhirContext.newJsonParser().parseResource(CareTeam.class, stored.json());
            if (team.hasStatus() && team.getStatus() != CareTeam.CareTeamStatus.ACTIVE) {
                continue;
            }
            for (CareTeam.CareTeamParticipantComponent participant : team.getParticipant()) {
                String member = participant.getMember().getReference();
                if (member != null && member.startsWith("PractitionerRole/") && (isCareManager(participant.getRole())
                        || isCareManagerRole(member.substring("PractitionerRole/".length())))) {
                    out.add(member);
                }
            }
        }
        return out;
    }

    private boolean isCareManagerRole(String id) {
        StoredResource stored = store.read("PractitionerRole", id);
        return stored != null && !stored.deleted()
                && isCareManager(fhirContext.newJsonParser().parseResource(PractitionerRole.class, stored.json()).getCode());
    }

    private static boolean isCareManager(List<CodeableConcept> concepts) {
        return concepts.stream().flatMap(c -> c.getCoding().stream())
                .anyMatch(c -> PROFESSION.equals(c.getSystem()) && "care-manager".equals(c.getCode()));
    }

}
