package jp.renkei.hub.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The consent decision as a table: which Consents a patient has (status, rule, exception, period,
 * data period, purpose), who asks for which record, and what the patient's Consents decide.
 *
 * <p>A Consent is written {@code status:rule[:exception][@period][#dataPeriod][~purpose]}; several are
 * separated by {@code ;}. Rules: {@code permit-team} / {@code deny-team} (the care team),
 * {@code permit-pharmacy}, {@code deny-homecare} (an organisation), {@code permit-cw} (everyone who is a
 * care worker), {@code deny-all} (no actor: everyone). Exceptions: {@code x-deny-cw-plan} (not the care
 * plan to care workers), {@code x-permit-sheet} (the emergency sheet to the care team),
 * {@code x-deny-plan-2024} (not care plans written up to 2024). {@code @expired} ended 2025-03-31,
 * {@code @future} starts 2027; {@code #to2024} covers records written up to 2024; {@code ~TREAT} only for
 * treatment. Who asks: {@code cw} a care worker of the care team (purpose TREAT), {@code cm} a care manager
 * of the care team (purpose CAREMGT), {@code ph} a pharmacist outside it.
 */
class ConsentDecisionTableTest {

    private static final Date NOW = Date.from(Instant.parse("2026-11-23T03:00:00Z"));
    private static final String DOC = "http://renkei.example.jp/fhir/CodeSystem/care-document";

    @ParameterizedTest(name = "[{index}] {0} | {1} reads {2} of {3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                                 | cw | care-plan       | 2026 | NOT_APPLICABLE
            active:permit-team                                 | cw | care-plan       | 2026 | PERMIT
            inactive:permit-team                               | cw | care-plan       | 2026 | NOT_APPLICABLE
            rejected:permit-team                               | cw | care-plan       | 2026 | NOT_APPLICABLE
            entered-in-error:permit-team                       | cw | care-plan       | 2026 | NOT_APPLICABLE
            draft:permit-team                                  | cw | care-plan       | 2026 | NOT_APPLICABLE
            active:permit-team                                 | ph | care-plan       | 2026 | NOT_APPLICABLE
            active:permit-pharmacy                             | ph | care-plan       | 2026 | PERMIT
            active:permit-team:x-deny-cw-plan                  | cw | care-plan       | 2026 | DENY
            active:permit-team:x-deny-cw-plan                  | cw | emergency-sheet | 2026 | PERMIT
            active:permit-team:x-deny-cw-plan                  | cm | care-plan       | 2026 | PERMIT
            active:permit-team@expired                         | cw | care-plan       | 2026 | NOT_APPLICABLE
            active:permit-team@future                          | cw | care-plan       | 2026 | NOT_APPLICABLE
            active:permit-team#to2024                          | cw | care-plan       | 2024 | PERMIT
            active:permit-team#to2024                          | cw | care-plan       | 2026 | NOT_APPLICABLE
            active:permit-team;active:deny-homecare            | cw | care-plan       | 2026 | DENY
            active:permit-team;inactive:deny-homecare          | cw | care-plan       | 2026 | PERMIT
            active:permit-team;active:deny-homecare            | ph | care-plan       | 2026 | NOT_APPLICABLE
            active:deny-team                                   | cw | care-plan       | 2026 | DENY
            active:deny-all:x-permit-sheet                     | cw | emergency-sheet | 2026 | PERMIT
            active:deny-all:x-permit-sheet                     | cw | care-plan       | 2026 | DENY
            active:deny-all:x-permit-sheet                     | ph | emergency-sheet | 2026 | DENY
            active:permit-team~TREAT                           | cw | care-plan       | 2026 | PERMIT
            active:permit-team~TREAT                           | cm | care-plan       | 2026 | NOT_APPLICABLE
            active:permit-team:x-deny-plan-2024                | cw | care-plan       | 2024 | DENY
            active:permit-team:x-deny-plan-2024                | cw | care-plan       | 2026 | PERMIT
            active:permit-team:x-deny-plan-2024                | cw | emergency-sheet | 2024 | PERMIT
            active:permit-cw                                   | cw | emergency-sheet | 2026 | PERMIT
            active:permit-cw                                   | cm | emergency-sheet | 2026 | NOT_APPLICABLE
            active:permit-team;active:permit-pharmacy          | ph | emergency-sheet | 2026 | PERMIT
            active:permit-team:x-deny-cw-plan;active:permit-cw | cw | care-plan       | 2026 | DENY
            active:permit-team@expired;active:permit-pharmacy  | cw | care-plan       | 2026 | NOT_APPLICABLE
            """)
    void theConsentsDecide(String consents, String who, String kind, int recordYear, ConsentDecision expected) {
        List<Consent> given = new ArrayList<>();
        if (consents != null && !consents.isBlank()) {
            for (String spec : consents.split(";")) {
                given.add(consent(spec.trim()));
            }
        }
        Date written = Date.from(Instant.parse(recordYear + "-06-01T00:00:00Z"));
        assertThat(ConsentEvaluator.decide(given, request(who, kind, written))).isEqualTo(expected);
    }

    private static ConsentDecision.Request request(String who, String kind, Date written) {
        return switch (who) {
            case "cw" ->
                new ConsentDecision.Request(
                        Set.of("PractitionerRole/role-cw", "Organization/org-homecare", "CareTeam/ct"),
                        Set.of("care-worker"),
                        "Composition",
                        kind,
                        written,
                        "TREAT",
                        NOW);
            case "cm" ->
                new ConsentDecision.Request(
                        Set.of("PractitionerRole/role-cm", "Organization/org-homecare", "CareTeam/ct"),
                        Set.of("care-manager"),
                        "Composition",
                        kind,
                        written,
                        "CAREMGT",
                        NOW);
            case "ph" ->
                new ConsentDecision.Request(
                        Set.of("PractitionerRole/role-ph", "Organization/org-pharmacy"),
                        Set.of("pharmacist"),
                        "Composition",
                        kind,
                        written,
                        "TREAT",
                        NOW);
            default -> throw new IllegalArgumentException(who);
        };
    }

    private static Consent consent(String spec) {
        String rest = spec;
        String purpose = null;
        if (rest.contains("~")) {
            purpose = rest.substring(rest.indexOf('~') + 1);
            rest = rest.substring(0, rest.indexOf('~'));
        }
        String dataPeriod = null;
        if (rest.contains("#")) {
            dataPeriod = rest.substring(rest.indexOf('#') + 1);
            rest = rest.substring(0, rest.indexOf('#'));
        }
        String period = null;
        if (rest.contains("@")) {
            period = rest.substring(rest.indexOf('@') + 1);
            rest = rest.substring(0, rest.indexOf('@'));
        }
        String[] parts = rest.split(":");
        ProvisionComponent root = rule(parts[1]);
        if (parts.length > 2) {
            root.addProvision(exception(parts[2]));
        }
        if ("expired".equals(period)) {
            root.setPeriod(new Period().setEnd(Date.from(Instant.parse("2025-03-31T14:59:59Z"))));
        } else if ("future".equals(period)) {
            root.setPeriod(new Period().setStart(Date.from(Instant.parse("2027-01-01T00:00:00Z"))));
        } else if (period != null) {
            throw new IllegalArgumentException(period);
        }
        if ("to2024".equals(dataPeriod)) {
            root.setDataPeriod(new Period().setEnd(Date.from(Instant.parse("2024-12-31T14:59:59Z"))));
        } else if (dataPeriod != null) {
            throw new IllegalArgumentException(dataPeriod);
        }
        if (purpose != null) {
            root.addPurpose(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", purpose, null));
        }
        Consent consent = new Consent()
                .setStatus(Consent.ConsentState.fromCode(parts[0]))
                .setScope(new CodeableConcept(new Coding(ConsentEvaluator.SCOPE_SYSTEM, "patient-privacy", null)))
                .setPatient(new Reference("Patient/p"));
        consent.setProvision(root);
        return consent;
    }

    private static ProvisionComponent rule(String name) {
        return switch (name) {
            case "permit-team" -> actor(ConsentProvisionType.PERMIT, "CareTeam/ct", null);
            case "deny-team" -> actor(ConsentProvisionType.DENY, "CareTeam/ct", null);
            case "permit-pharmacy" -> actor(ConsentProvisionType.PERMIT, "Organization/org-pharmacy", null);
            case "deny-homecare" -> actor(ConsentProvisionType.DENY, "Organization/org-homecare", null);
            case "permit-cw" -> actor(ConsentProvisionType.PERMIT, null, "care-worker");
            case "deny-all" -> new ProvisionComponent().setType(ConsentProvisionType.DENY);
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static ProvisionComponent exception(String name) {
        return switch (name) {
            case "x-deny-cw-plan" ->
                actor(ConsentProvisionType.DENY, null, "care-worker").addCode(document("care-plan"));
            case "x-permit-sheet" ->
                actor(ConsentProvisionType.PERMIT, "CareTeam/ct", null).addCode(document("emergency-sheet"));
            case "x-deny-plan-2024" ->
                new ProvisionComponent()
                        .setType(ConsentProvisionType.DENY)
                        .addCode(document("care-plan"))
                        .setDataPeriod(new Period().setEnd(Date.from(Instant.parse("2024-12-31T14:59:59Z"))));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static CodeableConcept document(String kind) {
        return new CodeableConcept(new Coding(DOC, kind, null));
    }

    private static ProvisionComponent actor(ConsentProvisionType type, String reference, String profession) {
        ProvisionComponent p = new ProvisionComponent().setType(type);
        Consent.provisionActorComponent actor = p.addActor();
        if (reference != null) {
            actor.setReference(new Reference(reference));
        }
        actor.setRole(new CodeableConcept(
                profession != null
                        ? new Coding(Caller.PROFESSION_SYSTEM, profession, null)
                        : new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)));
        return p;
    }
}
