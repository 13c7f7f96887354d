package jp.renkei.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.TestIssuer;
import jp.renkei.hub.audit.AuditAnchoring;
import jp.renkei.hub.notify.Notifications;
import jp.renkei.hub.notify.SocketClient;
import jp.renkei.hub.notify.Topic;
import jp.renkei.hub.sign.DeploymentCa;
import jp.renkei.hub.sign.TrustMaterial;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.StoreProperties;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.workflow.OverdueHandoffs;
import jp.renkei.hub.workflow.TaskWorkflow;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code $hub-status} (issue 20 point 7) against a hub with its deployment CA, audit seal and anchored chain, and
 * authentication on: the administrator sees the chain as last checked, the CA's certificates and CRL, this node's
 * sockets and the overdue hand-offs, each as it is; nobody else may call it, not even a patient who reads AuditEvents
 * about herself; the answer names no patient. The broken chain runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubStatusTest {

    private static final char[] PASSWORD = "test-only-pki".toCharArray();

    private final IParser json = HubInstance.fhirContext().newJsonParser();
    private final TestIssuer issuer = new TestIssuer();
    private Path root;
    private Path caDir;
    private String[] properties;
    private HubInstance hub;

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("renkei-hub-status");
        caDir = root.resolve("ca");
        DeploymentCa ca = DeploymentCa.create(caDir, "Test Renkei CA", Duration.ofDays(90), PASSWORD);
        Instant now = Instant.now();
        ca.issueOrganization("renkei-hub", "Renkei ハブ", now.minusSeconds(60), now.plus(Duration.ofDays(60)), PASSWORD);
        ca.issueAuditSeal("Renkei audit seal", now.minusSeconds(60), now.plus(Duration.ofDays(45)), PASSWORD);
        properties = java.util.stream.Stream.concat(
                        java.util.Arrays.stream(issuer.hubProperties()),
                        java.util.stream.Stream.of(
                                "renkei.sign.required=true",
                                "renkei.sign.trust-anchors=" + caDir.resolve("ca.crt"),
                                "renkei.sign.crls=" + caDir.resolve("ca.crl"),
                                "renkei.sign.seals=" + caDir.resolve("issued"),
                                "renkei.sign.seal-password=" + new String(PASSWORD),
                                "renkei.audit.anchor-dir=" + root.resolve("anchors"),
                                "renkei.audit.node=node-status",
                                "renkei.audit.checkpoint-interval=1h",
                                "renkei.audit.verify-interval=1h",
                                // overdue hand-offs are flagged by the test itself; the hub's own run would race it
                                "renkei.workflow.overdue-check=1h"))
                .toArray(String[]::new);
        // a hub of its own (docs/architecture.md §10), restarted on its data: its PKI, audit seal and anchored chain
        hub = new HubInstance(root.resolve("data"), properties);
        seed(
                "Patient",
                "pat-status",
                new Patient().addName(new HumanName().setFamily("状態").addGiven("確認子")));
        CareTeam team = new CareTeam()
                .setSubject(new Reference("Patient/pat-status"))
                .setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        seed("CareTeam", "ct-status", team);
        seed("Consent", "consent-status", CareRecords.sharingWith("pat-status", "CareTeam/ct-status"));
        hub.bean(AuditAnchoring.class).startupCheck().get(60, TimeUnit.SECONDS);
    }

    /** Writes a record as the home-care organisation had, bypassing the API. */
    private void seed(String type, String id, Resource resource) {
        StoreFixtures.of(hub)
                .write(List.of(new WriteRequest(type, id, resource, null, "Organization/org-homecare", null)));
    }

    private MongoDatabase db() {
        return hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database());
    }

    @AfterAll
    void stop() {
        hub.close();
        issuer.close();
        HubInstance.deleteStore(root);
    }

    private String admin() {
        return issuer.token().roles("hub-admin").subject("admin-1").sign();
    }

    private String careManager() {
        return issuer.token()
                .roles("care-manager")
                .subject("cm-status")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
    }

    private HttpResponse<String> status(String token) {
        return hub.send("GET", "/$hub-status", null, null, "Authorization", "Bearer " + token);
    }

    private Parameters statusAsAdmin() {
        HttpResponse<String> response = status(admin());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body())
                .doesNotContain("pat-status")
                .doesNotContain("状態")
                .doesNotContain("確認子");
        return json.parseResource(Parameters.class, response.body());
    }

    private static ParametersParameterComponent part(ParametersParameterComponent parent, String name) {
        return parent.getPart().stream()
                .filter(p -> p.getName().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static String value(ParametersParameterComponent parent, String name) {
        ParametersParameterComponent part = part(parent, name);
        return part == null ? null : part.getValue().primitiveValue();
    }

    private static Instant instant(ParametersParameterComponent parent, String name) {
        return ((org.hl7.fhir.r4.model.InstantType) part(parent, name).getValue())
                .getValue()
                .toInstant();
    }

    private static List<ParametersParameterComponent> all(Parameters parameters, String name) {
        return parameters.getParameter().stream()
                .filter(p -> p.getName().equals(name))
                .toList();
    }

    private static int integer(Parameters parameters, String name) {
        return ((org.hl7.fhir.r4.model.IntegerType)
                        parameters.getParameter(name).getValue())
                .getValue();
    }

    private static int openSockets(Parameters parameters) {
        ParametersParameterComponent sockets = parameters.getParameter("notificationSockets");
        assertThat(value(sockets, "node")).isEqualTo("node-status");
        return Integer.parseInt(value(sockets, "open"));
    }

    private HttpResponse<String> post(String path, String token, Resource body) {
        return hub.send(
                "POST",
                path,
                "application/fhir+json",
                json.encodeResourceToString(body),
                "Authorization",
                "Bearer " + token);
    }

    /** An open hand-off Task whose deadline passed, as a sent hand-off stands after its last fee-rule deadline. */
    private Task handoffDue(Task.TaskStatus status, int daysAgo) {
        Task task = new Task()
                .setStatus(status)
                .setIntent(Task.TaskIntent.ORDER)
                .setFor(new Reference("Patient/pat-status"))
                .setOwner(new Reference("Organization/org-hospital"))
                .setCode(new CodeableConcept(new Coding(TaskWorkflow.HANDOFF, "admission-info", "入院時情報提供")));
        task.setRestriction(new Task.TaskRestrictionComponent()
                .setPeriod(new Period().setEnd(Date.from(Instant.now().minus(Duration.ofDays(daysAgo))))));
        return task;
    }

    @Test
    @Order(1)
    void theAdministratorSeesEachValueAndEachIsRight() throws Exception {
        // a fresh hub checks from the newest checkpoint and, no node having done so yet, the whole chain at once; the
        // two run on threads of their own, so either may be the last check: the status reports whichever finished last
        AuditAnchoring anchoring = hub.bean(AuditAnchoring.class);
        anchoring.startupCheck().get(60, TimeUnit.SECONDS);
        anchoring.firstScheduledCheck().get(60, TimeUnit.SECONDS);
        Parameters checked = statusAsAdmin();
        assertThat(checked.getParameter("node").getValue().primitiveValue()).isEqualTo("node-status");
        ParametersParameterComponent chain = checked.getParameter("auditChain");
        assertThat(value(chain, "state")).isEqualTo("intact");
        assertThat(value(chain, "checkScope")).isIn("full", "from-newest-checkpoint");
        assertThat(instant(chain, "lastFullCheck")).isBetween(Instant.now().minusSeconds(300), Instant.now());
        // a check asked for is then the last one: whole, anchored, dated when it ran
        Instant asked = Instant.now().minusMillis(1);
        assertThat(hub.send("GET", "/$verify-audit-chain", null, null, "Authorization", "Bearer " + admin())
                        .statusCode())
                .isEqualTo(200);
        chain = statusAsAdmin().getParameter("auditChain");
        assertThat(value(chain, "state")).isEqualTo("intact");
        assertThat(value(chain, "checkScope")).isEqualTo("full");
        assertThat(value(chain, "anchored")).isEqualTo("true");
        assertThat(instant(chain, "checkedAt")).isBetween(asked, Instant.now());
        Instant lastFull = instant(chain, "lastFullCheck");
        assertThat(lastFull).isBetween(asked, Instant.now());

        // the newest sealed checkpoint: a hub seals what was chained when it stops, and its next start finds that
        long head = db().getCollection("audit_chain_head")
                .find(Filters.eq("_id", "head"))
                .first()
                .getLong("seq");
        assertThat(head).isPositive();
        Instant stopping = Instant.now().minusSeconds(1);
        hub.close();
        hub = new HubInstance(root.resolve("data"), properties);
        hub.bean(AuditAnchoring.class).startupCheck().get(60, TimeUnit.SECONDS);
        chain = statusAsAdmin().getParameter("auditChain");
        // the whole chain was checked within verify-interval: this start checks from the newest checkpoint on
        assertThat(value(chain, "checkScope")).isEqualTo("from-newest-checkpoint");
        assertThat(value(chain, "state")).isEqualTo("intact");
        assertThat(Long.parseLong(value(chain, "sealedThrough"))).isGreaterThanOrEqualTo(head);
        assertThat(instant(chain, "sealedAt")).isBetween(stopping, Instant.now());
        assertThat(instant(chain, "lastFullCheck"))
                .isEqualTo(lastFull); // any node's, kept in the store across the restart

        // the deployment CA's certificate, the audit seal, the hub's seal, each with its expiry
        var anchor = TrustMaterial.certificates(caDir.resolve("ca.crt")).get(0);
        List<ParametersParameterComponent> certificates = all(checked, "certificate");
        assertThat(certificates).anySatisfy(c -> {
            assertThat(value(c, "role")).isEqualTo("trust-anchor");
            assertThat(value(c, "name")).isEqualTo("Test Renkei CA");
            assertThat(instant(c, "notAfter")).isEqualTo(anchor.getNotAfter().toInstant());
        });
        assertThat(certificates).anySatisfy(c -> {
            assertThat(value(c, "role")).isEqualTo("audit-seal");
            assertThat(instant(c, "notAfter"))
                    .isBetween(
                            Instant.now().plus(Duration.ofDays(44)),
                            Instant.now().plus(Duration.ofDays(46)));
        });
        assertThat(certificates).anySatisfy(c -> {
            assertThat(value(c, "role")).isEqualTo("organization-seal");
            assertThat(value(c, "organization")).isEqualTo("renkei-hub");
        });

        // the CRL's dates, as in the file the hub reads
        X509CRL crl;
        try (InputStream in = Files.newInputStream(caDir.resolve("ca.crl"))) {
            crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        }
        List<ParametersParameterComponent> crls = all(checked, "crl");
        assertThat(crls).hasSize(1);
        assertThat(value(crls.get(0), "issuer")).isEqualTo("Test Renkei CA");
        assertThat(instant(crls.get(0), "thisUpdate"))
                .isEqualTo(crl.getThisUpdate().toInstant());
        assertThat(instant(crls.get(0), "nextUpdate"))
                .isEqualTo(crl.getNextUpdate().toInstant());
    }

    @Test
    @Order(2)
    void aBoundNotificationSocketIsCounted() throws Exception {
        int before = openSockets(statusAsAdmin());
        HttpResponse<String> created = post(
                "/Subscription",
                careManager(),
                Notifications.subscription(Topic.CARE_DOCUMENT, "id-only", 0, "Composition?patient=pat-status"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String subscription = json.parseResource(Subscription.class, created.body())
                .getIdElement()
                .getIdPart();
        Parameters binding = json.parseResource(
                Parameters.class,
                post("/Subscription/" + subscription + "/$get-ws-binding-token", careManager(), new Parameters())
                        .body());
        // bound: its handshake came back, so the hub holds the socket
        try (SocketClient socket = SocketClient.bound(binding, 5000)) {
            assertThat(openSockets(statusAsAdmin())).isEqualTo(before + 1);
            try (SocketClient another = SocketClient.bound(
                    json.parseResource(
                            Parameters.class,
                            post(
                                            "/Subscription/" + subscription + "/$get-ws-binding-token",
                                            careManager(),
                                            new Parameters())
                                    .body()),
                    5000)) {
                assertThat(openSockets(statusAsAdmin())).isEqualTo(before + 2);
            }
        }
    }

    @Test
    @Order(3)
    void overdueHandoffsAreCountedWhileOpen() {
        int before = integer(statusAsAdmin(), "overdueHandoffs");
        seed("Task", "task-late", handoffDue(Task.TaskStatus.REQUESTED, 3));
        seed("Task", "task-late-cancelled", handoffDue(Task.TaskStatus.CANCELLED, 3));
        seed("Task", "task-not-yet", handoffDue(Task.TaskStatus.REQUESTED, -3));
        // not flagged yet: nothing is overdue until the scheduled run says so
        assertThat(integer(statusAsAdmin(), "overdueHandoffs")).isEqualTo(before);
        hub.bean(OverdueHandoffs.class).flagOverdue(new Date());
        assertThat(integer(statusAsAdmin(), "overdueHandoffs")).isEqualTo(before + 1);
        // a flagged Task later cancelled keeps its flag but waits for no one
        Task cancelled = json.parseResource(
                        Task.class,
                        StoreFixtures.of(hub).read("Task", "task-late").json())
                .setStatus(Task.TaskStatus.CANCELLED);
        seed("Task", "task-late", cancelled);
        assertThat(integer(statusAsAdmin(), "overdueHandoffs")).isEqualTo(before);
    }

    @Test
    @Order(4)
    void everyoneButTheHubAdministratorIsRefused() {
        List<String> others = List.of(
                careManager(),
                issuer.token()
                        .roles("municipal-officer")
                        .subject("mo-1")
                        .claim("organization", "org-city")
                        .sign(),
                // reads every AuditEvent about herself: an AuditEvent read right is not the hub's status
                issuer.token()
                        .roles("patient")
                        .subject("pt-1")
                        .claim("patient", "pat-status")
                        .sign(),
                issuer.token()
                        .roles("physician")
                        .subject("dr-1")
                        .claim("practitioner_role", "role-dr")
                        .sign(),
                issuer.token().subject("nobody").sign());
        for (String token : others) {
            for (String method : List.of("GET", "POST")) {
                HttpResponse<String> refused = "GET".equals(method)
                        ? status(token)
                        : hub.send(
                                "POST",
                                "/$hub-status",
                                "application/fhir+json",
                                "{\"resourceType\":\"Parameters\"}",
                                "Authorization",
                                "Bearer " + token);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
                OperationOutcome outcome = json.parseResource(OperationOutcome.class, refused.body());
                assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.FORBIDDEN);
                assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("hub-admin");
            }
        }
        assertThat(hub.send("GET", "/$hub-status", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void theCapabilityStatementNamesTheOperationAndItsDefinition() {
        var metadata = json.parseResource(
                org.hl7.fhir.r4.model.CapabilityStatement.class,
                hub.send("GET", "/metadata", null, null).body());
        assertThat(metadata.getRestFirstRep().getOperation())
                .extracting(o -> o.getName() + " " + o.getDefinition())
                .contains("hub-status http://renkei.example.jp/fhir/OperationDefinition/hub-status");
    }

    @Test
    @Order(5)
    void aBrokenChainShowsAsBrokenOnceChecked() {
        MongoDatabase db = db();
        String event = db.getCollection("audit_chain")
                .find(Filters.eq("_id", 2L))
                .first()
                .getString("event");
        var events = db.getCollection("AuditEvent");
        String body = events.find(Filters.eq("_id", event)).first().getString("body");
        events.updateOne(Filters.eq("_id", event), Updates.set("body", body.replace("\"rest\"", "\"rest \"")));
        // the status reports the last check, it does not check again
        assertThat(value(statusAsAdmin().getParameter("auditChain"), "state")).isEqualTo("intact");

        HttpResponse<String> verified =
                hub.send("GET", "/$verify-audit-chain", null, null, "Authorization", "Bearer " + admin());
        assertThat(verified.statusCode()).isEqualTo(200);
        ParametersParameterComponent chain = statusAsAdmin().getParameter("auditChain");
        assertThat(value(chain, "state")).isEqualTo("broken");
        assertThat(value(chain, "checkScope")).isEqualTo("full");
        assertThat(value(chain, "firstBrokenLink")).isEqualTo("2");
        assertThat(value(chain, "problem")).contains("AuditEvent/" + event);
    }
}
