package jp.renkei.hub.access;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import jp.renkei.hub.consent.BreakGlassGrants;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.AccessLabels;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.springframework.stereotype.Component;

/**
 * Works out how a caller stands to the patients of a record, from what the hub stores: the
 * patient's CareTeams, RelatedPersons and the Patient resource itself. Each answer is remembered
 * for the rest of the request, so filtering a page of one patient's records looks up their care
 * team once.
 */
@Component
class CareRelations {

    private final Records records;
    private final SearchExecutor searches;
    private final BreakGlassGrants breakGlass;

    public CareRelations(Records records, SearchExecutor searches, BreakGlassGrants breakGlass) {
        this.records = records;
        this.searches = searches;
        this.breakGlass = breakGlass;
    }

    /** Whether the relation holds between the caller and every patient the record is about. */
    boolean holds(Caller caller, Relation relation, AccessLabels labels) {
        return switch (relation) {
            case ANY -> true;
            case AUTHOR -> labels.author() != null && labels.author().equals(caller.authorKey());
            case AUTHOR_ORG -> labels.owner() != null && labels.owner().equals(caller.ownerKey());
            case ADDRESSEE ->
                !labels.patients().isEmpty() && labels.addressees().stream().anyMatch(a -> caller.isNamedBy(a, true));
            default ->
                !labels.patients().isEmpty()
                        && labels.patients().stream().allMatch(patient -> holds(caller, relation, patient));
        };
    }

    private boolean holds(Caller caller, Relation relation, String patient) {
        return switch (relation) {
            case CARE_TEAM -> !careTeams(caller, patient).isEmpty();
            case PATIENT_REGISTRAR ->
                caller.<Boolean>remembered("registrar:" + patient, () -> registered(caller, patient));
            case BREAK_GLASS ->
                caller.<Boolean>remembered(
                        "break-glass:" + patient, () -> breakGlass.active(caller.subject(), patient));
            case CONSENT ->
                throw new IllegalArgumentException("consent is decided by AccessGuard with the record's type and kind");
            case SELF ->
                patient.equals(caller.patient()) && caller.relatedPerson() == null && caller.practitioner() == null;
            case PROXY ->
                caller.relatedPerson() != null
                        && caller.<Boolean>remembered("proxy:" + patient, () -> proxyOf(caller, patient));
            default -> throw new IllegalArgumentException(relation.code());
        };
    }

    /**
     * The ids of the patient's active CareTeams in which the caller currently participates, by
     * person, role or whole organisation; empty when they are in none.
     */
    List<String> careTeams(Caller caller, String patient) {
        return caller.remembered("care-teams:" + patient, () -> findCareTeams(caller, patient));
    }

    private List<String> findCareTeams(Caller caller, String patient) {
        Map<String, CareTeam> teams = new java.util.LinkedHashMap<>();
        for (StoredResource stored : searches.aboutPatient("CareTeam", patient, true)) {
            if (caller.staged("CareTeam", stored.id()) == null) {
                teams.put(stored.id(), records.resource(stored, CareTeam.class));
            }
        }
        for (Caller.Staged staged : caller.staged("CareTeam")) {
            CareTeam team = (CareTeam) staged.resource();
            if (("Patient/" + patient).equals(team.getSubject().getReference())) {
                teams.put(staged.id(), team);
            }
        }
        Date now = new Date();
        List<String> member = new ArrayList<>();
        for (Map.Entry<String, CareTeam> entry : teams.entrySet()) {
            CareTeam team = entry.getValue();
            if ((team.hasStatus() && team.getStatus() != CareTeam.CareTeamStatus.ACTIVE)
                    || !current(team.getPeriod(), now)) {
                continue;
            }
            for (CareTeam.CareTeamParticipantComponent participant : team.getParticipant()) {
                if (current(participant.getPeriod(), now)
                        && caller.isNamedBy(participant.getMember().getReference(), true)) {
                    member.add(entry.getKey());
                    break;
                }
            }
        }
        return List.copyOf(member);
    }

    private static boolean current(Period period, Date now) {
        return (!period.hasStart() || !period.getStart().after(now))
                && (!period.hasEnd() || !period.getEnd().before(now));
    }

    /** The caller registered the patient themself (wrote the Patient resource): membership of that organisation is not enough. */
    private boolean registered(Caller caller, String patient) {
        Caller.Staged staged = caller.staged("Patient", patient);
        if (staged != null) {
            return caller.authorKey() != null && caller.authorKey().equals(staged.author());
        }
        StoredResource stored = records.read("Patient", patient);
        return stored != null
                && !stored.deleted()
                && caller.authorKey() != null
                && caller.authorKey().equals(stored.labels().author());
    }

    /** The caller's RelatedPerson exists, is active and is registered for this patient. */
    private boolean proxyOf(Caller caller, String patient) {
        if (caller.patient() != null && !caller.patient().equals(patient)) {
            return false;
        }
        Caller.Staged staged = caller.staged("RelatedPerson", caller.relatedPerson());
        RelatedPerson person;
        if (staged != null) {
            person = (RelatedPerson) staged.resource();
        } else {
            StoredResource stored = records.read("RelatedPerson", caller.relatedPerson());
            if (stored == null || stored.deleted()) {
                return false;
            }
            person = records.resource(stored, RelatedPerson.class);
        }
        return (!person.hasActive() || person.getActive())
                && ("Patient/" + patient).equals(person.getPatient().getReference())
                && current(person.getPeriod(), new Date());
    }
}
