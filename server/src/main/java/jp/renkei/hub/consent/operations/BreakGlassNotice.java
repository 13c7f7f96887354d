package jp.renkei.hub.consent.operations;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.Writes;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
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
    private static final String NAME_REPRESENTATION =
            "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

    private final Records records;
    private final Writes writes;
    private final SearchExecutor searches;
    private final ZoneId zone;

    public BreakGlassNotice(Records records, Writes writes, SearchExecutor searches, ZoneId zone) {
        this.records = records;
        this.writes = writes;
        this.searches = searches;
        this.zone = zone;
    }

    /**
     * Writes the notice, naming the declarant as {@link #describe} does; returns its id, or null when the patient has
     * nobody to tell. {@code tokenName} is the name their access token gives (null: none).
     */
    public String send(String patient, Caller declarant, String tokenName, String reason, Instant until) {
        String who = describe(declarant, tokenName);
        String whoReference = declarant.fhirIdentity();
        Set<String> recipients = new LinkedHashSet<>(careManagers(patient));
        for (String type : List.of("Composition", "DocumentReference", "Bundle")) {
            for (StoredResource doc : searches.aboutPatient(type, patient, false)) {
                if (EMERGENCY_KINDS.contains(doc.labels().kind())
                        && doc.labels().owner() != null
                        && doc.labels().owner().startsWith("Organization/")) {
                    recipients.add(doc.labels().owner());
                }
            }
        }
        if (recipients.isEmpty()) {
            return null;
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(zone);
        Communication notice = new Communication()
                .setStatus(Communication.CommunicationStatus.COMPLETED)
                .setSubject(new Reference("Patient/" + patient))
                .setSent(new Date());
        notice.addCategory(new CodeableConcept(new Coding(TOPIC, "care-coordination", "連絡・調整")));
        notice.getMeta().addTag(NOTICE_SYSTEM, BREAK_GLASS, "緊急時アクセスの通知");
        notice.setSender(
                whoReference == null ? new Reference().setDisplay(who) : new Reference(whoReference).setDisplay(who));
        recipients.forEach(r -> notice.addRecipient(new Reference(r)));
        notice.addPayload()
                .setContent(new StringType("緊急時アクセス（ブレークグラス）: " + who + " が " + time.format(Instant.now())
                        + " に救急対応のため閲覧を開始しました（" + time.format(until) + " まで）。理由: " + reason));
        String id = Records.newId();
        writes.byTheHub(List.of(new WriteRequest("Communication", id, notice, null, null)));
        return id;
    }

    /**
     * The declarant as the care team knows them, never by their login alone: organisation, profession and name from the
     * directory (their PractitionerRole, its Organization and Practitioner: 救急隊 木村 隆), the name from their token's
     * name claims when the directory has none, and their login only when nothing gives a name.
     */
    private String describe(Caller declarant, String tokenName) {
        List<String> parts = new ArrayList<>();
        String name = null;
        PractitionerRole role = declarant.practitionerRole() == null
                ? null
                : read(PractitionerRole.class, "PractitionerRole/" + declarant.practitionerRole());
        if (role != null) {
            parts.add(organisationName(role.getOrganization()));
            parts.add(profession(role.getCode()));
            name = practitionerName(role.getPractitioner());
        }
        if (name == null && declarant.practitioner() != null) {
            name = practitionerName(new Reference("Practitioner/" + declarant.practitioner()));
        }
        if (name == null) {
            name = tokenName;
        }
        parts.add(name == null ? declarant.username() : name);
        return parts.stream()
                .filter(p -> p != null && !p.isBlank())
                .map(String::trim)
                .collect(Collectors.joining(" "));
    }

    private String organisationName(Reference organization) {
        if (organization == null || !organization.hasReference()) {
            return organization == null ? null : organization.getDisplay();
        }
        Organization known = read(Organization.class, organization.getReference());
        return known != null && known.hasName() ? known.getName() : organization.getDisplay();
    }

    /** The hub's profession as the directory words it (救急隊), else the role's text. */
    private static String profession(List<CodeableConcept> codes) {
        for (CodeableConcept code : codes) {
            for (Coding coding : code.getCoding()) {
                if (PROFESSION.equals(coding.getSystem()) && coding.hasDisplay()) {
                    return coding.getDisplay();
                }
            }
        }
        return codes.stream()
                .filter(CodeableConcept::hasText)
                .map(CodeableConcept::getText)
                .findFirst()
                .orElse(null);
    }

    /** The practitioner's written name (not a kana reading), else the reference's display. */
    private String practitionerName(Reference practitioner) {
        if (practitioner == null || practitioner.isEmpty()) {
            return null;
        }
        Practitioner known = practitioner.hasReference() ? read(Practitioner.class, practitioner.getReference()) : null;
        if (known != null) {
            for (HumanName name : known.getName()) {
                if (name.getExtensionByUrl(NAME_REPRESENTATION) == null) {
                    String written = name.hasText()
                            ? name.getText()
                            : ((name.hasFamily() ? name.getFamily() : "") + " " + name.getGivenAsSingleString()).trim();
                    if (!written.isBlank()) {
                        return written;
                    }
                }
            }
        }
        return practitioner.hasDisplay() ? practitioner.getDisplay() : null;
    }

    private <T extends Resource> T read(Class<T> type, String reference) {
        int slash = reference.indexOf('/');
        if (slash < 0 || !reference.substring(0, slash).equals(type.getSimpleName())) {
            return null;
        }
        StoredResource stored = records.read(type.getSimpleName(), reference.substring(slash + 1));
        return stored == null || stored.deleted() ? null : records.resource(stored, type);
    }

    /** PractitionerRoles with the care-manager profession in the patient's active CareTeams. */
    private List<String> careManagers(String patient) {
        List<String> out = new ArrayList<>();
        for (StoredResource stored : searches.aboutPatient("CareTeam", patient, true)) {
            CareTeam team = records.resource(stored, CareTeam.class);
            if (team.hasStatus() && team.getStatus() != CareTeam.CareTeamStatus.ACTIVE) {
                continue;
            }
            for (CareTeam.CareTeamParticipantComponent participant : team.getParticipant()) {
                String member = participant.getMember().getReference();
                if (member != null
                        && member.startsWith("PractitionerRole/")
                        && (isCareManager(participant.getRole())
                                || isCareManagerRole(member.substring("PractitionerRole/".length())))) {
                    out.add(member);
                }
            }
        }
        return out;
    }

    private boolean isCareManagerRole(String id) {
        StoredResource stored = records.read("PractitionerRole", id);
        return stored != null
                && !stored.deleted()
                && isCareManager(
                        records.resource(stored, PractitionerRole.class).getCode());
    }

    private static boolean isCareManager(List<CodeableConcept> concepts) {
        return concepts.stream()
                .flatMap(c -> c.getCoding().stream())
                .anyMatch(c -> PROFESSION.equals(c.getSystem()) && "care-manager".equals(c.getCode()));
    }
}
