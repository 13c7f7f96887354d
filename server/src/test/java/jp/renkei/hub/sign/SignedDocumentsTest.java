package jp.renkei.hub.sign;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Updates;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import jp.renkei.hub.notify.Notifications;
import jp.renkei.hub.notify.Topic;
import jp.renkei.hub.store.StoreProperties;
import org.bson.Document;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed care documents against the running hub with its deployment CA: what a sender signs is verified on receipt
 * and recorded; what they could not sign is sealed with their organisation's key; anything wrong is a 422 that
 * stores nothing; an advance directive needs its witnessing physician and the signed form's hash; and a record
 * changed in the database is never served as sound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignedDocumentsTest {

    private static final String PATIENT = "ps";
    private static final char[] PASSWORD = "test-only-pki".toCharArray();

    @TempDir
    static Path pki;

    private DeploymentCa ca;
    private SecuredHub world;
    private HubInstance hub;
    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private final CanonicalJson canonical = new CanonicalJson(HubInstance.fhirContext());
    private String nurse;
    private String physician;
    private String careManager;
    private DeploymentCa.Signer doctorKey;
    private DeploymentCa.Signer nurseKey;
    private DeploymentCa.Signer pharmacistKey;

    @BeforeAll
    void start() throws Exception {
        Path caDir = pki.resolve("ca");
        ca = DeploymentCa.create(caDir, "Test Renkei CA", Duration.ofDays(30), PASSWORD);
        Instant now = Instant.now();
        ca.issueOrganization("renkei-hub", "Renkei ハブ", now.minusSeconds(60), now.plus(Duration.ofDays(10)), PASSWORD);
        // valid beyond the month in which the hub announces an expiring audit seal
        ca.issueAuditSeal("Renkei audit seal", now.minusSeconds(60), now.plus(Duration.ofDays(60)), PASSWORD);
        ca.issueOrganization("org-hospital", "岩手中央病院", now.minusSeconds(60), now.plus(Duration.ofDays(10)), PASSWORD);
        doctorKey = practitioner(
                "dr-sato", "佐藤 一郎", HealthcareRole.Qualification.MEDICAL_DOCTOR, now.plus(Duration.ofDays(10)));
        nurseKey = practitioner("ns-ito", "伊藤 花子", HealthcareRole.Qualification.NURSE, now.plus(Duration.ofDays(10)));
        pharmacistKey =
                practitioner("ph-abe", "阿部 薫", HealthcareRole.Qualification.PHARMACIST, now.plus(Duration.ofDays(10)));
        // a hub of its own (docs/architecture.md §10): it trusts the PKI this class makes
        world = new SecuredHub(
                "renkei-signed",
                "renkei.sign.required=true",
                "renkei.sign.trust-anchors=" + caDir.resolve("ca.crt"),
                "renkei.sign.crls=" + caDir.resolve("ca.crl"),
                "renkei.sign.seals=" + caDir.resolve("issued"),
                "renkei.sign.seal-password=" + new String(PASSWORD),
                "renkei.audit.anchor-dir=" + pki.resolve("audit-anchors"));
        hub = world.hub;
        register(PATIENT);
        // the directory the discharge handoffs are sent through
        CareRecords.directory()
                .forEach(entry ->
                        world.seed(entry.fhirType(), entry.getIdElement().getIdPart(), entry, null));
        nurse = world.issuer
                .token()
                .roles("hospital-nurse")
                .subject("hn-1")
                .claim("practitioner_role", "role-hn")
                .claim("organization", "org-hospital")
                .sign();
        physician = world.issuer
                .token()
                .roles("physician")
                .subject("dr-1")
                .claim("practitioner_role", "role-dr")
                .claim("organization", "org-clinic")
                .sign();
        careManager = world.issuer
                .token()
                .roles("care-manager")
                .subject("cm-1")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-kyotaku")
                .sign();
    }

    /** A patient of the hospital with the nurse, the care manager and the physician on the care team, sharing with it. */
    private void register(String patient) {
        world.seed(
                "Patient",
                patient,
                new Patient().addName(new HumanName().setFamily("高橋").addGiven("キヨ")),
                "Organization/org-hospital");
        CareTeam team = new CareTeam()
                .setSubject(new Reference("Patient/" + patient))
                .setStatus(CareTeam.CareTeamStatus.ACTIVE);
        for (String member : List.of("role-hn", "role-cm", "role-dr")) {
            team.addParticipant().setMember(new Reference("PractitionerRole/" + member));
        }
        world.seed("CareTeam", "ct-" + patient, team, "Organization/org-hospital");
        world.seed(
                "Consent",
                "share-" + patient,
                CareRecords.sharingWith(patient, "CareTeam/ct-" + patient),
                "Organization/org-hospital");
    }

    @AfterAll
    void stop() {
        world.close();
    }

    private DeploymentCa.Signer practitioner(
            String id, String name, HealthcareRole.Qualification qualification, Instant until) throws Exception {
        DeploymentCa.Issued issued = ca.issuePractitioner(
                id, name, "岩手中央病院", qualification, Instant.now().minusSeconds(3600), until, PASSWORD);
        return DeploymentCa.Keystores.signer(issued.keystore(), PASSWORD);
    }

    private HttpResponse<String> post(String token, String path, Resource resource) {
        return hub.send(
                "POST",
                path,
                "application/fhir+json",
                json.encodeResourceToString(resource),
                "Authorization",
                "Bearer " + token);
    }

    private HttpResponse<String> get(String token, String path) {
        return hub.send("GET", path, null, null, "Authorization", "Bearer " + token);
    }

    private String created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.parseResource(response.body()).getIdElement().getIdPart();
    }

    private OperationOutcome refused(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        return json.parseResource(OperationOutcome.class, response.body());
    }

    private Bundle handoff() {
        return (Bundle) CareRecords.about("Bundle", "discharge-summary", PATIENT);
    }

    private Bundle signed(Bundle document, DeploymentCa.Signer signer, String type) {
        return signed(document, signer, type, Instant.now());
    }

    private Bundle signed(Bundle document, DeploymentCa.Signer signer, String type, Instant at) {
        document.setSignature(SignatureElements.sign(canonical, document, signer, type, at));
        return document;
    }

    /** Changes a stored Bundle's title behind the hub's back, as a database intruder would. */
    private void changeInTheDatabase(String collection, String key) {
        MongoCollection<Document> stored = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database())
                .getCollection(collection);
        String body = stored.find(eq("_id", key)).first().getString("body");
        assertThat(body).contains("\"title\":\"");
        stored.updateOne(eq("_id", key), Updates.set("body", body.replaceFirst("\"title\":\"", "\"title\":\"（改ざん）")));
    }

    private int stored(String token, String type) {
        HttpResponse<String> response = get(token, "/" + type + "?patient=" + PATIENT + "&_count=500");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().size();
    }

    private Parameters verify(String token, String record) {
        HttpResponse<String> response = get(token, "/" + record + "/$verify");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Parameters.class, response.body());
    }

    private static Type value(Parameters parameters, String name) {
        return Optional.ofNullable(parameters.getParameter(name))
                .map(Parameters.ParametersParameterComponent::getValue)
                .orElse(null);
    }

    private List<Provenance> provenancesOf(String token, String record) {
        HttpResponse<String> response = get(token, "/Provenance?patient=" + PATIENT + "&_count=500");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().stream()
                .map(e -> (Provenance) e.getResource())
                .filter(p ->
                        p.getTarget().stream().anyMatch(t -> t.getReference().startsWith(record + "/_history/")))
                .toList();
    }

    @Test
    void aHandoffSignedByItsAuthorIsVerifiedOnReceiptAndRecorded() {
        String id = created(post(nurse, "/Bundle", signed(handoff(), doctorKey, SignatureElements.AUTHOR)));

        Bundle read =
                json.parseResource(Bundle.class, get(nurse, "/Bundle/" + id).body());
        assertThat(read.getSignature().getWho().getReference()).isEqualTo("Practitioner/dr-sato");
        List<Provenance> provenance = provenancesOf(nurse, "Bundle/" + id);
        assertThat(provenance).hasSize(1);
        assertThat(provenance.get(0).getTargetFirstRep().getReference()).isEqualTo("Bundle/" + id + "/_history/1");
        assertThat(provenance
                        .get(0)
                        .getAgentFirstRep()
                        .getType()
                        .getCodingFirstRep()
                        .getCode())
                .isEqualTo("author");
        assertThat(provenance.get(0).getAgentFirstRep().getWho().getReference()).isEqualTo("Practitioner/dr-sato");
        assertThat(provenance.get(0).getSignatureFirstRep().getData())
                .isEqualTo(read.getSignature().getData());

        Parameters report = verify(nurse, "Bundle/" + id);
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "verified")).booleanValue())
                .isTrue();
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "contentChanged")).booleanValue())
                .isFalse();
        assertThat(value(report, "signatureKind").primitiveValue()).isEqualTo("author-signature");
        assertThat(value(report, "signer").primitiveValue()).contains("CN=佐藤 一郎");
        assertThat(((Coding) value(report, "qualification")).getCode()).isEqualTo("Medical Doctor");
        assertThat(((Coding) value(report, "qualification")).getDisplay()).isEqualTo("医師");
        assertThat(value(report, "signingTime")).isNotNull();
        assertThat(value(report, "chain").primitiveValue()).isEqualTo("trusted");
    }

    @Test
    void anUnsignedHandoffIsSealedWithTheSendersOrganisationKey() {
        String id = created(post(nurse, "/Bundle", handoff()));

        Bundle read =
                json.parseResource(Bundle.class, get(nurse, "/Bundle/" + id).body());
        assertThat(SignatureElements.isOfType(read.getSignature(), SignatureElements.SOURCE))
                .isTrue();
        assertThat(read.getSignature().getWho().getReference()).isEqualTo("Organization/org-hospital");
        List<Provenance> provenance = provenancesOf(nurse, "Bundle/" + id);
        assertThat(provenance).singleElement().satisfies(p -> {
            assertThat(p.getAgentFirstRep().getType().getCodingFirstRep().getCode())
                    .isEqualTo("custodian");
            assertThat(p.getAgentFirstRep().getWho().getReference()).isEqualTo("Organization/org-hospital");
        });
        Parameters report = verify(nurse, "Bundle/" + id);
        assertThat(value(report, "signatureKind").primitiveValue()).isEqualTo("custody-seal");
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "verified")).booleanValue())
                .isTrue();

        // read and written back with a change: sealed anew, a second Provenance for version 2
        ((Composition) read.getEntryFirstRep().getResource()).setTitle("退院時情報提供書（訂正）");
        HttpResponse<String> amended = hub.send(
                "PUT",
                "/Bundle/" + id,
                "application/fhir+json",
                json.encodeResourceToString(read),
                "Authorization",
                "Bearer " + nurse);
        assertThat(amended.statusCode()).as(amended.body()).isEqualTo(200);
        assertThat(provenancesOf(nurse, "Bundle/" + id))
                .extracting(p -> p.getTargetFirstRep().getReference())
                .containsExactlyInAnyOrder("Bundle/" + id + "/_history/1", "Bundle/" + id + "/_history/2");
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(verify(nurse, "Bundle/" + id), "verified"))
                        .booleanValue())
                .isTrue();
    }

    @Test
    void anUnsignedDocumentFromAnOrganisationWhoseSealTheHubDoesNotHoldIsRefused() {
        int before = stored(careManager, "Bundle");
        OperationOutcome outcome =
                refused(post(careManager, "/Bundle", CareRecords.about("Bundle", "emergency-sheet", PATIENT)));
        assertThat(outcome.getIssueFirstRep().getDiagnostics())
                .contains("Organization/org-kyotaku", "deploy/pki.sh organization");
        assertThat(stored(careManager, "Bundle")).isEqualTo(before);
    }

    @Test
    void wrongProfessionChangedContentExpiredRevokedAndUntrustedSignaturesStoreNothing() throws Exception {
        int bundles = stored(nurse, "Bundle");
        int tasks = stored(nurse, "Task");

        assertThat(refused(post(nurse, "/Bundle", signed(handoff(), pharmacistKey, SignatureElements.AUTHOR)))
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("[PROFESSION]", "Pharmacist");

        Bundle changed = signed(handoff(), doctorKey, SignatureElements.AUTHOR);
        ((Composition) changed.getEntryFirstRep().getResource()).setTitle("退院時情報提供書（改）");
        assertThat(refused(post(nurse, "/Bundle", changed)).getIssueFirstRep().getDiagnostics())
                .contains("[CONTENT_CHANGED]");

        DeploymentCa.Signer expired = practitioner(
                "dr-old",
                "古川 医師",
                HealthcareRole.Qualification.MEDICAL_DOCTOR,
                Instant.now().minusSeconds(60));
        assertThat(refused(post(nurse, "/Bundle", signed(handoff(), expired, SignatureElements.AUTHOR)))
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("[EXPIRED]");

        DeploymentCa.Signer revoked = practitioner(
                "dr-gone",
                "退職 医師",
                HealthcareRole.Qualification.MEDICAL_DOCTOR,
                Instant.now().plus(Duration.ofDays(10)));
        ca.revoke(revoked.chain().get(0).getSerialNumber(), Instant.now().minusSeconds(30));
        assertThat(refused(post(nurse, "/Bundle", signed(handoff(), revoked, SignatureElements.AUTHOR)))
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("[REVOKED]");

        DeploymentCa foreign =
                DeploymentCa.create(pki.resolve("foreign"), "Someone Else's CA", Duration.ofDays(30), PASSWORD);
        DeploymentCa.Signer stranger = DeploymentCa.Keystores.signer(
                foreign.issuePractitioner(
                                "dr-x",
                                "他所 医師",
                                "他所",
                                HealthcareRole.Qualification.MEDICAL_DOCTOR,
                                Instant.now().minusSeconds(60),
                                Instant.now().plus(Duration.ofDays(1)),
                                PASSWORD)
                        .keystore(),
                PASSWORD);
        assertThat(refused(post(nurse, "/Bundle", signed(handoff(), stranger, SignatureElements.AUTHOR)))
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("[UNTRUSTED]");

        assertThat(refused(post(nurse, "/Bundle", signed(handoff(), doctorKey, SignatureElements.CONSENT_WITNESS)))
                        .getIssueFirstRep()
                        .getExpression()
                        .get(0)
                        .getValue())
                .isEqualTo("Bundle.signature.type");

        assertThat(stored(nurse, "Bundle")).isEqualTo(bundles);
        assertThat(stored(nurse, "Task")).isEqualTo(tasks);
    }

    private Consent advanceDirective() throws Exception {
        return advanceDirective(PATIENT);
    }

    private Consent advanceDirective(String patient) throws Exception {
        Consent directive = (Consent) CareRecords.about("Consent", "adr", patient);
        byte[] form = "%PDF-1.4 事前指示書（本人署名済み）".getBytes(StandardCharsets.UTF_8);
        directive.setSource(new Attachment()
                .setContentType("application/pdf")
                .setTitle("事前指示書（署名済み原本）")
                .setData(form)
                .setHash(MessageDigest.getInstance("SHA-1").digest(form)));
        return directive;
    }

    private Bundle witnessed(Consent directive, DeploymentCa.Signer witness) {
        Instant now = Instant.now();
        return PkiCommand.withProvenance(
                directive,
                SignatureElements.sign(canonical, directive, witness, SignatureElements.CONSENT_WITNESS, now),
                now);
    }

    private String createdInTransaction(HttpResponse<String> response, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.getResponse().getLocation())
                .filter(l -> l.startsWith(type + "/"))
                .map(l -> l.split("/")[1])
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anAdvanceDirectiveNeedsItsWitnessingPhysiciansSignatureOverTheSignedFormsHash() throws Exception {
        int before = stored(physician, "Consent");
        assertThat(refused(post(physician, "/Consent", advanceDirective()))
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("[MISSING]", "Medical Doctor");
        assertThat(refused(post(physician, "", witnessed(advanceDirective(), nurseKey)))
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("[PROFESSION]");
        Consent noHash = advanceDirective();
        noHash.getSourceAttachment().setHash(null);
        assertThat(refused(post(physician, "", witnessed(noHash, doctorKey)))
                        .getIssueFirstRep()
                        .getExpression()
                        .get(0)
                        .getValue())
                .isEqualTo("Consent.source.ofType(Attachment).hash");
        Consent wrongHash = advanceDirective();
        wrongHash.getSourceAttachment().setHash(new byte[20]);
        refused(post(physician, "", witnessed(wrongHash, doctorKey)));
        assertThat(stored(physician, "Consent")).isEqualTo(before);

        String first = createdInTransaction(post(physician, "", witnessed(advanceDirective(), doctorKey)), "Consent");
        assertThat(get(physician, "/Consent/" + first).statusCode()).isEqualTo(200);
        Parameters report = verify(physician, "Consent/" + first);
        assertThat(value(report, "signatureKind").primitiveValue()).isEqualTo("witness-signature");
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "verified")).booleanValue())
                .isTrue();
        assertThat(provenancesOf(physician, "Consent/" + first))
                .anySatisfy(p -> assertThat(p.getAgentFirstRep()
                                .getType()
                                .getCodingFirstRep()
                                .getCode())
                        .isEqualTo("attester"));

        // the newer directive supersedes the first: the hub's change to it is sealed as the hub's
        String second = createdInTransaction(post(physician, "", witnessed(advanceDirective(), doctorKey)), "Consent");
        Consent superseded = json.parseResource(
                Consent.class, get(physician, "/Consent/" + first).body());
        assertThat(superseded.getStatus()).isEqualTo(Consent.ConsentState.INACTIVE);
        Parameters sealed = verify(physician, "Consent/" + first);
        assertThat(value(sealed, "signatureKind").primitiveValue()).isEqualTo("custody-seal");
        assertThat(((Reference) value(sealed, "signerIdentity")).getReference()).isEqualTo("Organization/renkei-hub");
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(sealed, "verified")).booleanValue())
                .isTrue();
        assertThat(get(physician, "/Consent/" + second).statusCode()).isEqualTo(200);

        // withdrawing it is the hub's change too: sealed, and still readable as sound
        HttpResponse<String> revoked = hub.send(
                "POST",
                "/Consent/" + second + "/$revoke",
                "application/fhir+json",
                "{\"resourceType\":\"Parameters\"}",
                "Authorization",
                "Bearer " + physician);
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(json.parseResource(
                                Consent.class,
                                get(physician, "/Consent/" + second).body())
                        .getStatus())
                .isEqualTo(Consent.ConsentState.INACTIVE);
        Parameters afterRevoking = verify(physician, "Consent/" + second);
        assertThat(value(afterRevoking, "signatureKind").primitiveValue()).isEqualTo("custody-seal");
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(afterRevoking, "verified")).booleanValue())
                .isTrue();
    }

    /**
     * The hub's own changes to a record (withdrawing it, marking it superseded) are sealed as the hub's: they must never
     * be made over a version that failed its integrity check, or the hub would re-seal content changed in the database
     * and serve it as sound. Its own patient, since the changed directive stays in force for the hub.
     */
    @Test
    void aDirectiveChangedInTheDatabaseIsNeverResealedByTheHubsOwnChanges() throws Exception {
        String patient = "ps-changed";
        register(patient);
        String first =
                createdInTransaction(post(physician, "", witnessed(advanceDirective(patient), doctorKey)), "Consent");
        changeInTheDatabase("Consent", first);
        MongoCollection<Document> consents = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database())
                .getCollection("Consent");
        Document changed = consents.find(eq("_id", first)).first();

        HttpResponse<String> revoked = hub.send(
                "POST",
                "/Consent/" + first + "/$revoke",
                "application/fhir+json",
                "{\"resourceType\":\"Parameters\"}",
                "Authorization",
                "Bearer " + physician);
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(500);
        assertThat(json.parseResource(OperationOutcome.class, revoked.body())
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("改ざん", "Consent/" + first, "[CONTENT_CHANGED]");

        // a newer directive would mark it superseded in the same write: refused whole, the newer one is not stored
        // either
        long stored = consents.countDocuments();
        HttpResponse<String> newer = post(physician, "", witnessed(advanceDirective(patient), doctorKey));
        assertThat(newer.statusCode()).as(newer.body()).isEqualTo(500);
        assertThat(json.parseResource(OperationOutcome.class, newer.body())
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("Consent/" + first, "[CONTENT_CHANGED]");
        assertThat(consents.countDocuments()).isEqualTo(stored);

        assertThat(consents.find(eq("_id", first)).first()).isEqualTo(changed);
        Parameters report = verify(physician, "Consent/" + first);
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "verified")).booleanValue())
                .isFalse();
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "contentChanged")).booleanValue())
                .isTrue();
    }

    @Test
    void onlyAPhysicianSignsTheAnswerOnAContactForm() {
        org.hl7.fhir.r4.model.Communication answer = (org.hl7.fhir.r4.model.Communication)
                CareRecords.example("Communication-contact-form-answer-example.json", "pat-sasaki", PATIENT);
        answer.setId((String) null);
        Instant now = Instant.now();
        Bundle byNurse = PkiCommand.withProvenance(
                answer.copy(), SignatureElements.sign(canonical, answer, nurseKey, SignatureElements.AUTHOR, now), now);
        assertThat(refused(post(physician, "", byNurse)).getIssueFirstRep().getDiagnostics())
                .contains("[PROFESSION]", "医師");

        Bundle byDoctor = PkiCommand.withProvenance(
                answer.copy(),
                SignatureElements.sign(canonical, answer, doctorKey, SignatureElements.AUTHOR, now),
                now);
        String id = createdInTransaction(post(physician, "", byDoctor), "Communication");
        Parameters report = verify(physician, "Communication/" + id);
        assertThat(value(report, "signatureKind").primitiveValue()).isEqualTo("author-signature");
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "verified")).booleanValue())
                .isTrue();

        // unsigned, it would be sealed with the clinic's key, which this hub does not hold
        assertThat(refused(post(physician, "/Communication", answer.copy()))
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("Organization/org-clinic");
    }

    @Test
    void aRecordChangedInTheDatabaseIsReportedAndNeverServedAsSound() {
        String id = created(post(nurse, "/Bundle", signed(handoff(), doctorKey, SignatureElements.AUTHOR)));
        changeInTheDatabase("Bundle", id);

        HttpResponse<String> read = get(nurse, "/Bundle/" + id);
        assertThat(read.statusCode()).isEqualTo(500);
        OperationOutcome outcome = json.parseResource(OperationOutcome.class, read.body());
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("改ざん", "Bundle/" + id, "[CONTENT_CHANGED]");
        assertThat(read.body()).doesNotContain("（改ざん）");
        // the refused read is in the audit trail as a serious failure, naming the record
        MongoCollection<Document> audit = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database())
                .getCollection("AuditEvent");
        assertThat(audit.find().map(d -> d.getString("body")).into(new java.util.ArrayList<>()))
                .anyMatch(b -> b.contains("\"outcome\":\"8\"") && b.contains("Bundle/" + id));

        HttpResponse<String> search = get(nurse, "/Bundle?patient=" + PATIENT + "&_count=500");
        assertThat(search.statusCode()).isEqualTo(200);
        Bundle results = json.parseResource(Bundle.class, search.body());
        assertThat(results.getEntry())
                .noneMatch(e -> e.getResource() instanceof Bundle b
                        && b.getIdElement().getIdPart().equals(id));
        assertThat(results.getEntry())
                .anyMatch(e -> e.getResource() instanceof OperationOutcome o
                        && o.getIssueFirstRep().getDiagnostics().contains("Bundle/" + id));
        assertThat(search.body()).doesNotContain("（改ざん）");

        Parameters report = verify(nurse, "Bundle/" + id);
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "verified")).booleanValue())
                .isFalse();
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "contentChanged")).booleanValue())
                .isTrue();
        assertThat(value(report, "signer").primitiveValue()).contains("佐藤 一郎");
    }

    @Test
    void aRecordChangedInTheDatabaseIsNeverTheBaseOfAClientsNewVersion() {
        String id = created(post(nurse, "/Bundle", signed(handoff(), doctorKey, SignatureElements.AUTHOR)));
        changeInTheDatabase("Bundle", id);
        MongoCollection<Document> history = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database())
                .getCollection("Bundle_history");
        long versions = history.countDocuments(eq("rid", id));

        // the sender corrects the document: a soundly signed new version, which the hub would store over a sound one
        Bundle correction = signed(handoff(), doctorKey, SignatureElements.AUTHOR);
        correction.setId(id);
        HttpResponse<String> put = hub.send(
                "PUT",
                "/Bundle/" + id,
                "application/fhir+json",
                json.encodeResourceToString(correction),
                "Authorization",
                "Bearer " + nurse);

        assertThat(put.statusCode()).as(put.body()).isEqualTo(500);
        assertThat(json.parseResource(OperationOutcome.class, put.body())
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("改ざん", "Bundle/" + id, "[CONTENT_CHANGED]");
        assertThat(history.countDocuments(eq("rid", id))).isEqualTo(versions);
    }

    @Test
    void anEmergencySummarySaysTheCurrentSheetCannotBeTrustedRatherThanFailOrShowIt() {
        String id = created(post(nurse, "/Bundle", CareRecords.about("Bundle", "emergency-sheet", PATIENT)));
        MongoCollection<Document> bundles = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database())
                .getCollection("Bundle");
        String body = bundles.find(eq("_id", id)).first().getString("body");
        bundles.updateOne(eq("_id", id), Updates.set("body", body.replaceFirst("\"title\":\"", "\"title\":\"（改ざん）")));

        HttpResponse<String> summary = get(physician, "/Patient/" + PATIENT + "/$emergency-summary");
        assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
        Bundle shown = json.parseResource(Bundle.class, summary.body());
        assertThat(shown.getEntry()).anyMatch(e -> e.getResource() instanceof Patient);
        assertThat(shown.getEntry())
                .anyMatch(e -> e.getResource() instanceof OperationOutcome o
                        && o.getIssueFirstRep().getDiagnostics().contains("Bundle/" + id));
        assertThat(summary.body()).doesNotContain("（改ざん）");
    }

    @Test
    void aCertificateRevokedAfterSigningLeavesTheSignatureValidAndIsReported() throws Exception {
        DeploymentCa.Signer leaving = practitioner(
                "dr-leaving",
                "転出 医師",
                HealthcareRole.Qualification.MEDICAL_DOCTOR,
                Instant.now().plus(Duration.ofDays(10)));
        // A CRL states revocation dates to the second (rounded down), so a revocation in the same second as the
        // signing would count as before it: the document is signed a clear ten seconds earlier.
        String id = created(post(
                nurse,
                "/Bundle",
                signed(
                        handoff(),
                        leaving,
                        SignatureElements.AUTHOR,
                        Instant.now().minusSeconds(10))));
        ca.revoke(leaving.chain().get(0).getSerialNumber(), Instant.now());

        assertThat(get(nurse, "/Bundle/" + id).statusCode()).isEqualTo(200);
        Parameters report = verify(nurse, "Bundle/" + id);
        assertThat(((org.hl7.fhir.r4.model.BooleanType) value(report, "verified")).booleanValue())
                .isTrue();
        assertThat(value(report, "chain").primitiveValue()).isEqualTo("trusted");
        assertThat(value(report, "revokedAfter")).isNotNull();
    }

    @Test
    void aRecordChangedInTheDatabaseGoesOutInNotificationsByReferenceOnly() throws Exception {
        String subscription = created(post(
                nurse,
                "/Subscription",
                Notifications.subscription(Topic.CARE_DOCUMENT, "full-resource", 0, "Bundle?patient=" + PATIENT)));
        String id = created(post(nurse, "/Bundle", signed(handoff(), doctorKey, SignatureElements.AUTHOR)));
        Bundle sound = Notifications.replayUntil(
                hub, nurse, subscription, events -> events.stream().anyMatch(e -> e.endsWith(" Bundle/" + id)));
        assertThat(sound.getEntry())
                .anyMatch(e -> e.getResource() instanceof Bundle b
                        && b.getIdElement().getIdPart().equals(id));

        // the event names version 1, which is read from the history collection
        changeInTheDatabase("Bundle_history", world.store.read("Bundle", id).historyKey());
        HttpResponse<String> replay = get(nurse, "/Subscription/" + subscription + "/$events?eventsSinceNumber=1");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        Bundle changed = json.parseResource(Bundle.class, replay.body());
        // the event is still there (no gap), but the changed record is not in it
        assertThat(Notifications.events(changed)).isEqualTo(Notifications.events(sound));
        assertThat(changed.getEntry())
                .noneMatch(e -> e.getResource() instanceof Bundle b
                        && b.getIdElement().getIdPart().equals(id));
        assertThat(replay.body()).doesNotContain("（改ざん）");
    }

    @Test
    void theSignatureSlotOnOtherRecordsIsTheHubsAlone() {
        Signature forged =
                SignatureElements.sign(canonical, new Patient(), doctorKey, SignatureElements.AUTHOR, Instant.now());
        org.hl7.fhir.r4.model.Observation observation =
                (org.hl7.fhir.r4.model.Observation) CareRecords.about("Observation", "vital-signs", PATIENT);
        observation.getMeta().addExtension(SignatureElements.STORED_SIGNATURE, forged);
        String id = created(post(nurse, "/Observation", observation));
        HttpResponse<String> read = get(nurse, "/Observation/" + id);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).doesNotContain(SignatureElements.STORED_SIGNATURE);
    }
}
