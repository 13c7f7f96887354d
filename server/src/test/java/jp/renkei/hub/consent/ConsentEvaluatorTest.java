package jp.renkei.hub.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.context.Caller;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

class ConsentEvaluatorTest {

    private static final Date NOW = Date.from(Instant.parse("2026-11-23T03:00:00Z"));
    private static final String DOC = "http://renkei.example.jp/fhir/CodeSystem/care-document";

    /** A care worker of the home-care office, member of 山田さん's care team. */
    private static ConsentDecision.Request careWorker(String type, String kind) {
        return new ConsentDecision.Request(
                Set.of("PractitionerRole/role-cw", "Organization/org-homecare", "CareTeam/ct-yamada"),
                Set.of("care-worker"),
                type,
                kind,
                NOW,
                "TREAT",
                NOW);
    }

    private static ConsentDecision.Request pharmacist(String type, String kind) {
        return new ConsentDecision.Request(
                Set.of("PractitionerRole/role-ph", "Organization/org-pharmacy"),
                Set.of("pharmacist"),
                type,
                kind,
                NOW,
                "TREAT",
                NOW);
    }

    private static Consent consent(ProvisionComponent root) {
        Consent c = new Consent()
                .setStatus(Consent.ConsentState.ACTIVE)
                .setScope(new CodeableConcept(new Coding(ConsentEvaluator.SCOPE_SYSTEM, "patient-privacy", null)))
                .setPatient(new Reference("Patient/pat-yamada"));
        c.setProvision(root);
        return c;
    }

    private static ProvisionComponent provision(ConsentProvisionType type) {
        return new ProvisionComponent().setType(type);
    }

    private static ProvisionComponent actor(ProvisionComponent p, String reference, String profession) {
        Consent.provisionActorComponent actor = p.addActor();
        if (reference != null) {
            actor.setReference(new Reference(reference));
        }
        if (profession != null) {
            actor.setRole(new CodeableConcept(new Coding(Caller.PROFESSION_SYSTEM, profession, null)));
        } else {
            actor.setRole(new CodeableConcept(
                    new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)));
        }
        return p;
    }

    /** 「ケアチームには全て共有、ただし事前指示書は介護職員には見せない」 */
    private static Consent shareWithTeamExceptDirectiveForCareWorkers() {
        ProvisionComponent root = actor(provision(ConsentProvisionType.PERMIT), "CareTeam/ct-yamada", null);
        ProvisionComponent exception = actor(provision(ConsentProvisionType.DENY), null, "care-worker");
        exception.addCode(new CodeableConcept(new Coding(DOC, "advance-directive", null)));
        root.addProvision(exception);
        return consent(root);
    }

    @Test
    void theCareTeamSeesEverythingExceptWhatAnExceptionTakesAway() {
        List<Consent> consents = List.of(shareWithTeamExceptDirectiveForCareWorkers());
        assertThat(ConsentEvaluator.decide(consents, careWorker("Composition", "care-plan")))
                .isEqualTo(ConsentDecision.PERMIT);
        assertThat(ConsentEvaluator.decide(consents, careWorker("Composition", "advance-directive")))
                .isEqualTo(ConsentDecision.DENY);
        // the pharmacist is not in the team: the Consent says nothing about them
        assertThat(ConsentEvaluator.decide(consents, pharmacist("MedicationStatement", null)))
                .isEqualTo(ConsentDecision.NOT_APPLICABLE);
    }

    @Test
    void aDenyInAnyApplicableConsentWins() {
        ProvisionComponent pharmacy = actor(provision(ConsentProvisionType.PERMIT), "Organization/org-pharmacy", null);
        ProvisionComponent noPharmacy = actor(provision(ConsentProvisionType.DENY), "Organization/org-pharmacy", null);
        assertThat(ConsentEvaluator.decide(List.of(consent(pharmacy)), pharmacist("MedicationStatement", null)))
                .isEqualTo(ConsentDecision.PERMIT);
        assertThat(ConsentEvaluator.decide(
                        List.of(consent(pharmacy), consent(noPharmacy)), pharmacist("MedicationStatement", null)))
                .isEqualTo(ConsentDecision.DENY);
    }

    @Test
    void onlyActivePrivacyConsentsCount() {
        Consent c = shareWithTeamExceptDirectiveForCareWorkers();
        for (Consent.ConsentState state : List.of(
                Consent.ConsentState.INACTIVE,
                Consent.ConsentState.REJECTED,
                Consent.ConsentState.ENTEREDINERROR,
                Consent.ConsentState.DRAFT,
                Consent.ConsentState.PROPOSED)) {
            c.setStatus(state);
            assertThat(ConsentEvaluator.decide(List.of(c), careWorker("Composition", "care-plan")))
                    .as(state.toCode())
                    .isEqualTo(ConsentDecision.NOT_APPLICABLE);
        }
        Consent research = shareWithTeamExceptDirectiveForCareWorkers();
        research.setScope(new CodeableConcept(new Coding(ConsentEvaluator.SCOPE_SYSTEM, "research", null)));
        assertThat(ConsentEvaluator.decide(List.of(research), careWorker("Composition", "care-plan")))
                .isEqualTo(ConsentDecision.NOT_APPLICABLE);
    }

    @Test
    void classCodePeriodDataPeriodAndPurposeNarrowAProvision() {
        ProvisionComponent root = actor(provision(ConsentProvisionType.PERMIT), "Organization/org-pharmacy", null);
        root.addClass_(new Coding("http://hl7.org/fhir/resource-types", "MedicationStatement", null));
        root.setPeriod(new Period()
                .setStart(Date.from(Instant.parse("2026-04-01T00:00:00Z")))
                .setEnd(Date.from(Instant.parse("2027-03-31T00:00:00Z"))));
        root.setDataPeriod(new Period().setStart(Date.from(Instant.parse("2026-01-01T00:00:00Z"))));
        root.addPurpose(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", null));
        List<Consent> consents = List.of(consent(root));
        assertThat(ConsentEvaluator.decide(consents, pharmacist("MedicationStatement", null)))
                .isEqualTo(ConsentDecision.PERMIT);
        assertThat(ConsentEvaluator.decide(consents, pharmacist("Condition", null)))
                .isEqualTo(ConsentDecision.NOT_APPLICABLE);
        ConsentDecision.Request old = new ConsentDecision.Request(
                Set.of("Organization/org-pharmacy"),
                Set.of("pharmacist"),
                "MedicationStatement",
                null,
                Date.from(Instant.parse("2025-06-01T00:00:00Z")),
                "TREAT",
                NOW);
        assertThat(ConsentEvaluator.decide(consents, old)).isEqualTo(ConsentDecision.NOT_APPLICABLE);
        ConsentDecision.Request later = new ConsentDecision.Request(
                Set.of("Organization/org-pharmacy"),
                Set.of("pharmacist"),
                "MedicationStatement",
                null,
                NOW,
                "TREAT",
                Date.from(Instant.parse("2027-06-01T00:00:00Z")));
        assertThat(ConsentEvaluator.decide(consents, later)).isEqualTo(ConsentDecision.NOT_APPLICABLE);
        ConsentDecision.Request research = new ConsentDecision.Request(
                Set.of("Organization/org-pharmacy"),
                Set.of("pharmacist"),
                "MedicationStatement",
                null,
                NOW,
                "HRESCH",
                NOW);
        assertThat(ConsentEvaluator.decide(consents, research)).isEqualTo(ConsentDecision.NOT_APPLICABLE);
    }

    @Test
    void aDenyWithADataPeriodAlsoCoversRecordsOfUnknownDate() {
        ProvisionComponent root = actor(provision(ConsentProvisionType.PERMIT), "CareTeam/ct-yamada", null);
        ProvisionComponent old = provision(ConsentProvisionType.DENY)
                .setDataPeriod(new Period().setEnd(Date.from(Instant.parse("2020-01-01T00:00:00Z"))));
        root.addProvision(old);
        ConsentDecision.Request undated = new ConsentDecision.Request(
                Set.of("CareTeam/ct-yamada"), Set.of("care-worker"), "Observation", "daily-living", null, "TREAT", NOW);
        assertThat(ConsentEvaluator.decide(List.of(consent(root)), undated)).isEqualTo(ConsentDecision.DENY);
        assertThat(ConsentEvaluator.decide(List.of(consent(root)), careWorker("Observation", "daily-living")))
                .isEqualTo(ConsentDecision.PERMIT);
    }

    @Test
    void aDenyByDefaultWithAnExceptionSharesOnlyTheException() {
        ProvisionComponent root = provision(ConsentProvisionType.DENY);
        ProvisionComponent emergency = actor(provision(ConsentProvisionType.PERMIT), null, "ems");
        emergency.addCode(new CodeableConcept(new Coding(DOC, "emergency-sheet", null)));
        root.addProvision(emergency);
        ConsentDecision.Request ems = new ConsentDecision.Request(
                Set.of("PractitionerRole/role-ems"),
                Set.of("ems"),
                "Composition",
                "emergency-sheet",
                NOW,
                "ETREAT",
                NOW);
        assertThat(ConsentEvaluator.decide(List.of(consent(root)), ems)).isEqualTo(ConsentDecision.PERMIT);
        ConsentDecision.Request emsDirective = new ConsentDecision.Request(
                Set.of("PractitionerRole/role-ems"),
                Set.of("ems"),
                "Composition",
                "advance-directive",
                NOW,
                "ETREAT",
                NOW);
        assertThat(ConsentEvaluator.decide(List.of(consent(root)), emsDirective))
                .isEqualTo(ConsentDecision.DENY);
        // sibling exceptions that disagree: the deny wins
        ProvisionComponent noEms = actor(provision(ConsentProvisionType.DENY), "PractitionerRole/role-ems", null);
        root.addProvision(noEms);
        assertThat(ConsentEvaluator.decide(List.of(consent(root)), ems)).isEqualTo(ConsentDecision.DENY);
    }

    @Test
    void anActorOfAnotherProfessionOrPersonDoesNotMatch() {
        ProvisionComponent root = actor(provision(ConsentProvisionType.PERMIT), "CareTeam/ct-yamada", "visiting-nurse");
        assertThat(ConsentEvaluator.decide(List.of(consent(root)), careWorker("Observation", "daily-living")))
                .isEqualTo(ConsentDecision.NOT_APPLICABLE);
        ProvisionComponent someoneElse =
                actor(provision(ConsentProvisionType.PERMIT), "PractitionerRole/role-other", null);
        assertThat(ConsentEvaluator.decide(List.of(consent(someoneElse)), careWorker("Observation", "daily-living")))
                .isEqualTo(ConsentDecision.NOT_APPLICABLE);
    }
}
