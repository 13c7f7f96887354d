package jp.renkei.hub.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The hand-off Task through a running hub: a care manager tells the hospital about a client's
 * admission (入院時情報提供); the hospital receives and accepts it; illegal steps are refused; the
 * deadlines of the fee rules are stamped and an undelivered hand-off is flagged overdue.
 */
@Hub(
        own = "it flags overdue hand-offs itself: the hub's own run every minute would race it",
        properties = "renkei.workflow.overdue-check=1h")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandoffWorkflowTest {

    private SecuredHub world;
    private HubInstance hub;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        hub = world.hub;
        world.seed(
                "Patient",
                "ph",
                new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")),
                "Organization/org-homecare");
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        world.seed("CareTeam", "ct-ph", team, "Organization/org-homecare");
        // the patient shares with her care team and with the hospital she is admitted to
        world.seed(
                "Consent",
                "consent-ph",
                CareRecords.sharingWith("ph", "CareTeam/ct-ph", "Organization/org-hospital"),
                "Organization/org-homecare");
        // the hospital the hand-offs are addressed to, in the directory
        world.seed("Organization", "org-hospital", new org.hl7.fhir.r4.model.Organization().setName("岩手中央病院"), null);
    }

    private String careManager() {
        return world.issuer
                .token()
                .roles("care-manager")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
    }

    private String hospitalNurse() {
        return world.issuer
                .token()
                .roles("hospital-nurse")
                .claim("practitioner_role", "role-hn")
                .claim("organization", "org-hospital")
                .sign();
    }

    private String otherHospital() {
        return world.issuer
                .token()
                .roles("hospital-nurse")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-elsewhere")
                .sign();
    }

    private Task admissionInfo(LocalDate admitted) {
        Task task = new Task()
                .setStatus(TaskStatus.REQUESTED)
                .setIntent(Task.TaskIntent.ORDER)
                .setFor(new Reference("Patient/ph"))
                .setOwner(new Reference("Organization/org-hospital"))
                .setCode(new CodeableConcept(new Coding(TaskWorkflow.HANDOFF, "admission-info", "入院時情報提供")))
                .setDescription("入院時情報提供書をお送りします");
        task.addInput()
                .setType(new CodeableConcept(new Coding(TaskWorkflow.TASK_INPUT, "trigger-date", "入院日")))
                .setValue(new DateType(admitted.toString()));
        return task;
    }

    private HttpResponse<String> send(String method, String path, org.hl7.fhir.r4.model.Resource body, String token) {
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

    private Task create(Task task) {
        HttpResponse<String> created = send("POST", "/Task", task, careManager());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json.parseResource(Task.class, created.body());
    }

    private HttpResponse<String> move(Task task, TaskStatus to, String token) {
        Task next = task.copy().setStatus(to);
        next.setId(task.getIdElement().getIdPart());
        return send("PUT", "/Task/" + task.getIdElement().getIdPart(), next, token);
    }

    private Task moved(Task task, TaskStatus to, String token) {
        HttpResponse<String> response = move(task, to, token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.parseResource(Task.class, response.body());
    }

    private String expression(HttpResponse<String> response) {
        return json.parseResource(OperationOutcome.class, response.body())
                .getIssueFirstRep()
                .getExpression()
                .get(0)
                .getValue();
    }

    @Test
    void theHospitalReceivesAndAcceptsAndEachStepIsTimed() {
        LocalDate admitted = LocalDate.now(ZoneId.of("Asia/Tokyo"));
        Task task = create(admissionInfo(admitted));
        // deadlines of the rule set in force: the 2024 rules, (I) today, (II) the day after tomorrow
        List<Extension> deadlines = task.getExtensionsByUrl(TaskWorkflow.DEADLINE);
        assertThat(deadlines).hasSize(2);
        assertThat(((Coding) deadlines.get(0).getExtensionByUrl("rule").getValue()).getDisplay())
                .isEqualTo("入院時情報連携加算(I)");
        assertThat(task.getRestriction().getPeriod().getEndElement().getValueAsString())
                .isEqualTo(admitted.plusDays(2) + "T23:59:59+09:00");
        assertThat(task.getRequester().getReference()).isEqualTo("PractitionerRole/role-cm");

        // the addressee reads it; a hospital it was not sent to does not even see it
        String hospital = hospitalNurse();
        String id = task.getIdElement().getIdPart();
        assertThat(send("GET", "/Task/" + id, null, hospital).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/Task/" + id, null, otherHospital()).statusCode())
                .isEqualTo(404);
        Bundle inbox = json.parseResource(
                Bundle.class,
                send("GET", "/Task?owner=Organization/org-hospital&status=requested", null, hospital)
                        .body());
        assertThat(inbox.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .contains(id);

        // only the addressee receives; the requester cannot, the addressee cannot skip steps
        assertThat(move(task, TaskStatus.RECEIVED, careManager()).statusCode()).isEqualTo(422);
        HttpResponse<String> skipped = move(task, TaskStatus.COMPLETED, hospital);
        assertThat(skipped.statusCode()).isEqualTo(422);
        assertThat(expression(skipped)).isEqualTo("Task.status");

        Instant before = Instant.now();
        Task received = moved(task, TaskStatus.RECEIVED, hospital);
        Extension times = received.getExtensionByUrl(TaskWorkflow.STATUS_TIMES);
        Instant at = ((org.hl7.fhir.r4.model.InstantType)
                        times.getExtensionByUrl("received").getValue())
                .getValue()
                .toInstant();
        assertThat(at).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
        assertThat(received.getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("delivered-on-time");

        // the addressee may not rewrite the request, only respond to it
        Task rewritten = received.copy().setDescription("書き換え");
        rewritten.setId(id);
        assertThat(send("PUT", "/Task/" + id, rewritten, hospital).statusCode()).isEqualTo(403);
        // a rejection needs its reason; accepting does not; the requester can no longer cancel once accepted
        assertThat(move(received, TaskStatus.REJECTED, hospital).statusCode()).isEqualTo(422);
        Task accepted = moved(received, TaskStatus.ACCEPTED, hospital);
        assertThat(move(accepted, TaskStatus.CANCELLED, careManager()).statusCode())
                .isEqualTo(422);
        Task completed = moved(accepted, TaskStatus.COMPLETED, hospital);
        assertThat(completed.getExtensionByUrl(TaskWorkflow.STATUS_TIMES).getExtension())
                .extracting(Extension::getUrl)
                .containsExactly("requested", "received", "accepted", "completed");
        // the received time cannot be rewritten by a client
        Task forged = completed.copy();
        forged.setId(id);
        forged.getExtensionByUrl(TaskWorkflow.STATUS_TIMES)
                .getExtensionByUrl("received")
                .setValue(new org.hl7.fhir.r4.model.InstantType(new Date(0)));
        Task kept = json.parseResource(
                Task.class, send("PUT", "/Task/" + id, forged, careManager()).body());
        assertThat(kept.getExtensionByUrl(TaskWorkflow.STATUS_TIMES)
                        .getExtensionByUrl("received")
                        .getValue()
                        .primitiveValue())
                .isEqualTo(times.getExtensionByUrl("received").getValue().primitiveValue());
    }

    /** http.html#concurrency and RFC 9110 §13.2.2: a stale If-Match is answered 412 before the change itself is judged. */
    @Test
    void aStepFromAVersionTheAddresseeNoLongerHoldsIsAPreconditionFailureNotAWrongStep() {
        Task task = create(admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo"))));
        String hospital = hospitalNurse();
        String id = task.getIdElement().getIdPart();
        moved(task, TaskStatus.RECEIVED, hospital);
        // version 1 is gone; completing from it would also skip a step: the stale version is what the writer must hear
        Task stale = task.copy().setStatus(TaskStatus.COMPLETED);
        stale.setId(id);
        HttpResponse<String> answer = hub.send(
                "PUT",
                "/Task/" + id,
                "application/fhir+json",
                json.encodeResourceToString(stale),
                "Authorization",
                "Bearer " + hospital,
                "If-Match",
                "W/\"1\"");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(412);
        assertThat(json.parseResource(OperationOutcome.class, answer.body())
                        .getIssueFirstRep()
                        .getCode()
                        .toCode())
                .isEqualTo("conflict");
        assertThat(json.parseResource(
                                Task.class,
                                send("GET", "/Task/" + id, null, hospital).body())
                        .getStatus())
                .isEqualTo(TaskStatus.RECEIVED);
    }

    @Test
    void aRejectionSaysWhyAndTheRequesterCancelsOnlyItsOwnOpenRequests() {
        Task task = create(admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo"))));
        String hospital = hospitalNurse();
        assertThat(move(task, TaskStatus.CANCELLED, hospital).statusCode()).isEqualTo(403);
        Task received = moved(task, TaskStatus.RECEIVED, hospital);
        Task rejecting = received.copy()
                .setStatus(TaskStatus.REJECTED)
                .setStatusReason(new CodeableConcept().setText("当院への入院ではありません"));
        rejecting.setId(received.getIdElement().getIdPart());
        HttpResponse<String> rejected =
                send("PUT", "/Task/" + rejecting.getIdElement().getIdPart(), rejecting, hospital);
        assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);
        assertThat(move(json.parseResource(Task.class, rejected.body()), TaskStatus.ACCEPTED, hospital)
                        .statusCode())
                .isEqualTo(422);

        Task other = create(admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo"))));
        assertThat(moved(other, TaskStatus.CANCELLED, careManager()).getStatus())
                .isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aNewHandoffStartsAsRequestedAndNamesItsAddressee() {
        Task done = admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo"))).setStatus(TaskStatus.COMPLETED);
        HttpResponse<String> refused = send("POST", "/Task", done, careManager());
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(expression(refused)).isEqualTo("Task.status");
        Task nowhere = admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo"))).setOwner(null);
        HttpResponse<String> noOwner = send("POST", "/Task", nowhere, careManager());
        assertThat(noOwner.statusCode()).isEqualTo(422);
        assertThat(expression(noOwner)).isEqualTo("Task.owner");
    }

    @Test
    void anUndeliveredHandoffPastItsLastDeadlineIsFlaggedOverdueAndFound() {
        // admitted ten days ago: both deadlines (today and the day after tomorrow of that day) have passed
        Task late = create(admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo")).minusDays(10)));
        Task onTime = create(admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo"))));
        Task deliveredLate = moved(
                create(admissionInfo(LocalDate.now(ZoneId.of("Asia/Tokyo")).minusDays(9))),
                TaskStatus.RECEIVED,
                hospitalNurse());
        assertThat(deliveredLate.getBusinessStatus().getCodingFirstRep().getCode())
                .isEqualTo("delivered-late");

        int flagged = hub.bean(OverdueHandoffs.class).flagOverdue(new Date());
        assertThat(flagged).isGreaterThanOrEqualTo(1);
        Bundle overdue = json.parseResource(
                Bundle.class,
                send(
                                "GET",
                                "/Task?business-status=" + TaskWorkflow.HANDOFF_STATUS
                                        + "%7Coverdue&requester=PractitionerRole/role-cm",
                                null,
                                careManager())
                        .body());
        assertThat(overdue.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .contains(late.getIdElement().getIdPart())
                .doesNotContain(
                        onTime.getIdElement().getIdPart(),
                        deliveredLate.getIdElement().getIdPart());
        // flagging twice changes nothing
        long version = world.store.read("Task", late.getIdElement().getIdPart()).version();
        hub.bean(OverdueHandoffs.class).flagOverdue(new Date());
        assertThat(world.store.read("Task", late.getIdElement().getIdPart()).version())
                .isEqualTo(version);
    }
}
