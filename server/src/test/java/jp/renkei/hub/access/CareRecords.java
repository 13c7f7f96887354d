package jp.renkei.hub.access;

import java.util.Date;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.CommunicationRequest;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;

/** Small valid records of every type the policy names, about a given patient and of a given kind. */
public final class CareRecords {

    public static final String CARE_DOCUMENT = "http://renkei.example.jp/fhir/CodeSystem/care-document";
    static final String CARE_TOPIC = "http://renkei.example.jp/fhir/CodeSystem/care-topic";

    private CareRecords() {}

    /**
     * A record of {@code type} about Patient/{@code patient}; {@code kind} null for types without kinds
     * (a MedicationStatement's kind is its status; null means active).
     */
    public static Resource about(String type, String kind, String patient) {
        Reference subject = new Reference("Patient/" + patient);
        return switch (type) {
            case "Organization" -> new Organization().setName("みちのく訪問看護ステーション");
            case "Practitioner" ->
                new Practitioner().addName(new HumanName().setFamily("佐藤").addGiven("花子"));
            case "PractitionerRole" -> new PractitionerRole().setPractitioner(new Reference("Practitioner/x"));
            case "Patient" ->
                new Patient()
                        .addName(new HumanName().setFamily("山田").addGiven("太郎"))
                        .setGender(Enumerations.AdministrativeGender.MALE);
            case "RelatedPerson" ->
                new RelatedPerson()
                        .setPatient(subject)
                        .addName(new HumanName().setFamily("山田").addGiven("美穂"));
            case "CareTeam" -> new CareTeam().setSubject(subject).setStatus(CareTeam.CareTeamStatus.ACTIVE);
            case "Encounter" ->
                new Encounter()
                        .setSubject(subject)
                        .setStatus(Encounter.EncounterStatus.FINISHED)
                        .setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "HH", "home health"));
            case "Condition" -> new Condition().setSubject(subject).setCode(new CodeableConcept().setText("誤嚥性肺炎"));
            case "AllergyIntolerance" ->
                new AllergyIntolerance()
                        .setPatient(subject)
                        // R4 ait-1: a clinical status unless entered in error
                        .setClinicalStatus(new CodeableConcept(new Coding(
                                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", null)))
                        .setCode(new CodeableConcept().setText("そば"));
            case "MedicationStatement" -> medication(kind, subject);
            case "Observation" ->
                new Observation()
                        .setSubject(subject)
                        .setStatus(Observation.ObservationStatus.FINAL)
                        .setCode(new CodeableConcept().setText("観察"))
                        .addCategory(topic(kind));
            case "Procedure" -> new Procedure().setSubject(subject).setStatus(Procedure.ProcedureStatus.COMPLETED);
            case "Composition" -> composition(kind, subject);
            case "DocumentReference" ->
                new DocumentReference()
                        .setSubject(subject)
                        .setStatus(Enumerations.DocumentReferenceStatus.CURRENT)
                        .setType(document(kind))
                        .addContent(new DocumentReference.DocumentReferenceContentComponent()
                                .setAttachment(new org.hl7.fhir.r4.model.Attachment()
                                        .setContentType("application/pdf")
                                        .setUrl("Binary/b1")));
            case "Bundle" ->
                "discharge-summary".equals(kind) || kind == null
                        ? newDocument(
                                example("Bundle-discharge-handoff-example.json", "takahashi-kiyo-example", patient))
                        : "emergency-sheet".equals(kind)
                                ? newDocument(example("Bundle-emergency-sheet-example.json", "pat-sasaki", patient))
                                : document(composition(kind, subject), patient);
            case "Binary" ->
                new Binary()
                        .setContentType("text/plain")
                        .setData("退院時の連絡".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .setSecurityContext(subject);
            case "Communication" ->
                new Communication()
                        .setSubject(subject)
                        .setStatus(Communication.CommunicationStatus.COMPLETED)
                        .addCategory(topic(kind))
                        .addPayload(new Communication.CommunicationPayloadComponent(
                                new org.hl7.fhir.r4.model.StringType("連絡")));
            case "CommunicationRequest" ->
                new CommunicationRequest()
                        .setSubject(subject)
                        .setStatus(CommunicationRequest.CommunicationRequestStatus.ACTIVE)
                        .addCategory(topic(kind));
            case "Task" ->
                new Task()
                        .setFor(subject)
                        .setStatus(Task.TaskStatus.REQUESTED)
                        .setIntent(Task.TaskIntent.ORDER)
                        .setOwner(new Reference("Organization/org-t"));
            case "QuestionnaireResponse" ->
                new QuestionnaireResponse()
                        .setSubject(subject)
                        .setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED);
            case "Consent" -> consent(kind, subject);
            case "Provenance" ->
                new Provenance()
                        .addTarget(subject)
                        .setRecorded(new Date())
                        .addAgent(new Provenance.ProvenanceAgentComponent().setWho(new Reference("Practitioner/x")));
            case "AuditEvent" -> {
                AuditEvent event = new AuditEvent()
                        .setRecorded(new Date())
                        .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
                event.addEntity().setWhat(subject);
                event.getSource().setObserver(new Reference("Device/hub"));
                yield event;
            }
            default -> throw new IllegalArgumentException("no test record for " + type);
        };
    }

    /**
     * An example instance of the profiles package, made about Patient/{@code patient} instead of the
     * example's own patient: the documents that must conform to a profile are built from the examples.
     */
    public static Resource example(String file, String examplePatient, String patient) {
        try (java.io.InputStream in = CareRecords.class.getResourceAsStream("/renkei/profiles/" + file)) {
            String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace(examplePatient, patient);
            return (Resource)
                    jp.renkei.hub.HubInstance.fhirContext().newJsonParser().parseResource(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The example document as a document of its own: a new {@code Bundle.identifier} (the hub takes the same one for a resend). */
    private static Bundle newDocument(Resource example) {
        Bundle document = (Bundle) example;
        document.getIdentifier().setValue("urn:uuid:" + java.util.UUID.randomUUID());
        return document;
    }

    /**
     * The directory a document from the examples is sent through: the Organizations, Practitioners and PractitionerRoles of
     * the discharge handoff example (its authors and recipients), and {@code Practitioner/x}, the author of the other test
     * documents. A hub refuses to send a document to, or from, someone its directory does not know.
     */
    public static java.util.List<Resource> directory() {
        java.util.List<Resource> entries = new java.util.ArrayList<>();
        Bundle example = (Bundle) example("Bundle-discharge-handoff-example.json", "takahashi-kiyo-example", "unused");
        for (Bundle.BundleEntryComponent entry : example.getEntry()) {
            Resource resource = entry.getResource();
            if (resource instanceof Organization
                    || resource instanceof Practitioner
                    || resource instanceof PractitionerRole) {
                resource.setId(
                        resource.fhirType() + "/" + resource.getIdElement().getIdPart());
                entries.add(resource);
            }
        }
        entries.add(new Practitioner()
                .addName(new HumanName().setFamily("佐藤").addGiven("花子"))
                .setId("Practitioner/x"));
        return entries;
    }

    /** An active privacy Consent of the patient sharing everything with the given actors (CareTeam/…, Organization/…). */
    public static Consent sharingWith(String patient, String... actors) {
        Consent consent = (Consent) about("Consent", null, patient);
        Consent.ProvisionComponent root = consent.getProvision().setType(Consent.ConsentProvisionType.PERMIT);
        for (String actor : actors) {
            root.addActor()
                    .setReference(new Reference(actor))
                    .setRole(new CodeableConcept(
                            new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)));
        }
        return consent;
    }

    /** A Consent of the given scope (kind; null means patient-privacy); an advance directive conforms to its profile. */
    private static Consent consent(String kind, Reference subject) {
        String scope = kind == null ? "patient-privacy" : kind;
        if (scope.equals("adr")) {
            Consent directive = new Consent()
                    .setPatient(subject)
                    .setStatus(Consent.ConsentState.ACTIVE)
                    .setScope(new CodeableConcept(
                            new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "adr", null)))
                    .addCategory(new CodeableConcept(new Coding("http://loinc.org", "75320-2", null)))
                    .setDateTime(new Date())
                    .addPerformer(subject.copy())
                    .setSource(new Reference("DocumentReference/acp-original"))
                    .addPolicy(new Consent.ConsentPolicyComponent()
                            .setUri("https://www.mhlw.go.jp/stf/newpage_02783.html"));
            directive
                    .getProvision()
                    .setType(Consent.ConsentProvisionType.PERMIT)
                    .addProvision()
                    .setType(Consent.ConsentProvisionType.DENY)
                    .addCode(new CodeableConcept(new Coding(
                            "http://renkei.example.jp/fhir/CodeSystem/life-sustaining-treatment", "cpr", "心肺蘇生")));
            return directive;
        }
        CodeableConcept scopeCode = scope.equals("unclassified")
                ? new CodeableConcept().setText("その他")
                : new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", scope, null));
        return new Consent()
                .setPatient(subject)
                .setStatus(Consent.ConsentState.ACTIVE)
                .setScope(scopeCode)
                .addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", null)))
                // R4 ppc-1: a policy or a policy rule
                .setPolicyRule(new CodeableConcept(
                        new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", null)))
                .setSource(signedForm());
    }

    /**
     * A document as R4 defines one: an identifier and a timestamp (bdl-9, bdl-10), and every resource its Composition
     * refers to inside it (the patient and the author, under the same base as the Composition's fullUrl).
     */
    private static Bundle document(Composition composition, String patient) {
        String base = "http://renkei.example.jp/fhir/";
        composition.setId("doc-" + patient);
        Bundle bundle = new Bundle()
                .setType(Bundle.BundleType.DOCUMENT)
                .setTimestamp(new Date())
                .setIdentifier(new org.hl7.fhir.r4.model.Identifier()
                        .setSystem("urn:ietf:rfc:3986")
                        .setValue("urn:uuid:" + java.util.UUID.randomUUID()));
        bundle.addEntry().setFullUrl(base + "Composition/doc-" + patient).setResource(composition);
        bundle.addEntry()
                .setFullUrl(base + "Patient/" + patient)
                .setResource(new org.hl7.fhir.r4.model.Patient()
                        .addName(new org.hl7.fhir.r4.model.HumanName().setText("連携 太郎"))
                        .setId(patient));
        bundle.addEntry()
                .setFullUrl(base + "Practitioner/x")
                .setResource(new org.hl7.fhir.r4.model.Practitioner()
                        .addName(new org.hl7.fhir.r4.model.HumanName().setText("作成 医師"))
                        .setId("x"));
        return bundle;
    }

    /** The scanned, signed consent form a privacy Consent must carry as its source. */
    public static org.hl7.fhir.r4.model.Attachment signedForm() {
        return new org.hl7.fhir.r4.model.Attachment()
                .setContentType("application/pdf")
                .setTitle("情報共有同意書（署名済み）")
                .setData("%PDF-1.4 同意書".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static MedicationStatement medication(String kind, Reference subject) {
        MedicationStatement statement = new MedicationStatement()
                .setSubject(subject)
                .setMedication(new CodeableConcept().setText("アムロジピン錠5mg"));
        if (!"unclassified".equals(kind)) {
            statement.setStatus(
                    kind == null
                            ? MedicationStatement.MedicationStatementStatus.ACTIVE
                            : MedicationStatement.MedicationStatementStatus.fromCode(kind));
        }
        return statement;
    }

    private static Composition composition(String kind, Reference subject) {
        Composition c = new Composition()
                .setSubject(subject)
                .setStatus(Composition.CompositionStatus.FINAL)
                .setType(document(kind))
                .setDate(new Date())
                .setTitle("連携文書");
        c.addAuthor(new Reference("Practitioner/x"));
        return c;
    }

    private static CodeableConcept document(String kind) {
        return "unclassified".equals(kind)
                ? new CodeableConcept().setText("その他")
                : new CodeableConcept(new Coding(CARE_DOCUMENT, kind, null));
    }

    /**
     * Whether this record is valid FHIR R4, so that the hub stores it when it is written (issue 18). The unclassified
     * Observation, Communication and CommunicationRequest carry a care-topic code the hub's code system does not define,
     * the unclassified MedicationStatement has no status, which R4 requires: they stand for records stored before every
     * write was validated, and a write of one is refused with 422 once the access decision has allowed it.
     */
    public static boolean validR4(String type, String kind) {
        return !"unclassified".equals(kind)
                || !java.util.Set.of("Observation", "Communication", "CommunicationRequest", "MedicationStatement")
                        .contains(type);
    }

    /** A care topic; {@code unclassified}: a care-topic code the hub does not know (with no code at all, the type's default applies). */
    private static CodeableConcept topic(String kind) {
        return "unclassified".equals(kind)
                ? new CodeableConcept(new Coding(CARE_TOPIC, "no-such-topic", null)).setText("その他")
                : new CodeableConcept(new Coding(CARE_TOPIC, kind, null));
    }
}
