package jp.renkei.hub.consent.operations;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Recording a Consent through a running hub: its source is required, the hub stamps who recorded
 * it and when, and the patient and their proxy revoke it, which ends the sharing on the next request.
 * Also the audit of requests refused for their token, and the purpose of use in audit events.
 */
@Hub(own = "it reads the whole audit trail as the hub administrator: its first 500 events must be this class's")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsentRecordingTest {

    private SecuredHub world;
    private HubInstance hub;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        hub = world.hub;
        for (String patient : List.of("pa", "pb")) {
            world.seed(
                    "Patient",
                    patient,
                    new Patient().addName(new HumanName().setFamily("岩手").addGiven("一郎")),
                    "Organization/org-hospital");
            CareTeam team = new CareTeam()
                    .setSubject(new Reference("Patient/" + patient))
                    .setStatus(CareTeam.CareTeamStatus.ACTIVE);
            team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
            team.addParticipant().setMember(new Reference("PractitionerRole/role-cw"));
            world.seed("CareTeam", "ct-" + patient, team, "Organization/org-hospital");
            world.seed(
                    "Observation",
                    "obs-" + patient,
                    CareRecords.about("Observation", "daily-living", patient),
                    "Organization/org-hospital");
        }
        world.seed(
                "RelatedPerson",
                "rp-pa",
                new RelatedPerson()
                        .setPatient(new Reference("Patient/pa"))
                        .setActive(true)
                        .addName(new HumanName().setFamily("岩手").addGiven("花子")),
                "Organization/org-hospital");
    }

    private String careManager() {
        return world.issuer
                .token()
                .roles("care-manager")
                .subject("cm-sasaki")
                .claim("preferred_username", "cm.sasaki")
                .claim("practitioner", "pr-cm")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
    }

    private String careWorker() {
        return world.issuer
                .token()
                .roles("care-worker")
                .claim("practitioner_role", "role-cw")
                .claim("organization", "org-homecare")
                .sign();
    }

    private String patient(String id) {
        return world.issuer
                .token()
                .roles("patient")
                .subject("patient-" + id)
                .claim("patient", id)
                .sign();
    }

    private String proxy() {
        return world.issuer
                .token()
                .roles("family")
                .subject("family-pa")
                .claim("patient", "pa")
                .claim("related_person", "rp-pa")
                .sign();
    }

    private HttpResponse<String> send(String method, String path, Resource body, String token) {
        return body == null
                ? hub.send(method, path, null, null, "Authorization", "Bearer " + token)
                : hub.send(
                        method,
                        path,
                        "application/fhir+json",
                        json.encodeResourceToString(body),
                        "Authorization",
                        "Bearer " + token);
    }

    private HttpResponse<String> revoke(String id, String reason, String token) {
        Parameters p = new Parameters();
        if (reason != null) {
            p.addParameter().setName("reason").setValue(new StringType(reason));
        }
        return send("POST", "/Consent/" + id + "/$revoke", p, token);
    }

    private String create(Consent consent) {
        HttpResponse<String> created = send("POST", "/Consent", consent, careManager());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json.parseResource(Consent.class, created.body()).getIdElement().getIdPart();
    }

    private Consent read(String id) {
        return json.parseResource(Consent.class, world.store.read("Consent", id).json());
    }

    private static Extension stamp(Consent consent) {
        return consent.getExtensionByUrl(ConsentRecording.RECORDING);
    }

    private static String part(Extension stamp, String name) {
        Extension part = stamp.getExtensionByUrl(name);
        if (part == null) {
            return null;
        }
        return part.getValue() instanceof Reference r
                ? r.getReference()
                : part.getValue().primitiveValue();
    }

    private int consentsOf(String patient, String token) {
        return json.parseResource(
                        Bundle.class,
                        send("GET", "/Consent?patient=Patient/" + patient, null, token)
                                .body())
                .getTotal();
    }

    @Test
    void aPrivacyConsentWithoutItsSourceIsRefusedAndNothingIsStored() {
        int before = consentsOf("pb", patient("pb"));
        Consent noSource = CareRecords.sharingWith("pb", "CareTeam/ct-pb");
        noSource.setSource(null);
        HttpResponse<String> refused = send("POST", "/Consent", noSource, careManager());
        assertThat(refused.statusCode()).isEqualTo(422);
        OperationOutcome outcome = json.parseResource(OperationOutcome.class, refused.body());
        assertThat(outcome.getIssueFirstRep().getExpression())
                .extracting(StringType::getValue)
                .containsExactly("Consent.source[x]");
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("同意の根拠");

        Consent wrongReference = CareRecords.sharingWith("pb", "CareTeam/ct-pb");
        wrongReference.setSource(new Reference("Observation/obs-pb"));
        HttpResponse<String> wrong = send("POST", "/Consent", wrongReference, careManager());
        assertThat(wrong.statusCode()).isEqualTo(422);
        assertThat(json.parseResource(OperationOutcome.class, wrong.body())
                        .getIssueFirstRep()
                        .getExpression())
                .extracting(StringType::getValue)
                .containsExactly("Consent.source.ofType(Reference)");

        Consent emptyForm = CareRecords.sharingWith("pb", "CareTeam/ct-pb");
        emptyForm.setSource(new Attachment().setTitle("同意書"));
        assertThat(send("POST", "/Consent", emptyForm, careManager()).statusCode())
                .isEqualTo(422);

        // in a transaction, the whole transaction is refused
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        tx.addEntry()
                .setFullUrl("urn:uuid:5e0c7a52-8d0b-4c1e-9a57-2f3c4d5e6f70")
                .setResource(CareRecords.about("Observation", "daily-living", "pb"))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Observation");
        tx.addEntry()
                .setFullUrl("urn:uuid:5e0c7a52-8d0b-4c1e-9a57-2f3c4d5e6f71")
                .setResource(noSource)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Consent");
        assertThat(send("POST", "/", tx, careManager()).statusCode()).isEqualTo(422);
        assertThat(consentsOf("pb", patient("pb"))).isEqualTo(before);

        // a QuestionnaireResponse is an accepted source too
        Consent answered = CareRecords.sharingWith("pb", "CareTeam/ct-pb");
        answered.setSource(new Reference("QuestionnaireResponse/qr-consent-pb"));
        create(answered);
        assertThat(consentsOf("pb", patient("pb"))).isEqualTo(before + 1);
    }

    @Test
    void theHubStampsWhoRecordedItWhenAndWhatTheyDidWhateverTheClientSays() {
        Consent consent = CareRecords.sharingWith("pa", "CareTeam/ct-pa");
        Extension forged = consent.addExtension().setUrl(ConsentRecording.RECORDING);
        forged.addExtension("agent", new Reference("Practitioner/someone-else"));
        forged.addExtension("action", new org.hl7.fhir.r4.model.CodeType("record"));
        Instant sent = Instant.now();
        String id = create(consent);

        Consent stored = read(id);
        assertThat(stored.getExtensionsByUrl(ConsentRecording.RECORDING)).hasSize(1);
        Extension stamp = stamp(stored);
        assertThat(part(stamp, "action")).isEqualTo("record");
        assertThat(part(stamp, "agent")).isEqualTo("PractitionerRole/role-cm");
        assertThat(((Reference) stamp.getExtensionByUrl("agent").getValue()).getDisplay())
                .isEqualTo("cm.sasaki");
        assertThat(part(stamp, "organization")).isEqualTo("Organization/org-homecare");
        assertThat(((Coding) stamp.getExtensionByUrl("role").getValue()).getCode())
                .isEqualTo("care-manager");
        Instant recorded = ((org.hl7.fhir.r4.model.InstantType)
                        stamp.getExtensionByUrl("recorded").getValue())
                .getValue()
                .toInstant();
        assertThat(Duration.between(sent, recorded).abs()).isLessThan(Duration.ofMinutes(1));
        assertThat(stored.hasDateTime()).isTrue();

        // an amendment by the recording organisation is stamped as such; the first version keeps its stamp
        stored.setId(id);
        stored.getProvision()
                .addPurpose(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", null));
        assertThat(send("PUT", "/Consent/" + id, stored, careManager()).statusCode())
                .isEqualTo(200);
        assertThat(part(stamp(read(id)), "action")).isEqualTo("amend");
        Consent first = json.parseResource(
                Consent.class, world.store.readVersion("Consent", id, 1).json());
        assertThat(part(stamp(first), "action")).isEqualTo("record");
    }

    @Test
    void thePatientAndTheirProxyReadAndRevokeTheirConsentsAndTheSharingEndsAtOnce() {
        String id = create(CareRecords.sharingWith("pa", "CareTeam/ct-pa"));
        String careWorker = careWorker();
        assertThat(send("GET", "/Observation/obs-pa", null, careWorker).statusCode())
                .isEqualTo(200);

        // the patient lists their Consents
        Bundle listed = json.parseResource(
                Bundle.class,
                send("GET", "/Consent?patient=Patient/pa", null, patient("pa")).body());
        assertThat(listed.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .contains(id);

        // nobody else may revoke it: another patient, a care worker of the team, the patient through an update
        assertThat(revoke(id, null, patient("pb")).statusCode()).isEqualTo(404);
        assertThat(revoke(id, null, careWorker).statusCode()).isEqualTo(403);
        Consent edited = read(id).setStatus(Consent.ConsentState.INACTIVE);
        edited.setId(id);
        assertThat(send("PUT", "/Consent/" + id, edited, patient("pa")).statusCode())
                .isEqualTo(403);
        assertThat(revoke("no-such-consent", null, patient("pa")).statusCode()).isEqualTo(404);

        HttpResponse<String> revoked = revoke(id, "家族と相談して共有をやめる", patient("pa"));
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        Consent after = json.parseResource(Consent.class, revoked.body());
        assertThat(after.getStatus()).isEqualTo(Consent.ConsentState.INACTIVE);
        Extension stamp = stamp(read(id));
        assertThat(part(stamp, "action")).isEqualTo("revoke");
        assertThat(part(stamp, "agent")).isEqualTo("Patient/pa");
        assertThat(part(stamp, "reason")).isEqualTo("家族と相談して共有をやめる");
        // the very next request of the care team is refused
        assertThat(send("GET", "/Observation/obs-pa", null, careWorker).statusCode())
                .isEqualTo(403);

        // revoking again changes nothing
        long version = world.store.read("Consent", id).version();
        assertThat(revoke(id, null, patient("pa")).statusCode()).isEqualTo(200);
        assertThat(world.store.read("Consent", id).version()).isEqualTo(version);

        // the registered proxy revokes another Consent of the patient
        String second = create(CareRecords.sharingWith("pa", "CareTeam/ct-pa"));
        assertThat(send("GET", "/Observation/obs-pa", null, careWorker).statusCode())
                .isEqualTo(200);
        assertThat(revoke(second, null, proxy()).statusCode()).isEqualTo(200);
        assertThat(part(stamp(read(second)), "agent")).isEqualTo("RelatedPerson/rp-pa");
        assertThat(send("GET", "/Observation/obs-pa", null, careWorker).statusCode())
                .isEqualTo(403);

        // the revocation is in the audit trail the patient can read, with its purpose of use
        Bundle events = json.parseResource(
                Bundle.class,
                send("GET", "/AuditEvent?patient=Patient/pa&_count=500", null, patient("pa"))
                        .body());
        List<AuditEvent> revocations = events.getEntry().stream()
                .map(e -> (AuditEvent) e.getResource())
                .filter(e -> e.getEntity().stream()
                        .anyMatch(x -> ("Consent/" + id + "/_history/"
                                        + after.getIdElement().getVersionIdPart())
                                .equals(x.getWhat().getReference())))
                .toList();
        assertThat(revocations).anySatisfy(e -> {
            assertThat(e.getAgentFirstRep().getWho().getReference()).isEqualTo("Patient/pa");
            assertThat(e.getPurposeOfEventFirstRep().getCodingFirstRep().getCode())
                    .isEqualTo("PATRQT");
        });
        assertThat(events.getEntry())
                .extracting(e -> ((AuditEvent) e.getResource())
                        .getPurposeOfEventFirstRep()
                        .getCodingFirstRep()
                        .getCode())
                .contains("CAREMGT", "TREAT", "PATRQT", "FAMRQT");
    }

    /** A care manager of an organisation that is not on the patient's care team. */
    private String outsideCareManager() {
        return world.issuer
                .token()
                .roles("care-manager")
                .subject("cm-other")
                .claim("practitioner", "pr-other")
                .claim("practitioner_role", "role-other")
                .claim("organization", "org-other")
                .sign();
    }

    /** What the web app sends when the patient (or their proxy, {@code performer}) starts sharing with an organisation. */
    private static Consent grantTo(String patient, String performer, String organization) {
        Consent consent = new Consent()
                .setStatus(Consent.ConsentState.ACTIVE)
                .setScope(new org.hl7.fhir.r4.model.CodeableConcept(
                        new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)))
                .addCategory(new org.hl7.fhir.r4.model.CodeableConcept(
                        new Coding("http://loinc.org", "59284-0", "Patient Consent")))
                .setPatient(new Reference("Patient/" + patient))
                .addPerformer(new Reference(performer))
                .setSource(new Attachment()
                        .setContentType("text/plain; charset=utf-8")
                        .setTitle("本人による共有の開始")
                        .setData("いわて在宅ケアセンターと記録を共有します。".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .setPolicyRule(new org.hl7.fhir.r4.model.CodeableConcept(
                        new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", null)));
        consent.getProvision()
                .setType(Consent.ConsentProvisionType.PERMIT)
                .addActor()
                .setRole(new org.hl7.fhir.r4.model.CodeableConcept(
                        new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)))
                .setReference(new Reference(organization));
        return consent;
    }

    private int observationsSeen(String patient, String token) {
        HttpResponse<String> search = send("GET", "/Observation?patient=Patient/" + patient, null, token);
        assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, search.body()).getTotal();
    }

    /**
     * The patient and their proxy start sharing with an organisation outside the care team by recording a privacy
     * Consent naming it, and stop it with $revoke; each counts for that organisation's member from the very next request.
     * Neither may record one for another patient, nor an advance directive or another scope.
     */
    @Test
    void thePatientAndTheirProxyStartAndStopSharingWithAnOrganisationAndItCountsAtOnce() {
        world.seed("Organization", "org-other", new org.hl7.fhir.r4.model.Organization().setName("ひまわり薬局"), null);
        String outsider = outsideCareManager();
        assertThat(send("GET", "/Observation/obs-pa", null, outsider).statusCode())
                .isEqualTo(404);
        assertThat(observationsSeen("pa", outsider)).isZero();

        // the patient starts sharing
        HttpResponse<String> granted =
                send("POST", "/Consent", grantTo("pa", "Patient/pa", "Organization/org-other"), patient("pa"));
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
        String id =
                json.parseResource(Consent.class, granted.body()).getIdElement().getIdPart();
        Extension stamp = stamp(read(id));
        assertThat(part(stamp, "action")).isEqualTo("record");
        assertThat(part(stamp, "agent")).isEqualTo("Patient/pa");
        // the organisation's member reads at once, the record and in searches
        assertThat(send("GET", "/Observation/obs-pa", null, outsider).statusCode())
                .isEqualTo(200);
        assertThat(observationsSeen("pa", outsider)).isEqualTo(1);
        // and nothing of the other patient
        assertThat(send("GET", "/Observation/obs-pb", null, outsider).statusCode())
                .isEqualTo(404);

        // she stops it: the very next request is refused again
        assertThat(revoke(id, null, patient("pa")).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/Observation/obs-pa", null, outsider).statusCode())
                .isEqualTo(404);
        assertThat(observationsSeen("pa", outsider)).isZero();

        // her proxy does the same for her
        HttpResponse<String> byProxy =
                send("POST", "/Consent", grantTo("pa", "RelatedPerson/rp-pa", "Organization/org-other"), proxy());
        assertThat(byProxy.statusCode()).as(byProxy.body()).isEqualTo(201);
        String second =
                json.parseResource(Consent.class, byProxy.body()).getIdElement().getIdPart();
        assertThat(part(stamp(read(second)), "agent")).isEqualTo("RelatedPerson/rp-pa");
        assertThat(send("GET", "/Observation/obs-pa", null, outsider).statusCode())
                .isEqualTo(200);
        assertThat(revoke(second, null, proxy()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/Observation/obs-pa", null, outsider).statusCode())
                .isEqualTo(404);

        // not for another patient, by neither of them, and nothing is stored
        int consentsOfPb = consentsOf("pb", patient("pb"));
        assertThat(send("POST", "/Consent", grantTo("pb", "Patient/pa", "Organization/org-other"), patient("pa"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(send("POST", "/Consent", grantTo("pb", "RelatedPerson/rp-pa", "Organization/org-other"), proxy())
                        .statusCode())
                .isEqualTo(403);
        assertThat(consentsOf("pb", patient("pb"))).isEqualTo(consentsOfPb);
        assertThat(send("GET", "/Observation/obs-pb", null, outsider).statusCode())
                .isEqualTo(404);
        // only sharing: not an advance directive, not a consent to treatment
        for (String scope : List.of("adr", "treatment")) {
            Consent other = grantTo("pa", "Patient/pa", "Organization/org-other");
            other.getScope().getCodingFirstRep().setCode(scope);
            assertThat(send("POST", "/Consent", other, patient("pa")).statusCode())
                    .as(scope)
                    .isEqualTo(403);
        }
        // a patient-made grant still needs its source, like any privacy Consent
        Consent noSource = grantTo("pa", "Patient/pa", "Organization/org-other");
        noSource.setSource(null);
        assertThat(send("POST", "/Consent", noSource, patient("pa")).statusCode())
                .isEqualTo(422);
        assertThat(send("GET", "/Observation/obs-pa", null, outsider).statusCode())
                .isEqualTo(404);
    }

    @Test
    void requestsRefusedForTheirTokenAreAuditedWithoutTrustingTheToken() {
        assertThat(hub.send("GET", "/Patient/pb/$everything", null, null).statusCode())
                .isEqualTo(401);
        String foreign = world.issuer
                .token()
                .roles("physician")
                .claim("organization", "org-hospital")
                .foreignKey()
                .sign();
        assertThat(hub.send("GET", "/Observation?patient=Patient/pb", null, null, "Authorization", "Bearer " + foreign)
                        .statusCode())
                .isEqualTo(401);
        assertThat(hub.send("GET", "/Patient/pb", null, null, "Authorization", "Bearer " + foreign)
                        .statusCode())
                .isEqualTo(401);

        String admin = world.issuer.token().roles("hub-admin").sign();
        Bundle all = json.parseResource(
                Bundle.class, send("GET", "/AuditEvent?_count=500", null, admin).body());
        List<AuditEvent> rejected = all.getEntry().stream()
                .map(e -> (AuditEvent) e.getResource())
                .filter(e -> "110114".equals(e.getType().getCode()))
                .toList();
        assertThat(rejected)
                .extracting(AuditEvent::getOutcomeDesc)
                .contains("token rejected: no token", "token rejected: signature not verified");
        assertThat(rejected).allSatisfy(e -> {
            assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
            assertThat(e.getAgentFirstRep().getWho().getReference()).isNull();
            assertThat(e.getAgentFirstRep().getNetwork().getAddress()).isEqualTo("127.0.0.1");
        });
        assertThat(rejected)
                .anySatisfy(e -> assertThat(new String(
                                e.getEntity().get(e.getEntity().size() - 1).getQuery(),
                                java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("GET /fhir/Observation?patient=Patient/pb"));
        // the patient sees the attempts on their own record
        Bundle mine = json.parseResource(
                Bundle.class,
                send("GET", "/AuditEvent?patient=Patient/pb&_count=500", null, patient("pb"))
                        .body());
        assertThat(mine.getEntry())
                .extracting(e -> ((AuditEvent) e.getResource()).getType().getCode())
                .contains("110114");
        // without the query text, which may name other people; hub-admin saw it above
        assertThat(mine.getEntry())
                .flatExtracting(e -> ((AuditEvent) e.getResource()).getEntity())
                .filteredOn(entity -> entity.getRole().getCode().equals("24"))
                .isNotEmpty()
                .allSatisfy(entity -> {
                    assertThat(entity.hasQuery()).isFalse();
                    assertThat(entity.getDescription()).contains("管理者のみ");
                });
        // and the chain still verifies
        Parameters verified = json.parseResource(
                Parameters.class,
                send("GET", "/$verify-audit-chain", null, admin).body());
        assertThat(((org.hl7.fhir.r4.model.BooleanType)
                                verified.getParameter("intact").getValue())
                        .booleanValue())
                .isTrue();
    }
}
