package jp.renkei.hub.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.List;
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
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sending is writing: a hospital sends a discharge handoff and every recipient gets a hand-off Task in
 * the same write; a care manager's contact-form question gets a Task that the physician's answer
 * completes. Refused sends leave nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandoffDispatchTest {

    private static final String PATIENT = "pk";
    private SecuredHub world;
    private HubInstance hub;
    private String nurse;
    private String careManager;
    private String careManagerIto;
    private String doctor;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start() throws Exception {
        world = new SecuredHub("renkei-handoff-dispatch");
        hub = world.hub;
        world.seed("Patient", PATIENT, new Patient().addName(new HumanName().setFamily("高橋").addGiven("キヨ")), "Organization/org-hospital");
        CareTeam team = new CareTeam().setSubject(new Reference("Patient/" + PATIENT)).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        for (String member : List.of("role-hn", "role-cm-sasaki", "role-ito-cm", "role-takahashi-dr")) {
            team.addParticipant().setMember(new Reference("PractitionerRole/" + member));
        }
        world.seed("CareTeam", "ct-" + PATIENT, team, "Organization/org-hospital");
        world.seed("Consent", "share-" + PATIENT, CareRecords.sharingWith(PATIENT, "CareTeam/ct-" + PATIENT), "Organization/org-hospital");
        nurse = world.issuer.token().roles("hospital-nurse").subject("hn-1").claim("practitioner_role", "role-hn")
                .claim("organization", "org-hospital").sign();
        careManager = world.issuer.token().roles("care-manager").subject("cm-1").claim("practitioner_role", "role-cm-sasaki")
                .claim("organization", "org-kyotaku").sign();
        careManagerIto = world.issuer.token().roles("care-manager").subject("cm-2").claim("practitioner_role", "role-ito-cm")
                .claim("organization", "org-minami").sign();
        doctor = world.issuer.token().roles("physician").subject("dr-1").claim("practitioner_role", "role-takahashi-dr")
                .claim("organization", "org-clinic").sign();
    }

    @AfterAll
    void stop() {
        world.close();
    }

    private HttpResponse<String> post(String token, Resource resource) {
        return hub.send("POST", "/" + resource.fhirType(), "application/fhir+json", json.encodeResourceToString(resource),
                "Authorization", "Bearer " + token);
    }

    private String created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.parseResource(response.body()).getIdElement().getIdPart();
    }

    private List<Task> tasks(String token, String query) {
        HttpResponse<String> response = hub.send("GET", "/Task?" + query, null, null, "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Bundle.class, response.body()).getEntry().stream().map(e -> (Task) e.getResource()).toList();
    }

    /** The published contact-form question, about this test's patient, to be created anew. */
    private static Communication question() {
        Communication question = (Communication) CareRecords.example("Communication-contact-form-question-example.json", "pat-sasaki", PATIENT);
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
        assertThat(opened).extracting(t -> t.getOwner().getReference()).containsExactlyInAnyOrder(
                "PractitionerRole/role-cm-sasaki", "Organization/vns-morioka-chuo", "PractitionerRole/role-dr-abe",
                "Organization/midori-pharmacy-ueda");
        for (Task task : opened) {
            assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
            assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("discharge-summary");
            assertThat(task.getFor().getReference()).isEqualTo("Patient/" + PATIENT);
            assertThat(task.getRequester().getReference()).isEqualTo("PractitionerRole/role-hn");
            assertThat(task.getExtensionByUrl(TaskWorkflow.STATUS_TIMES).getExtensionByUrl("requested")).isNotNull();
        }

        // the care manager finds it in their inbox, receives it, and fetches the whole document
        List<Task> inbox = tasks(careManager, "owner=PractitionerRole/role-cm-sasaki&status=requested");
        assertThat(inbox).extracting(t -> t.getFocus().getReference()).contains("Bundle/" + id);
        Task mine = inbox.stream().filter(t -> t.getFocus().getReference().equals("Bundle/" + id)).findFirst().orElseThrow();
        mine.setStatus(Task.TaskStatus.RECEIVED);
        HttpResponse<String> received = hub.send("PUT", "/Task/" + mine.getIdElement().getIdPart(), "application/fhir+json",
                json.encodeResourceToString(mine), "Authorization", "Bearer " + careManager);
        assertThat(received.statusCode()).as(received.body()).isEqualTo(200);
        assertThat(json.parseResource(Task.class, received.body()).getExtensionByUrl(TaskWorkflow.STATUS_TIMES)
                .getExtensionByUrl("received")).isNotNull();

        HttpResponse<String> document = hub.send("GET", "/Bundle/" + id, null, null, "Authorization", "Bearer " + careManager);
        assertThat(document.statusCode()).as(document.body()).isEqualTo(200);
        Bundle fetched = json.parseResource(Bundle.class, document.body());
        assertThat(fetched.getType()).isEqualTo(Bundle.BundleType.DOCUMENT);
        assertThat(fetched.getEntry()).hasSize(sent.getEntry().size());
        assertThat(fetched.getEntry()).extracting(Bundle.BundleEntryComponent::getFullUrl)
                .containsExactlyElementsOf(sent.getEntry().stream().map(Bundle.BundleEntryComponent::getFullUrl).toList());
        assertThat(composition(fetched).getSection()).hasSameSizeAs(composition(sent).getSection());
    }

    @Test
    void admissionInformationSentAsADocumentCarriesTheFeeRuleDeadlinesOfTheAdmissionDay() {
        Bundle sent = (Bundle) CareRecords.about("Bundle", "admission-info", PATIENT);
        Composition info = composition(sent);
        info.addExtension(HandoffDispatch.RECIPIENT, new Reference("Organization/org-hospital"));
        // admitted on 20 November 2026: 令和6年度 rules, (I) the same day, (II) by the end of 22 November
        info.addEvent().getPeriod().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026-11-20T10:30:00+09:00"));
        String id = created(post(careManager, sent));
        Task task = tasks(careManager, "focus=Bundle/" + id).get(0);
        assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("admission-info");
        assertThat(task.getOwner().getReference()).isEqualTo("Organization/org-hospital");
        assertThat(task.getRestriction().getPeriod().getEndElement().getValueAsString()).isEqualTo("2026-11-22T23:59:59+09:00");
        assertThat(task.getExtensionsByUrl(TaskWorkflow.DEADLINE)).hasSize(2);
    }

    @Test
    void aRecipientTheHubCannotAddressIsRefusedAndNothingIsStored() {
        Bundle sent = dischargeHandoff();
        composition(sent).getExtensionsByUrl(HandoffDispatch.RECIPIENT).get(1)
                .setValue(new Reference("https://other-hub.example.jp/fhir/Organization/x"));
        int before = tasks(nurse, "patient=" + PATIENT).size();
        HttpResponse<String> response = post(nurse, sent);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(json.parseResource(OperationOutcome.class, response.body()).getIssueFirstRep().getExpression().get(0).getValue())
                .startsWith("Bundle.entry[0].resource.extension");
        assertThat(tasks(nurse, "patient=" + PATIENT)).hasSize(before);
    }

    @Test
    void aTransactionSendsLikeACreateAndAFailedOneLeavesNoTasks() {
        int first = tasks(nurse, "patient=" + PATIENT).size();
        Bundle sending = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        sending.addEntry().setResource(dischargeHandoff()).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Bundle");
        HttpResponse<String> ok = hub.send("POST", "", "application/fhir+json", json.encodeResourceToString(sending),
                "Authorization", "Bearer " + nurse);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        int before = tasks(nurse, "patient=" + PATIENT).size();
        assertThat(before).isEqualTo(first + 4);

        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(dischargeHandoff()).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Bundle");
        // an update of a record that does not exist at the version named: the whole transaction fails
        Observation stale = (Observation) CareRecords.about("Observation", "vital-signs", PATIENT);
        transaction.addEntry().setResource(stale).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Observation/obs-missing")
                .setIfMatch("W/\"7\"");
        HttpResponse<String> response = hub.send("POST", "", "application/fhir+json", json.encodeResourceToString(transaction),
                "Authorization", "Bearer " + nurse);
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
        String replyBy = ((DateType) question.getExtensionByUrl(HandoffDispatch.REPLY_BY).getValue()).getValueAsString();
        assertThat(task.getRestriction().getPeriod().getEndElement().getValueAsString()).isEqualTo(replyBy + "T23:59:59+09:00");

        // someone else's answer (not the addressee's) closes nothing
        Communication notTheirs = (Communication) CareRecords.example("Communication-contact-form-answer-example.json", "pat-sasaki", PATIENT);
        notTheirs.setId((String) null);
        notTheirs.getInResponseToFirstRep().setReference("Communication/" + questionId);
        notTheirs.setSender(new Reference("PractitionerRole/role-hn"));
        created(post(nurse, notTheirs));
        assertThat(tasks(careManagerIto, "focus=Communication/" + questionId).get(0).getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
        assertThat(read(careManagerIto, Communication.class, questionId).hasReceived()).isFalse();

        // the physician answers without marking it read first
        Communication answer = (Communication) CareRecords.example("Communication-contact-form-answer-example.json", "pat-sasaki", PATIENT);
        answer.setId((String) null);
        answer.getInResponseToFirstRep().setReference("Communication/" + questionId);
        created(post(doctor, answer));

        Task answered = tasks(careManagerIto, "focus=Communication/" + questionId).get(0);
        assertThat(answered.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
        Extension times = answered.getExtensionByUrl(TaskWorkflow.STATUS_TIMES);
        assertThat(times.getExtensionByUrl("requested")).isNotNull();
        assertThat(times.getExtensionByUrl("received")).isNotNull();
        assertThat(times.getExtensionByUrl("completed")).isNotNull();
        assertThat(read(careManagerIto, Communication.class, questionId).hasReceived()).isTrue();
    }

    @Test
    void readingAContactFormMarksTheQuestionRead() {
        Communication question = question();
        String questionId = created(post(careManagerIto, question));
        assertThat(read(careManagerIto, Communication.class, questionId).hasReceived()).isFalse();

        Task task = tasks(doctor, "focus=Communication/" + questionId).get(0);
        task.setStatus(Task.TaskStatus.RECEIVED);
        HttpResponse<String> read = hub.send("PUT", "/Task/" + task.getIdElement().getIdPart(), "application/fhir+json",
                json.encodeResourceToString(task), "Authorization", "Bearer " + doctor);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        Communication now = read(careManagerIto, Communication.class, questionId);
        assertThat(now.hasReceived()).isTrue();
        assertThat(json.parseResource(Task.class, read.body()).getExtensionByUrl(TaskWorkflow.STATUS_TIMES)
                .getExtensionByUrl("received")).isNotNull();
    }

    private <T extends Resource> T read(String token, Class<T> type, String id) {
        HttpResponse<String> response = hub.send("GET", "/" + type.getSimpleName() + "/" + id, null, null, "Authorization", "Bearer " + token);
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
}
