package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionTest {

    private static final String PATIENT_ID_SYSTEM = "urn:oid:1.2.392.100495.20.3.51.1";

    private HubInstance hub;

    @BeforeAll
    void start(HubInstance hub) {
        this.hub = hub;
    }

    private static Bundle admission(String identifier, String lastEntryUrl) {
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient patient = new Patient();
        patient.addIdentifier().setSystem("urn:oid:1.2.392.100495.20.3.51.1").setValue(identifier);
        patient.addName().setFamily("岩手").addGiven("次郎");
        tx.addEntry()
                .setFullUrl("urn:uuid:6f1c1d2e-0000-4000-8000-000000000001")
                .setResource(patient)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Patient");
        Condition condition = new Condition();
        condition.getCode().setText("誤嚥性肺炎");
        condition.setSubject(new Reference("urn:uuid:6f1c1d2e-0000-4000-8000-000000000001"));
        tx.addEntry()
                .setFullUrl("urn:uuid:6f1c1d2e-0000-4000-8000-000000000002")
                .setResource(condition)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Condition");
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.getCode().setText("SpO2");
        observation.setSubject(new Reference("urn:uuid:6f1c1d2e-0000-4000-8000-000000000001"));
        tx.addEntry()
                .setResource(observation)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.PUT)
                .setUrl(lastEntryUrl);
        return tx;
    }

    private static int count(HubInstance hub, String query) {
        return hub.client()
                .search()
                .byUrl(query)
                .returnBundle(Bundle.class)
                .execute()
                .getTotal();
    }

    @Test
    void transactionWritesEverythingAndRewritesPlaceholderReferences() throws Exception {
        Bundle response = hub.client()
                .transaction()
                .withBundle(admission("TX-1", "Observation/spo2-1"))
                .execute();
        assertThat(response.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
        assertThat(response.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("201 Created", "201 Created", "201 Created");
        String patientId =
                response.getEntry().get(0).getResponse().getLocation().split("/")[1];
        Condition condition = hub.client()
                .read()
                .resource(Condition.class)
                .withUrl(response.getEntry().get(1).getResponse().getLocation())
                .execute();
        assertThat(condition.getSubject().getReference()).isEqualTo("Patient/" + patientId);
        assertThat(count(hub, "Observation?patient=" + patientId)).isEqualTo(1);
        assertThat(count(hub, "Condition?patient=" + patientId)).isEqualTo(1);
    }

    @Test
    void failingLastEntryLeavesNothingWrittenAlsoAfterRestart() throws Exception {
        // a hub of its own, empty, restarted on its data: what it holds after the restart is what the failure left
        Path dir = Files.createTempDirectory("renkei-tx");
        try (HubInstance hub = new HubInstance(dir)) {
            // The last entry names an invalid id, so the whole transaction must fail.
            assertThatThrownBy(() -> hub.client()
                            .transaction()
                            .withBundle(admission("TX-2", "Observation/bad id!"))
                            .execute())
                    .isInstanceOf(BaseServerResponseException.class)
                    .satisfies(e -> assertThat(((BaseServerResponseException) e).getStatusCode())
                            .isEqualTo(400));
            assertThat(count(hub, "Patient?identifier=urn:oid:1.2.392.100495.20.3.51.1|TX-2"))
                    .isZero();
            assertThat(count(hub, "Condition")).isZero();
            assertThat(count(hub, "Patient")).isZero();
        }
        try (HubInstance restarted = new HubInstance(dir)) {
            assertThat(count(restarted, "Patient")).isZero();
            assertThat(count(restarted, "Condition")).isZero();
            assertThat(restarted
                            .client()
                            .history()
                            .onType(Patient.class)
                            .returnBundle(Bundle.class)
                            .execute()
                            .getTotal())
                    .isZero();
        }
    }

    @Test
    void versionConflictOnLastEntryRollsBackEarlierEntries() throws Exception {
        int patients = count(hub, "Patient");
        int conditions = count(hub, "Condition");
        hub.client()
                .transaction()
                .withBundle(admission("TX-3", "Observation/spo2-3"))
                .execute();
        Bundle second = admission("TX-4", "Observation/spo2-3");
        second.getEntry().get(2).getRequest().setIfMatch("W/\"7\"");
        assertThatThrownBy(() -> hub.client().transaction().withBundle(second).execute())
                .isInstanceOf(BaseServerResponseException.class)
                .satisfies(e -> assertThat(((BaseServerResponseException) e).getStatusCode())
                        .isEqualTo(412));
        assertThat(count(hub, "Patient?identifier=urn:oid:1.2.392.100495.20.3.51.1|TX-4"))
                .isZero();
        assertThat(count(hub, "Patient")).isEqualTo(patients + 1);
        assertThat(count(hub, "Condition")).isEqualTo(conditions + 1);
    }

    @Test
    void batchReportsEachEntrysOwnOutcome() throws Exception {
        int named = count(hub, "Patient?name=盛岡");
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry()
                .setResource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("盛岡")))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Patient");
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("Patient/missing");
        batch.addEntry()
                .setResource(new Patient())
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("AuditEvent");
        Bundle response = hub.client().transaction().withBundle(batch).execute();
        assertThat(response.getType()).isEqualTo(Bundle.BundleType.BATCHRESPONSE);
        assertThat(response.getEntry().get(0).getResponse().getStatus()).isEqualTo("201 Created");
        assertThat(response.getEntry().get(1).getResponse().getStatus()).isEqualTo("404");
        assertThat(response.getEntry().get(2).getResponse().getStatus()).isEqualTo("400");
        assertThat(response.getEntry().get(1).getResponse().getOutcome()).isNotNull();
        assertThat(count(hub, "Patient?name=盛岡")).isEqualTo(named + 1);
    }

    private static Bundle.BundleEntryComponent conditionalDelete(Bundle bundle, String url) {
        Bundle.BundleEntryComponent entry = bundle.addEntry();
        entry.getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(url);
        return entry;
    }

    @Test
    void conditionalDeletesInTransactionsAndBatchesBehaveAsOverRest() throws Exception {
        int named = count(hub, "Patient?name=花巻");
        Bundle admitted = hub.client()
                .transaction()
                .withBundle(admission("TX-CD", "Observation/spo2-cd"))
                .execute();
        String patientId =
                admitted.getEntry().get(0).getResponse().getLocation().split("/")[1];
        Condition second = new Condition();
        second.getCode().setText("褥瘡");
        second.setSubject(new Reference("Patient/" + patientId));
        hub.client().create().resource(second).execute();

        // a transaction whose conditional delete matches two Conditions fails as a whole
        Bundle ambiguous = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        conditionalDelete(ambiguous, "Observation?_id=spo2-cd");
        conditionalDelete(ambiguous, "Condition?patient=Patient/" + patientId);
        assertThatThrownBy(
                        () -> hub.client().transaction().withBundle(ambiguous).execute())
                .isInstanceOf(BaseServerResponseException.class)
                .satisfies(e -> assertThat(((BaseServerResponseException) e).getStatusCode())
                        .isEqualTo(412));
        assertThat(count(hub, "Observation?_id=spo2-cd")).isEqualTo(1);
        assertThat(count(hub, "Condition?patient=" + patientId)).isEqualTo(2);

        // one match is deleted, none deletes nothing, together with a create
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        conditionalDelete(tx, "Observation?_id=spo2-cd");
        conditionalDelete(tx, "Condition?_id=does-not-exist");
        tx.addEntry()
                .setResource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("花巻")))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Patient");
        Bundle done = hub.client().transaction().withBundle(tx).execute();
        assertThat(done.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("204 No Content", "204 No Content", "201 Created");
        assertThat(done.getEntry().get(0).getResponse().getLocation()).isEqualTo("Observation/spo2-cd/_history/2");
        assertThat(done.getEntry().get(1).getResponse().hasLocation()).isFalse();
        assertThat(hub.send("GET", "/Observation/spo2-cd", null, null).statusCode())
                .isEqualTo(410);
        assertThat(count(hub, "Patient?name=花巻")).isEqualTo(named + 1);

        // a batch answers each conditional delete on its own
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        conditionalDelete(batch, "Condition?patient=Patient/" + patientId);
        conditionalDelete(batch, "Patient?identifier=" + PATIENT_ID_SYSTEM + "|TX-CD");
        conditionalDelete(batch, "AuditEvent?_id=x");
        conditionalDelete(batch, "Patient?_id=");
        Bundle answers = hub.client().transaction().withBundle(batch).execute();
        assertThat(answers.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("412", "204 No Content", "400", "400");
        assertThat(hub.send("GET", "/Patient/" + patientId, null, null).statusCode())
                .isEqualTo(410);
        assertThat(count(hub, "Condition?patient=" + patientId)).isEqualTo(2);
    }

    /** A Bundle posted as JSON exactly as written, so no client fills in or drops ids or fullUrls. */
    private static final String MISMATCHED_PUT = """
            {"request": {"method": "PUT", "url": "Observation/obs-a"},
             "resource": {"resourceType": "Observation", "id": "obs-b", "status": "final", "code": {"text": "SpO2"}}}""";

    @Test
    void batchPutWithoutFullUrlWhoseIdDiffersFromTheUrlIs400ForThatEntry() throws Exception {
        int observations = count(hub, "Observation");
        HttpResponse<String> http = hub.send("POST", "", "application/fhir+json", """
                {"resourceType": "Bundle", "type": "batch", "entry": [
                %s,
                {"request": {"method": "PUT", "url": "Patient/put-ok"},
                 "resource": {"resourceType": "Patient", "id": "put-ok", "name": [{"family": "盛岡"}]}}
                ]}""".formatted(MISMATCHED_PUT));
        assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
        Bundle response = HubInstance.fhirContext().newJsonParser().parseResource(Bundle.class, http.body());
        assertThat(response.getType()).isEqualTo(Bundle.BundleType.BATCHRESPONSE);
        Bundle.BundleEntryResponseComponent mismatch =
                response.getEntry().get(0).getResponse();
        assertThat(mismatch.getStatus()).isEqualTo("400");
        assertThat(((org.hl7.fhir.r4.model.OperationOutcome) mismatch.getOutcome())
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("obs-b")
                .contains("Observation/obs-a")
                .contains("does not match");
        assertThat(response.getEntry().get(1).getResponse().getStatus()).isEqualTo("201 Created");
        assertThat(count(hub, "Observation")).isEqualTo(observations);
        assertThat(count(hub, "Patient?_id=put-ok")).isEqualTo(1);
    }

    @Test
    void transactionPutWithoutFullUrlWhoseIdDiffersFromTheUrlIs400AndWritesNothing() throws Exception {
        int patients = count(hub, "Patient");
        int observations = count(hub, "Observation");
        HttpResponse<String> http = hub.send("POST", "", "application/fhir+json", """
                {"resourceType": "Bundle", "type": "transaction", "entry": [
                {"fullUrl": "urn:uuid:6f1c1d2e-0000-4000-8000-000000000009",
                 "request": {"method": "POST", "url": "Patient"},
                 "resource": {"resourceType": "Patient", "name": [{"family": "岩手"}]}},
                %s
                ]}""".formatted(MISMATCHED_PUT));
        assertThat(http.statusCode()).as(http.body()).isEqualTo(400);
        assertThat(http.body()).contains("OperationOutcome").contains("obs-b").contains("does not match");
        assertThat(count(hub, "Patient")).isEqualTo(patients);
        assertThat(count(hub, "Observation")).isEqualTo(observations);
    }

    @Test
    void transactionWithIfMatchOnOneEntryAndAPlainUpdateOfAnother() throws Exception {
        Patient a = new Patient();
        a.addName().setFamily("岩手");
        String patientId = hub.client().create().resource(a).execute().getId().getIdPart();
        Observation b = new Observation();
        b.setStatus(Observation.ObservationStatus.PRELIMINARY);
        b.getCode().setText("SpO2");
        String observationId =
                hub.client().create().resource(b).execute().getId().getIdPart();

        Bundle right = ifMatchAndPlainUpdate(patientId, "W/\"1\"", observationId, "宮古");
        Bundle response = hub.client().transaction().withBundle(right).execute();
        assertThat(response.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("200 OK", "200 OK");
        Patient patient =
                hub.client().read().resource(Patient.class).withId(patientId).execute();
        assertThat(patient.getMeta().getVersionId()).isEqualTo("2");
        assertThat(patient.getNameFirstRep().getFamily()).isEqualTo("宮古");
        Observation observation = hub.client()
                .read()
                .resource(Observation.class)
                .withId(observationId)
                .execute();
        assertThat(observation.getMeta().getVersionId()).isEqualTo("2");
        assertThat(observation.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);

        // the same If-Match is now stale: nothing of the transaction is written
        Bundle stale = ifMatchAndPlainUpdate(patientId, "W/\"1\"", observationId, "久慈");
        assertThatThrownBy(() -> hub.client().transaction().withBundle(stale).execute())
                .isInstanceOf(BaseServerResponseException.class)
                .satisfies(e -> assertThat(((BaseServerResponseException) e).getStatusCode())
                        .isEqualTo(412));
        assertThat(hub.client()
                        .read()
                        .resource(Patient.class)
                        .withId(patientId)
                        .execute()
                        .getMeta()
                        .getVersionId())
                .isEqualTo("2");
        assertThat(hub.client()
                        .read()
                        .resource(Observation.class)
                        .withId(observationId)
                        .execute()
                        .getMeta()
                        .getVersionId())
                .isEqualTo("2");
    }

    private static Bundle ifMatchAndPlainUpdate(String patientId, String ifMatch, String observationId, String family) {
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient patient = new Patient();
        patient.setId(patientId);
        patient.addName().setFamily(family);
        tx.addEntry()
                .setResource(patient)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.PUT)
                .setUrl("Patient/" + patientId)
                .setIfMatch(ifMatch);
        Observation observation = new Observation();
        observation.setId(observationId);
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.getCode().setText("SpO2");
        tx.addEntry()
                .setResource(observation)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.PUT)
                .setUrl("Observation/" + observationId);
        return tx;
    }

    @Test
    void concurrentConditionalCreatesInBatchesAndTransactionsCreateExactlyOne() throws Exception {
        int threads = 8;
        for (Bundle.BundleType type : List.of(Bundle.BundleType.BATCH, Bundle.BundleType.TRANSACTION)) {
            for (int round = 0; round < 3; round++) {
                String value = "RACE-" + type.toCode() + "-" + round;
                CountDownLatch start = new CountDownLatch(1);
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<Bundle>> responses = new ArrayList<>();
                try {
                    for (int i = 0; i < threads; i++) {
                        Bundle bundle = conditionalCreate(type, value);
                        responses.add(pool.submit(() -> {
                            start.await();
                            return hub.client().transaction().withBundle(bundle).execute();
                        }));
                    }
                    start.countDown();
                    List<String> statuses = new ArrayList<>();
                    Set<String> ids = new HashSet<>();
                    for (Future<Bundle> f : responses) {
                        Bundle.BundleEntryResponseComponent entry =
                                f.get().getEntryFirstRep().getResponse();
                        statuses.add(entry.getStatus());
                        assertThat(entry.getStatus())
                                .as("%s round %d", type, round)
                                .isIn("201 Created", "200 OK");
                        ids.add(new IdType(entry.getLocation()).getIdPart());
                    }
                    assertThat(statuses).as("%s round %d", type, round).containsOnlyOnce("201 Created");
                    assertThat(ids).as("%s round %d", type, round).hasSize(1);
                    assertThat(count(hub, "Patient?identifier=" + PATIENT_ID_SYSTEM + "|" + value))
                            .as("%s round %d", type, round)
                            .isEqualTo(1);
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    /**
     * The web app's outbox (docs/web-app.md, offline home visits) resends a visit's transaction when it got no answer:
     * every entry a conditional create on its own {@code urn:uuid} identifier, the Observations referring to the
     * Encounter by its placeholder. A resend after a lost response, and two sends at once (two tabs), store each
     * record once, and the resend answers the first send's records with 200 and references to the one Encounter.
     */
    @Test
    void aVisitsConditionalCreateTransactionSentAgainOrTwiceAtOnceStoresEachRecordOnce() throws Exception {
        Bundle first = hub.client().transaction().withBundle(visit("a")).execute();
        assertThat(first.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("201 Created", "201 Created", "201 Created");
        Bundle again = hub.client().transaction().withBundle(visit("a")).execute();
        assertThat(again.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("200 OK", "200 OK", "200 OK");
        assertThat(again.getEntry())
                .extracting(e -> new IdType(e.getResponse().getLocation())
                        .toUnqualifiedVersionless()
                        .getValue())
                .isEqualTo(first.getEntry().stream()
                        .map(e -> new IdType(e.getResponse().getLocation())
                                .toUnqualifiedVersionless()
                                .getValue())
                        .toList());
        assertVisitStoredOnce(hub, "a");

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Bundle>> sends = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Bundle bundle = visit("b");
                sends.add(pool.submit(() -> {
                    start.await();
                    return hub.client().transaction().withBundle(bundle).execute();
                }));
            }
            start.countDown();
            List<String> encounterStatuses = new ArrayList<>();
            for (Future<Bundle> send : sends) {
                encounterStatuses.add(
                        send.get().getEntryFirstRep().getResponse().getStatus());
            }
            assertThat(encounterStatuses).containsExactlyInAnyOrder("201 Created", "200 OK");
        } finally {
            pool.shutdownNow();
        }
        assertVisitStoredOnce(hub, "b");
    }

    private static final String URI_SYSTEM = "urn:ietf:rfc:3986";

    private static String uuid(String visit, int entry) {
        return "urn:uuid:0b7e5a10-0000-4000-8000-0000000000" + (visit.equals("a") ? "1" : "2") + entry;
    }

    /** One home visit as the nurse's form sends it: an Encounter and two vital signs, each with its own urn:uuid identifier. */
    private static Bundle visit(String visit) {
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        org.hl7.fhir.r4.model.Encounter encounter = new org.hl7.fhir.r4.model.Encounter();
        encounter.setStatus(org.hl7.fhir.r4.model.Encounter.EncounterStatus.FINISHED);
        encounter
                .getClass_()
                .setSystem("http://terminology.hl7.org/CodeSystem/v3-ActCode")
                .setCode("HH");
        encounter.addIdentifier().setSystem(URI_SYSTEM).setValue(uuid(visit, 0));
        tx.addEntry()
                .setFullUrl(uuid(visit, 0))
                .setResource(encounter)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Encounter")
                .setIfNoneExist("identifier=" + URI_SYSTEM + "|" + uuid(visit, 0));
        for (int i = 1; i <= 2; i++) {
            Observation vital = new Observation();
            vital.setStatus(Observation.ObservationStatus.FINAL);
            vital.getCode().setText(i == 1 ? "体温" : "脈拍");
            vital.addIdentifier().setSystem(URI_SYSTEM).setValue(uuid(visit, i));
            vital.setEncounter(new Reference(uuid(visit, 0)));
            tx.addEntry()
                    .setFullUrl(uuid(visit, i))
                    .setResource(vital)
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.POST)
                    .setUrl("Observation")
                    .setIfNoneExist("identifier=" + URI_SYSTEM + "|" + uuid(visit, i));
        }
        return tx;
    }

    private static void assertVisitStoredOnce(HubInstance hub, String visit) {
        Bundle encounters = hub.client()
                .search()
                .byUrl("Encounter?identifier=" + URI_SYSTEM + "|" + uuid(visit, 0))
                .returnBundle(Bundle.class)
                .execute();
        assertThat(encounters.getTotal()).as("visit %s's Encounter", visit).isEqualTo(1);
        String encounterId =
                encounters.getEntryFirstRep().getResource().getIdElement().getIdPart();
        for (int i = 1; i <= 2; i++) {
            Bundle vitals = hub.client()
                    .search()
                    .byUrl("Observation?identifier=" + URI_SYSTEM + "|" + uuid(visit, i))
                    .returnBundle(Bundle.class)
                    .execute();
            assertThat(vitals.getTotal())
                    .as("visit %s's vital sign %d", visit, i)
                    .isEqualTo(1);
            assertThat(((Observation) vitals.getEntryFirstRep().getResource())
                            .getEncounter()
                            .getReference())
                    .isEqualTo("Encounter/" + encounterId);
        }
        assertThat(count(hub, "Observation?encounter=Encounter/" + encounterId)).isEqualTo(2);
    }

    private static Bundle conditionalCreate(Bundle.BundleType type, String identifier) {
        Bundle bundle = new Bundle().setType(type);
        Patient patient = new Patient();
        patient.addIdentifier().setSystem(PATIENT_ID_SYSTEM).setValue(identifier);
        patient.addName().setFamily("岩手").addGiven("三郎");
        bundle.addEntry()
                .setFullUrl("urn:uuid:6f1c1d2e-0000-4000-8000-000000000010")
                .setResource(patient)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Patient")
                .setIfNoneExist("identifier=" + PATIENT_ID_SYSTEM + "|" + identifier);
        return bundle;
    }

    /**
     * http.html#transaction: GET entries are reads and searches as a plain GET would answer them, each with its own status;
     * a transaction processes them after its DELETE, POST and PUT entries, so they see what it wrote. Prefer
     * (http.html#ops) decides what each write entry carries: nothing, the resource, or an OperationOutcome.
     */
    @Test
    void getEntriesReadAndSearchInBatchesAndTransactionsAndPreferShapesWriteEntries() throws Exception {
        hub.client()
                .transaction()
                .withBundle(admission("GET-1", "Observation/spo2-get"))
                .execute();
        String patientId = hub.client()
                .search()
                .byUrl("Patient?identifier=" + PATIENT_ID_SYSTEM + "|GET-1")
                .returnBundle(Bundle.class)
                .execute()
                .getEntryFirstRep()
                .getResource()
                .getIdElement()
                .getIdPart();

        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + patientId);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Observation/spo2-get/_history/1");
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Condition?patient=Patient/" + patientId);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/never-was");
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Condition?colour=red");
        Bundle response = hub.client().transaction().withBundle(batch).execute();
        assertThat(response.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("200 OK", "200 OK", "200 OK", "404", "400");
        assertThat(((Patient) response.getEntry().get(0).getResource())
                        .getNameFirstRep()
                        .getFamily())
                .isEqualTo("岩手");
        assertThat(response.getEntry().get(0).getResponse().getEtag()).isEqualTo("W/\"1\"");
        assertThat(response.getEntry().get(1).getResource()).isInstanceOf(Observation.class);
        Bundle conditions = (Bundle) response.getEntry().get(2).getResource();
        assertThat(conditions.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        assertThat(conditions.getTotal()).isEqualTo(1);
        assertThat(conditions.getEntryFirstRep().getResource()).isInstanceOf(Condition.class);
        assertThat(((org.hl7.fhir.r4.model.OperationOutcome)
                                response.getEntry().get(3).getResponse().getOutcome())
                        .getIssueFirstRep()
                        .getCode())
                .isEqualTo(org.hl7.fhir.r4.model.OperationOutcome.IssueType.NOTFOUND);

        // a transaction: the GET sees the Patient its POST creates, though it comes first in the Bundle
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        tx.addEntry()
                .getRequest()
                .setMethod(Bundle.HTTPVerb.GET)
                .setUrl("Patient?identifier=" + PATIENT_ID_SYSTEM + "|GET-2");
        Patient second = new Patient();
        second.addIdentifier().setSystem(PATIENT_ID_SYSTEM).setValue("GET-2");
        second.addName().setFamily("花巻");
        tx.addEntry()
                .setFullUrl("urn:uuid:6f1c1d2e-0000-4000-8000-0000000000a1")
                .setResource(second)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Patient");
        Bundle txResponse = hub.client().transaction().withBundle(tx).execute();
        assertThat(txResponse.getEntry())
                .extracting(e -> e.getResponse().getStatus())
                .containsExactly("200 OK", "201 Created");
        Bundle found = (Bundle) txResponse.getEntry().get(0).getResource();
        assertThat(found.getTotal()).isEqualTo(1);
        assertThat(found.getEntryFirstRep().getResource().getIdElement().getIdPart())
                .isEqualTo(new IdType(txResponse.getEntry().get(1).getResponse().getLocation()).getIdPart());

        // Prefer on the transaction shapes its write entries
        var json = HubInstance.fhirContext().newJsonParser();
        Bundle write = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        write.addEntry()
                .setResource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("遠野")))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Patient");
        Bundle asOutcome = json.parseResource(
                Bundle.class,
                hub.send(
                                "POST",
                                "",
                                "application/fhir+json",
                                json.encodeResourceToString(write),
                                "Prefer",
                                "return=OperationOutcome")
                        .body());
        var told = (org.hl7.fhir.r4.model.OperationOutcome)
                asOutcome.getEntryFirstRep().getResponse().getOutcome();
        assertThat(told.getIssueFirstRep().getSeverity())
                .isEqualTo(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.INFORMATION);
        assertThat(told.getIssueFirstRep().getDiagnostics()).contains("created", "version 1");
        assertThat(asOutcome.getEntryFirstRep().getResource()).isNull();
        Bundle asResource = json.parseResource(
                Bundle.class,
                hub.send(
                                "POST",
                                "",
                                "application/fhir+json",
                                json.encodeResourceToString(write),
                                "Prefer",
                                "return=representation")
                        .body());
        assertThat(((Patient) asResource.getEntryFirstRep().getResource())
                        .getNameFirstRep()
                        .getFamily())
                .isEqualTo("遠野");
        Bundle minimal = json.parseResource(
                Bundle.class,
                hub.send(
                                "POST",
                                "",
                                "application/fhir+json",
                                json.encodeResourceToString(write),
                                "Prefer",
                                "return=minimal")
                        .body());
        assertThat(minimal.getEntryFirstRep().getResource()).isNull();
        assertThat(minimal.getEntryFirstRep().getResponse().getOutcome()).isNull();
        assertThat(minimal.getEntryFirstRep().getResponse().getLocation()).startsWith("Patient/");
    }
}
