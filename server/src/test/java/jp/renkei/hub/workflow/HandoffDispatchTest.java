package jp.renkei.hub.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sending is writing: a hospital sends a discharge handoff and every recipient gets a hand-off Task in
 * the same write; a care manager's contact-form question gets a Task that the physician's answer
 * completes. Refused sends leave nothing behind.
 */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandoffDispatchTest {

    private static final String PATIENT = "pk";
    private SecuredHub world;
    private HubInstance hub;
    private String nurse;
    private String careManager;
    private String careManagerIto;
    /** 佐々木's colleague at the same care-management office, not on the patient's care team. */
    private String careManagerKato;

    private String doctor;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        hub = world.hub;
        world.seed(
                "Patient",
                PATIENT,
                new Patient().addName(new HumanName().setFamily("高橋").addGiven("キヨ")),
                "Organization/org-hospital");
        CareTeam team = new CareTeam()
                .setSubject(new Reference("Patient/" + PATIENT))
                .setStatus(CareTeam.CareTeamStatus.ACTIVE);
        for (String member : List.of("role-hn", "role-cm-sasaki", "role-ito-cm", "role-takahashi-dr")) {
            team.addParticipant().setMember(new Reference("PractitionerRole/" + member));
        }
        world.seed("CareTeam", "ct-" + PATIENT, team, "Organization/org-hospital");
        world.seed(
                "Consent",
                "share-" + PATIENT,
                CareRecords.sharingWith(PATIENT, "CareTeam/ct-" + PATIENT),
                "Organization/org-hospital");
        // the directory the documents are sent through: the example's organisations and people, and this test's own
        CareRecords.directory()
                .forEach(entry ->
                        world.seed(entry.fhirType(), entry.getIdElement().getIdPart(), entry, null));
        world.seed("Organization", "org-hospital", new Organization().setName("岩手中央病院"), null);
        for (String role : List.of("role-hn", "role-ito-cm", "role-takahashi-dr")) {
            world.seed("PractitionerRole", role, new PractitionerRole().setActive(true), null);
        }
        world.seed(
                "PractitionerRole",
                "role-kato-cm",
                new PractitionerRole().setActive(true).setOrganization(new Reference("Organization/careplan-asahi")),
                null);
        // a record about another patient, which the nurse may not read
        world.seed(
                "Patient",
                "p-other",
                new Patient().addName(new HumanName().setFamily("佐藤")),
                "Organization/org-elsewhere");
        world.seed(
                "Composition",
                "doc-other",
                CareRecords.about("Composition", "discharge-summary", "p-other"),
                "Organization/org-elsewhere");
        nurse = world.issuer
                .token()
                .roles("hospital-nurse")
                .subject("hn-1")
                .claim("practitioner_role", "role-hn")
                .claim("organization", "org-hospital")
                .sign();
        // 佐々木, care manager at ケアプランあさひ (the example's PractitionerRole/role-cm-sasaki)
        careManager = world.issuer
                .token()
                .roles("care-manager")
                .subject("cm-1")
                .claim("practitioner_role", "role-cm-sasaki")
                .claim("practitioner", "cm-sasaki")
                .claim("organization", "careplan-asahi")
                .sign();
        careManagerKato = world.issuer
                .token()
                .roles("care-manager")
                .subject("cm-3")
                .claim("practitioner_role", "role-kato-cm")
                .claim("organization", "careplan-asahi")
                .sign();
        careManagerIto = world.issuer
                .token()
                .roles("care-manager")
                .subject("cm-2")
                .claim("practitioner_role", "role-ito-cm")
                .claim("organization", "org-minami")
                .sign();
        doctor = world.issuer
                .token()
                .roles("physician")
                .subject("dr-1")
                .claim("practitioner_role", "role-takahashi-dr")
                .claim("organization", "org-clinic")
                .sign();
    }

    private HttpResponse<String> post(String token, Resource resource) {
        return hub.send(
                "POST",
                "/" + resource.fhirType(),
                "application/fhir+json",
                json.encodeResourceToString(resource),
                "Authorization",
                "Bearer " + token);
    }

    private String created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.parseResource(response.body()).getIdElement().getIdPart();
    }

    private List<Task> tasks(String token, String query) {
        HttpResponse<String> response =
                hub.send("GET", "/Task?" + query, null, null, "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().stream()
                .map(e -> (Task) e.getResource())
                .toList();
    }

    /** The published contact-form question, about this test's patient, to be created anew. */
    private static Communication question() {
        Communication question = (Communication)
                CareRecords.example("Communication-contact-form-question-example.json", "pat-sasaki", PATIENT);
        question.setId((String) null);
        return question;
    }

    private Bundle dischargeHandoff() {
        return (Bundle) CareRecords.about("Bundle", "discharge-summary", PATIENT);
    }

    private static Composition composition(Bundle document) {
        return (Composition) document.getEntryFirstRep().getResource();
    }

    @Test
    void sendingADischargeHandoffOpensOneTaskPerRecipient() {
        Bundle sent = dischargeHandoff();
        String id = created(post(nurse, sent));

        List<Task> opened = tasks(nurse, "focus=Bundle/" + id);
        assertThat(opened)
                .extracting(t -> t.getOwner().getReference())
                .containsExactlyInAnyOrder(
                        "PractitionerRole/role-cm-sasaki",
                        "Organization/vns-morioka-chuo",
                        "PractitionerRole/role-dr-abe",
                        "Organization/midori-pharmacy-ueda");
        for (Task task : opened) {
            assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
            assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("discharge-summary");
            assertThat(task.getFor().getReference()).isEqualTo("Patient/" + PATIENT);
            assertThat(task.getRequester().getReference()).isEqualTo("PractitionerRole/role-hn");
            assertThat(task.getExtensionByUrl(TaskWorkflow.STATUS_TIMES).getExtensionByUrl("requested"))
                    .isNotNull();
        }

        // the care manager finds it in their inbox, receives it, and fetches the whole document
        List<Task> inbox = tasks(careManager, "owner=PractitionerRole/role-cm-sasaki&status=requested");
        assertThat(inbox).extracting(t -> t.getFocus().getReference()).contains("Bundle/" + id);
        Task mine = inbox.stream()
                .filter(t -> t.getFocus().getReference().equals("Bundle/" + id))
                .findFirst()
                .orElseThrow();
        mine.setStatus(Task.TaskStatus.RECEIVED);
        HttpResponse<String> received = hub.send(
                "PUT",
                "/Task/" + mine.getIdElement().getIdPart(),
                "application/fhir+json",
                json.encodeResourceToString(mine),
                "Authorization",
                "Bearer " + careManager);
        assertThat(received.statusCode()).as(received.body()).isEqualTo(200);
        assertThat(json.parseResource(Task.class, received.body())
                        .getExtensionByUrl(TaskWorkflow.STATUS_TIMES)
                        .getExtensionByUrl("received"))
                .isNotNull();

        HttpResponse<String> document =
                hub.send("GET", "/Bundle/" + id, null, null, "Authorization", "Bearer " + careManager);
        assertThat(document.statusCode()).as(document.body()).isEqualTo(200);
        Bundle fetched = json.parseResource(Bundle.class, document.body());
        assertThat(fetched.getType()).isEqualTo(Bundle.BundleType.DOCUMENT);
        assertThat(fetched.getEntry()).hasSize(sent.getEntry().size());
        assertThat(fetched.getEntry())
                .extracting(Bundle.BundleEntryComponent::getFullUrl)
                .containsExactlyElementsOf(sent.getEntry().stream()
                        .map(Bundle.BundleEntryComponent::getFullUrl)
                        .toList());
        assertThat(composition(fetched).getSection())
                .hasSameSizeAs(composition(sent).getSection());
    }

    @Test
    void admissionInformationSentAsADocumentCarriesTheFeeRuleDeadlinesOfTheAdmissionDay() {
        Bundle sent = (Bundle) CareRecords.about("Bundle", "admission-info", PATIENT);
        Composition info = composition(sent);
        info.addExtension(HandoffDispatch.RECIPIENT, new Reference("Organization/org-hospital"));
        // admitted on 20 November 2026: 令和6年度 rules, (I) the same day, (II) by the end of 22 November
        info.addEvent()
                .getPeriod()
                .setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026-11-20T10:30:00+09:00"));
        String id = created(post(careManager, sent));
        Task task = tasks(careManager, "focus=Bundle/" + id).get(0);
        assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("admission-info");
        assertThat(task.getOwner().getReference()).isEqualTo("Organization/org-hospital");
        assertThat(task.getRestriction().getPeriod().getEndElement().getValueAsString())
                .isEqualTo("2026-11-22T23:59:59+09:00");
        assertThat(task.getExtensionsByUrl(TaskWorkflow.DEADLINE)).hasSize(2);
    }

    /**
     * Issue 20: the pharmacist's 服薬情報提供書 (a document of kind medication-report) sent to the home doctor and the care
     * manager opens one Task for each, with no fee-rule deadline; each finds it addressed to them and reads the report.
     */
    @Test
    void aMedicationReportOpensATaskForTheHomeDoctorAndTheCareManager() {
        String patient = "pm";
        world.seed(
                "Patient",
                patient,
                new Patient().addName(new HumanName().setFamily("佐藤").addGiven("一郎")),
                "Organization/org-hospital");
        CareTeam team = new CareTeam()
                .setSubject(new Reference("Patient/" + patient))
                .setStatus(CareTeam.CareTeamStatus.ACTIVE);
        for (String member : List.of("role-pharm", "role-cm-sasaki", "role-takahashi-dr")) {
            team.addParticipant().setMember(new Reference("PractitionerRole/" + member));
        }
        world.seed("CareTeam", "ct-" + patient, team, "Organization/org-hospital");
        world.seed(
                "Consent",
                "share-" + patient,
                CareRecords.sharingWith(patient, "CareTeam/ct-" + patient),
                "Organization/org-hospital");
        world.seed("PractitionerRole", "role-pharm", new PractitionerRole().setActive(true), null);
        String pharmacist = world.issuer
                .token()
                .roles("pharmacist")
                .subject("ph-1")
                .claim("practitioner_role", "role-pharm")
                .claim("organization", "org-pharmacy")
                .sign();

        Bundle report = (Bundle) CareRecords.about("Bundle", "medication-report", patient);
        Composition composition = composition(report);
        composition
                .addSection()
                .setTitle("服薬状況")
                .getText()
                .setStatus(org.hl7.fhir.r4.model.Narrative.NarrativeStatus.GENERATED)
                .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">朝食後の薬の飲み忘れが週2回程度。</div>");
        composition.addExtension(HandoffDispatch.RECIPIENT, new Reference("PractitionerRole/role-takahashi-dr"));
        composition.addExtension(HandoffDispatch.RECIPIENT, new Reference("PractitionerRole/role-cm-sasaki"));
        String id = created(post(pharmacist, report));

        for (String[] recipient : List.of(
                new String[] {doctor, "PractitionerRole/role-takahashi-dr"},
                new String[] {careManager, "PractitionerRole/role-cm-sasaki"})) {
            List<Task> mine = tasks(recipient[0], "owner=" + recipient[1] + "&status=requested").stream()
                    .filter(t -> t.getFocus().getReference().equals("Bundle/" + id))
                    .toList();
            assertThat(mine).as(recipient[1]).hasSize(1);
            Task task = mine.get(0);
            assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("medication-report");
            assertThat(task.getCode().getCodingFirstRep().getDisplay()).isEqualTo("服薬情報提供書の送付");
            assertThat(task.getRequester().getReference()).isEqualTo("PractitionerRole/role-pharm");
            assertThat(task.getExtensionsByUrl(TaskWorkflow.DEADLINE)).isEmpty();
            assertThat(task.getRestriction().getPeriod().hasEnd()).isFalse();
            HttpResponse<String> read =
                    hub.send("GET", "/Bundle/" + id, null, null, "Authorization", "Bearer " + recipient[0]);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(read.body()).contains("朝食後の薬の飲み忘れが週2回程度。");
        }
    }

    /** Issue 19 flow 2: the PDF preview before sending, judged as the sending would be, storing nothing. */
    @Test
    void aDocumentNotYetSentPrintsAsItsPreviewJudgedAsItsSendingAndNothingIsStored() throws Exception {
        int tasksBefore = tasks(nurse, "patient=" + PATIENT).size();
        int documentsBefore = documents(nurse);
        HttpResponse<byte[]> preview = previewPdf(nurse, json.encodeResourceToString(dischargeHandoff()));
        assertThat(preview.statusCode())
                .as(new String(preview.body(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(preview.headers().firstValue("Content-Type").orElse("")).startsWith("application/pdf");
        assertThat(preview.headers().firstValue("Content-Disposition").orElse(""))
                .contains("filename=\"discharge-summary-preview.pdf\"");
        try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(preview.body())) {
            String text =
                    new org.apache.pdfbox.text.PDFTextStripper().getText(pdf).replaceAll("[\\s　]", "");
            assertThat(text).startsWith("退院時情報提供書（送信前の確認用・未送信）").contains("高橋");
        }
        assertThat(documents(nurse)).as("no document stored").isEqualTo(documentsBefore);
        assertThat(tasks(nurse, "patient=" + PATIENT)).as("no hand-off opened").hasSize(tasksBefore);

        // what the sending would refuse, the preview refuses alike: a recipient the hub cannot address (422) ...
        Bundle unaddressable = dischargeHandoff();
        composition(unaddressable)
                .getExtensionsByUrl(HandoffDispatch.RECIPIENT)
                .get(1)
                .setValue(new Reference("https://other-hub.example.jp/fhir/Organization/x"));
        assertSameRefusal(nurse, unaddressable);
        // ... a document against its profile (422) ...
        Bundle untitled = dischargeHandoff();
        composition(untitled).setTitle(null);
        assertSameRefusal(nurse, untitled);
        // ... and a caller who may not write about the patient (403)
        String outsider = world.issuer
                .token()
                .roles("hospital-nurse")
                .subject("hn-x")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-elsewhere")
                .sign();
        assertSameRefusal(outsider, dischargeHandoff());
        // not a document: nothing to preview
        HttpResponse<byte[]> collection =
                previewPdf(nurse, json.encodeResourceToString(new Bundle().setType(Bundle.BundleType.COLLECTION)));
        assertThat(collection.statusCode()).isEqualTo(422);
        assertThat(documents(nurse)).isEqualTo(documentsBefore);
    }

    private void assertSameRefusal(String token, Bundle document) throws Exception {
        HttpResponse<byte[]> preview = previewPdf(token, json.encodeResourceToString(document));
        HttpResponse<String> sending = post(token, document);
        assertThat(sending.statusCode()).as(sending.body()).isIn(403, 404, 422);
        assertThat(preview.statusCode()).isEqualTo(sending.statusCode());
        OperationOutcome told = json.parseResource(
                OperationOutcome.class, new String(preview.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(told.getIssueFirstRep().getDiagnostics())
                .isEqualTo(json.parseResource(OperationOutcome.class, sending.body())
                        .getIssueFirstRep()
                        .getDiagnostics());
    }

    private HttpResponse<byte[]> previewPdf(String token, String body) throws Exception {
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.baseUrl() + "/Bundle/$pdf"))
                                .header("Content-Type", "application/fhir+json")
                                .header("Authorization", "Bearer " + token)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
    }

    private int documents(String token) {
        HttpResponse<String> response =
                hub.send("GET", "/Bundle?_summary=count", null, null, "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getTotal();
    }

    @Test
    void aRecipientTheHubCannotAddressIsRefusedAndNothingIsStored() {
        Bundle sent = dischargeHandoff();
        composition(sent)
                .getExtensionsByUrl(HandoffDispatch.RECIPIENT)
                .get(1)
                .setValue(new Reference("https://other-hub.example.jp/fhir/Organization/x"));
        int before = tasks(nurse, "patient=" + PATIENT).size();
        HttpResponse<String> response = post(nurse, sent);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(json.parseResource(OperationOutcome.class, response.body())
                        .getIssueFirstRep()
                        .getExpression()
                        .get(0)
                        .getValue())
                .startsWith("Bundle.entry[0].resource.extension");
        assertThat(tasks(nurse, "patient=" + PATIENT)).hasSize(before);
    }

    @Test
    void aTransactionSendsLikeACreateAndAFailedOneLeavesNoTasks() {
        int first = tasks(nurse, "patient=" + PATIENT).size();
        Bundle sending = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        sending.addEntry()
                .setResource(dischargeHandoff())
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Bundle");
        HttpResponse<String> ok = hub.send(
                "POST",
                "",
                "application/fhir+json",
                json.encodeResourceToString(sending),
                "Authorization",
                "Bearer " + nurse);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        int before = tasks(nurse, "patient=" + PATIENT).size();
        assertThat(before).isEqualTo(first + 4);

        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction
                .addEntry()
                .setResource(dischargeHandoff())
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Bundle");
        // an update of a record that does not exist at the version named: the whole transaction fails
        Observation stale = (Observation) CareRecords.about("Observation", "vital-signs", PATIENT);
        transaction
                .addEntry()
                .setResource(stale)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.PUT)
                .setUrl("Observation/obs-missing")
                .setIfMatch("W/\"7\"");
        HttpResponse<String> response = hub.send(
                "POST",
                "",
                "application/fhir+json",
                json.encodeResourceToString(transaction),
                "Authorization",
                "Bearer " + nurse);
        assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
        assertThat(tasks(nurse, "patient=" + PATIENT)).hasSize(before);
    }

    @Test
    void aContactFormIsSentReadAndAnswered() {
        Communication question = question();
        String questionId = created(post(careManagerIto, question));

        List<Task> opened = tasks(careManagerIto, "focus=Communication/" + questionId);
        assertThat(opened).hasSize(1);
        Task task = opened.get(0);
        assertThat(task.getOwner().getReference()).isEqualTo("PractitionerRole/role-takahashi-dr");
        assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("contact-form");
        // due at the end of the 返信希望日 in Japan
        String replyBy =
                ((DateType) question.getExtensionByUrl(HandoffDispatch.REPLY_BY).getValue()).getValueAsString();
        assertThat(task.getRestriction().getPeriod().getEndElement().getValueAsString())
                .isEqualTo(replyBy + "T23:59:59+09:00");

        // someone else's answer (not the addressee's) closes nothing
        Communication notTheirs = (Communication)
                CareRecords.example("Communication-contact-form-answer-example.json", "pat-sasaki", PATIENT);
        notTheirs.setId((String) null);
        notTheirs.getInResponseToFirstRep().setReference("Communication/" + questionId);
        notTheirs.setSender(new Reference("PractitionerRole/role-hn"));
        created(post(nurse, notTheirs));
        assertThat(tasks(careManagerIto, "focus=Communication/" + questionId)
                        .get(0)
                        .getStatus())
                .isEqualTo(Task.TaskStatus.REQUESTED);
        assertThat(read(careManagerIto, Communication.class, questionId).hasReceived())
                .isFalse();

        // the physician answers without marking it read first
        Communication answer = (Communication)
                CareRecords.example("Communication-contact-form-answer-example.json", "pat-sasaki", PATIENT);
        answer.setId((String) null);
        answer.getInResponseToFirstRep().setReference("Communication/" + questionId);
        created(post(doctor, answer));

        Task answered =
                tasks(careManagerIto, "focus=Communication/" + questionId).get(0);
        assertThat(answered.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
        Extension times = answered.getExtensionByUrl(TaskWorkflow.STATUS_TIMES);
        assertThat(times.getExtensionByUrl("requested")).isNotNull();
        assertThat(times.getExtensionByUrl("received")).isNotNull();
        assertThat(times.getExtensionByUrl("completed")).isNotNull();
        assertThat(read(careManagerIto, Communication.class, questionId).hasReceived())
                .isTrue();
    }

    @Test
    void readingAContactFormMarksTheQuestionRead() {
        Communication question = question();
        String questionId = created(post(careManagerIto, question));
        assertThat(read(careManagerIto, Communication.class, questionId).hasReceived())
                .isFalse();

        Task task = tasks(doctor, "focus=Communication/" + questionId).get(0);
        task.setStatus(Task.TaskStatus.RECEIVED);
        HttpResponse<String> read = hub.send(
                "PUT",
                "/Task/" + task.getIdElement().getIdPart(),
                "application/fhir+json",
                json.encodeResourceToString(task),
                "Authorization",
                "Bearer " + doctor);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        Communication now = read(careManagerIto, Communication.class, questionId);
        assertThat(now.hasReceived()).isTrue();
        assertThat(json.parseResource(Task.class, read.body())
                        .getExtensionByUrl(TaskWorkflow.STATUS_TIMES)
                        .getExtensionByUrl("received"))
                .isNotNull();
    }

    private <T extends Resource> T read(String token, Class<T> type, String id) {
        HttpResponse<String> response =
                hub.send("GET", "/" + type.getSimpleName() + "/" + id, null, null, "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(type, response.body());
    }

    @Test
    void aDocumentTypeOrCategoryWithoutACodeIsTheClientsErrorNotACrash() {
        Bundle sent = dischargeHandoff();
        composition(sent).getType().getCodingFirstRep().setCode(null);
        assertThat(post(nurse, sent).statusCode()).isBetween(400, 499);
        Communication question = question();
        question.getCategory().forEach(c -> c.getCoding().forEach(coding -> coding.setCode(null)));
        assertThat(post(careManagerIto, question).statusCode()).isBetween(400, 499);
    }

    @Test
    void aContactFormThatDoesNotClaimItsProfileIsStillHeldToIt() {
        Communication question = question();
        question.getMeta().getProfile().clear();
        question.getPayload().clear();
        HttpResponse<String> response = post(careManager, question);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.body()).contains("Communication.payload");
    }

    // ---- deadlines of a discharge handoff (issue 18 point 11) -----------------------------------------------------

    private static List<String> deadlines(Task task) {
        return task.getExtensionsByUrl(TaskWorkflow.DEADLINE).stream()
                .map(d -> ((org.hl7.fhir.r4.model.Coding)
                                        d.getExtensionByUrl("rule").getValue())
                                .getCode() + " "
                        + ((org.hl7.fhir.r4.model.DateTimeType)
                                        d.getExtensionByUrl("due").getValue())
                                .getValueAsString())
                .toList();
    }

    @Test
    void aDischargeHandoffIsDueByTheDayOfDischarge() {
        // the example names the hospital stay it ends (Composition.encounter): discharged on 27 November 2026
        String id = created(post(nurse, dischargeHandoff()));
        List<Task> opened = tasks(nurse, "focus=Bundle/" + id);
        assertThat(opened).hasSize(4).allSatisfy(task -> {
            assertThat(deadlines(task))
                    .containsExactlyInAnyOrder(
                            "chiiki-renkei-shinryo-keikaku 2026-11-27T23:59:59+09:00",
                            "taiin-taisho 2026-11-27T23:59:59+09:00");
            assertThat(task.getRestriction().getPeriod().getEndElement().getValueAsString())
                    .isEqualTo("2026-11-27T23:59:59+09:00");
            assertThat(task.getInputFirstRep().getValue().primitiveValue()).isEqualTo("2026-11-27");
        });

        // a documented stay (Composition.event.period) ends on its discharge day, whatever the Encounter planned
        Bundle earlier = dischargeHandoff();
        composition(earlier)
                .addEvent()
                .getPeriod()
                .setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026-10-28T21:40:00+09:00"))
                .setEndElement(new org.hl7.fhir.r4.model.DateTimeType("2026-11-25T10:00:00+09:00"));
        String earlierId = created(post(nurse, earlier));
        assertThat(tasks(nurse, "focus=Bundle/" + earlierId))
                .allSatisfy(task -> assertThat(task.getRestriction()
                                .getPeriod()
                                .getEndElement()
                                .getValueAsString())
                        .isEqualTo("2026-11-25T23:59:59+09:00"));
    }

    // ---- references that must resolve (issue 18 point 12) ---------------------------------------------------------

    private int bundlesWithIdentifier(Bundle document) {
        HttpResponse<String> found = hub.send(
                "GET",
                "/Bundle?identifier=" + document.getIdentifier().getSystem() + "%7C"
                        + document.getIdentifier().getValue(),
                null,
                null,
                "Authorization",
                "Bearer " + nurse);
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, found.body()).getTotal();
    }

    private OperationOutcome.OperationOutcomeIssueComponent refused(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        return json.parseResource(OperationOutcome.class, response.body()).getIssueFirstRep();
    }

    @Test
    void aMistypedRecipientIsRefusedByNameAndNothingIsStored() {
        Bundle sent = dischargeHandoff();
        composition(sent)
                .getExtensionsByUrl(HandoffDispatch.RECIPIENT)
                .get(0)
                .setValue(new Reference("PractitionerRole/role-care-manger"));
        int before = tasks(nurse, "patient=" + PATIENT).size();

        OperationOutcome.OperationOutcomeIssueComponent issue = refused(post(nurse, sent));
        assertThat(issue.getExpression().get(0).getValue())
                .isEqualTo("Bundle.entry[0].resource.extension('" + HandoffDispatch.RECIPIENT + "')[0].value");
        assertThat(issue.getDiagnostics())
                .contains("PractitionerRole/role-care-manger")
                .doesNotContain("高橋");
        assertThat(tasks(nurse, "patient=" + PATIENT)).hasSize(before);
        assertThat(bundlesWithIdentifier(sent)).isZero();

        // a contact form to a mistyped physician, too
        Communication question = question();
        question.getRecipientFirstRep().setReference("PractitionerRole/role-takahashi-dt");
        OperationOutcome.OperationOutcomeIssueComponent contactForm = refused(post(careManagerIto, question));
        assertThat(contactForm.getExpression().get(0).getValue()).isEqualTo("Communication.recipient[0]");
        assertThat(contactForm.getDiagnostics()).contains("PractitionerRole/role-takahashi-dt");
        assertThat(tasks(nurse, "patient=" + PATIENT)).hasSize(before);

        // and a hand-off Task written directly
        Task direct = new Task()
                .setStatus(Task.TaskStatus.REQUESTED)
                .setIntent(Task.TaskIntent.ORDER)
                .setFor(new Reference("Patient/" + PATIENT))
                .setOwner(new Reference("Organization/vns-morioka-chuou"));
        direct.getCode().addCoding(new org.hl7.fhir.r4.model.Coding(TaskWorkflow.HANDOFF, "discharge-summary", null));
        OperationOutcome.OperationOutcomeIssueComponent task = refused(post(nurse, direct));
        assertThat(task.getExpression().get(0).getValue()).isEqualTo("Task.owner");
        assertThat(task.getDiagnostics()).contains("Organization/vns-morioka-chuou");
        assertThat(tasks(nurse, "patient=" + PATIENT)).hasSize(before);
    }

    @Test
    void everyReferenceOutsideTheDocumentMustBeARecordTheSenderMayReferTo() {
        // not in the document and not in the hub: the handoff this one replaces, mistyped
        Bundle missing = dischargeHandoff();
        composition(missing)
                .addRelatesTo()
                .setCode(Composition.DocumentRelationshipType.REPLACES)
                .setTarget(new Reference("Composition/doc-handoff-2025"));
        OperationOutcome.OperationOutcomeIssueComponent issue = refused(post(nurse, missing));
        assertThat(issue.getExpression().get(0).getValue())
                .as(issue.getDiagnostics())
                .isEqualTo("Bundle.entry[0].resource.relatesTo[0].target");
        assertThat(issue.getDiagnostics()).contains("Composition/doc-handoff-2025");
        assertThat(bundlesWithIdentifier(missing)).isZero();

        // in the hub, but another patient's record the sender may not read: the same answer, nothing about it revealed
        Bundle hidden = dischargeHandoff();
        composition(hidden)
                .addRelatesTo()
                .setCode(Composition.DocumentRelationshipType.REPLACES)
                .setTarget(new Reference("Composition/doc-other"));
        OperationOutcome.OperationOutcomeIssueComponent hiddenIssue = refused(post(nurse, hidden));
        assertThat(hiddenIssue.getExpression().get(0).getValue())
                .isEqualTo("Bundle.entry[0].resource.relatesTo[0].target");
        assertThat(hiddenIssue.getDiagnostics())
                .contains("Composition/doc-other")
                .doesNotContain("佐藤");
        assertThat(hiddenIssue.getDiagnostics().replace("doc-other", "doc-handoff-2025"))
                .isEqualTo(issue.getDiagnostics());
        assertThat(bundlesWithIdentifier(hidden)).isZero();

        // an author the document carries (as an entry) but the hub's directory does not know
        Bundle stranger = json.parseResource(
                Bundle.class,
                json.encodeResourceToString(dischargeHandoff()).replace("role-dr-sugawara", "role-dr-sugawala"));
        OperationOutcome.OperationOutcomeIssueComponent author = refused(post(nurse, stranger));
        assertThat(author.getExpression().get(0).getValue()).isEqualTo("Bundle.entry[0].resource.author[1]");
        assertThat(author.getDiagnostics()).contains("PractitionerRole/role-dr-sugawala");
    }

    // ---- sending again (issue 18 point 13) --------------------------------------------------------------------------

    @Test
    void sendingTheSameDocumentAgainChangesNothing() {
        Bundle sent = dischargeHandoff();
        String id = created(post(nurse, sent));
        assertThat(tasks(nurse, "focus=Bundle/" + id)).hasSize(4);

        HttpResponse<String> again = post(nurse, sent);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        Bundle answer = json.parseResource(Bundle.class, again.body());
        assertThat(answer.getIdElement().getIdPart()).isEqualTo(id);
        assertThat(answer.getMeta().getVersionId()).isEqualTo("1");
        assertThat(tasks(nurse, "focus=Bundle/" + id)).hasSize(4);
        assertThat(bundlesWithIdentifier(sent)).isEqualTo(1);

        // in a transaction, too
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction
                .addEntry()
                .setResource(sent)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Bundle");
        HttpResponse<String> resent = hub.send(
                "POST",
                "",
                "application/fhir+json",
                json.encodeResourceToString(transaction),
                "Authorization",
                "Bearer " + nurse);
        assertThat(resent.statusCode()).as(resent.body()).isEqualTo(200);
        assertThat(json.parseResource(Bundle.class, resent.body())
                        .getEntryFirstRep()
                        .getResponse()
                        .getLocation())
                .isEqualTo("Bundle/" + id + "/_history/1");
        assertThat(tasks(nurse, "focus=Bundle/" + id)).hasSize(4);
    }

    @Test
    void aChangedDocumentWithTheSameIdentifierIsItsNextVersion() {
        Bundle sent = dischargeHandoff();
        String id = created(post(nurse, sent));
        List<Task> first = tasks(nurse, "focus=Bundle/" + id);

        // corrected and sent to one more: the visiting nurse's own role
        composition(sent).setTitle("退院時情報提供書（退院シート）訂正版");
        composition(sent).addExtension(HandoffDispatch.RECIPIENT, new Reference("PractitionerRole/role-vn-kikuchi"));
        HttpResponse<String> amended = post(nurse, sent);
        assertThat(amended.statusCode()).as(amended.body()).isEqualTo(200);
        Bundle answer = json.parseResource(Bundle.class, amended.body());
        assertThat(answer.getIdElement().getIdPart()).isEqualTo(id);
        assertThat(answer.getMeta().getVersionId()).isEqualTo("2");
        assertThat(composition(read(nurse, Bundle.class, id)).getTitle()).isEqualTo("退院時情報提供書（退院シート）訂正版");
        assertThat(bundlesWithIdentifier(sent)).isEqualTo(1);

        List<Task> now = tasks(nurse, "focus=Bundle/" + id);
        assertThat(now).hasSize(first.size() + 1);
        assertThat(now)
                .filteredOn(t -> t.getOwner().getReference().equals("PractitionerRole/role-vn-kikuchi"))
                .hasSize(1);
        assertThat(now)
                .filteredOn(t -> first.stream()
                        .anyMatch(f -> f.getIdElement()
                                .getIdPart()
                                .equals(t.getIdElement().getIdPart())))
                .allSatisfy(t -> assertThat(t.getMeta().getVersionId()).isEqualTo("1"));
    }

    // ---- an organisation's inbox (issue 18 point 18) --------------------------------------------------------------

    @Test
    void anOrganisationsInboxHoldsTheTasksAddressedToItsPeople() {
        String id = created(post(nurse, dischargeHandoff()));
        Task toPerson = new Task()
                .setStatus(Task.TaskStatus.REQUESTED)
                .setIntent(Task.TaskIntent.ORDER)
                .setFor(new Reference("Patient/" + PATIENT))
                .setOwner(new Reference("Practitioner/cm-sasaki"))
                .setFocus(new Reference("Bundle/" + id));
        toPerson.getCode().addCoding(new org.hl7.fhir.r4.model.Coding(TaskWorkflow.HANDOFF, "discharge-summary", null));
        String personal = created(post(nurse, toPerson));

        // 佐々木 works at ケアプランあさひ as PractitionerRole/role-cm-sasaki: the office's inbox holds both
        List<Task> inbox = tasks(careManager, "owner=Organization/careplan-asahi&status=requested");
        assertThat(inbox)
                .filteredOn(t -> t.getFocus().getReference().equals("Bundle/" + id))
                .extracting(t -> t.getOwner().getReference())
                .containsExactlyInAnyOrder("PractitionerRole/role-cm-sasaki", "Practitioner/cm-sasaki");
        assertThat(inbox).extracting(t -> t.getIdElement().getIdPart()).contains(personal);

        // each Task is still checked: the colleague at the same office, not its addressee, sees neither
        assertThat(tasks(careManagerKato, "owner=Organization/careplan-asahi&status=requested"))
                .noneMatch(t -> t.getFocus().getReference().equals("Bundle/" + id));
    }
}
