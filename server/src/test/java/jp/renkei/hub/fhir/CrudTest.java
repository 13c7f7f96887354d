package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubTestBase;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

class CrudTest extends HubTestBase {

    private static final String PATIENT_ID_SYSTEM = "urn:oid:1.2.392.100495.20.3.51.1";

    /** Plain HTTP with extra headers (name, value, name, value, ...), for If-Match and If-None-Exist as sent on the wire. */
    static Patient yamada() {
        Patient p = new Patient();
        p.addIdentifier().setSystem("urn:oid:1.2.392.100495.20.3.51.1").setValue("0001");
        p.addName().setFamily("山田").addGiven("太郎");
        HumanName kana = p.addName().setFamily("ヤマダ").addGiven("タロウ");
        kana.addExtension(
                "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation",
                new org.hl7.fhir.r4.model.CodeType("SYL"));
        return p;
    }

    @Test
    void createReadVreadUpdateWithServerOwnedMeta() {
        Patient patient = yamada();
        patient.getMeta().setVersionId("99");
        MethodOutcome created = client.create().resource(patient).execute();
        assertThat(created.getCreated()).isTrue();
        IdType id = (IdType) created.getId();
        assertThat(id.getVersionIdPart()).isEqualTo("1");

        Patient read =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(read.getMeta().getVersionId()).isEqualTo("1");
        assertThat(read.getMeta().getLastUpdated()).isNotNull();
        assertThat(read.getNameFirstRep().getFamily()).isEqualTo("山田");

        read.getNameFirstRep().setFamily("山田（旧姓 佐藤）");
        MethodOutcome updated = client.update().resource(read).execute();
        assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");

        Patient v1 = client.vread(Patient.class, id.getIdPart(), "1");
        assertThat(v1.getNameFirstRep().getFamily()).isEqualTo("山田");
        Patient v2 =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(v2.getNameFirstRep().getFamily()).isEqualTo("山田（旧姓 佐藤）");
    }

    @Test
    void staleIfMatchIsRefusedAndChangesNothing() {
        IdType id = (IdType) client.create().resource(yamada()).execute().getId();
        Patient current =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        current.getNameFirstRep().setFamily("田中");
        client.update().resource(current).execute();

        Patient stale = client.vread(Patient.class, id.getIdPart(), "1");
        stale.getNameFirstRep().setFamily("鈴木");
        assertThatThrownBy(() -> client.update()
                        .resource(stale)
                        .withId(stale.getIdElement())
                        .execute())
                .isInstanceOf(PreconditionFailedException.class);

        Patient after =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(after.getNameFirstRep().getFamily()).isEqualTo("田中");
        assertThat(after.getMeta().getVersionId()).isEqualTo("2");
    }

    @Test
    void twoConcurrentUpdatesWithTheSameIfMatchExactlyOneWins() throws Exception {
        for (int round = 0; round < 10; round++) {
            IdType id = (IdType) client.create().resource(yamada()).execute().getId();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Boolean>> results = new ArrayList<>();
            for (String family : List.of("佐藤", "鈴木")) {
                Callable<Boolean> update = () -> {
                    Patient p = yamada();
                    p.setId(new IdType("Patient", id.getIdPart(), "1"));
                    p.getNameFirstRep().setFamily(family);
                    start.await();
                    try {
                        hub.client()
                                .update()
                                .resource(p)
                                .withId(p.getIdElement())
                                .execute();
                        return true;
                    } catch (PreconditionFailedException e) {
                        return false;
                    }
                };
                results.add(pool.submit(update));
            }
            start.countDown();
            int wins = 0;
            for (Future<Boolean> r : results) {
                wins += r.get() ? 1 : 0;
            }
            pool.shutdown();
            assertThat(wins).as("round %d", round).isEqualTo(1);
            Patient now =
                    client.read().resource(Patient.class).withId(id.getIdPart()).execute();
            assertThat(now.getMeta().getVersionId()).isEqualTo("2");
            Bundle history = client.history()
                    .onInstance(id.toVersionless())
                    .returnBundle(Bundle.class)
                    .execute();
            assertThat(history.getTotal()).isEqualTo(2);
        }
    }

    @Test
    void deletedResourceReadsAsGoneAndStaysInHistory() {
        IdType id = (IdType) client.create().resource(yamada()).execute().getId();
        client.delete().resourceById(id.toVersionless()).execute();
        assertThatThrownBy(() -> client.read()
                        .resource(Patient.class)
                        .withId(id.getIdPart())
                        .execute())
                .isInstanceOf(ResourceGoneException.class);
        assertThatThrownBy(() -> client.read()
                        .resource(Patient.class)
                        .withId("does-not-exist")
                        .execute())
                .isInstanceOf(ResourceNotFoundException.class);
        Patient v1 = client.vread(Patient.class, id.getIdPart(), "1");
        assertThat(v1.getNameFirstRep().getFamily()).isEqualTo("山田");

        Bundle history = client.history()
                .onInstance(id.toVersionless())
                .returnBundle(Bundle.class)
                .execute();
        assertThat(history.getEntry()).hasSize(2);
        assertThat(history.getEntry().get(0).getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.DELETE);
        assertThat(history.getEntry().get(1).getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);

        // updating a deleted resource brings it back as a new version
        Patient again = yamada();
        again.setId(id.getIdPart());
        assertThat(client.update().resource(again).execute().getId().getVersionIdPart())
                .isEqualTo("3");
    }

    @Test
    void typeHistoryListsVersionsNewestFirst() {
        IdType id = (IdType) client.create().resource(yamada()).execute().getId();
        Patient p = client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.MALE);
        client.update().resource(p).execute();
        Bundle history = client.history()
                .onType(Patient.class)
                .returnBundle(Bundle.class)
                .execute();
        assertThat(history.getType()).isEqualTo(Bundle.BundleType.HISTORY);
        assertThat(history.getEntryFirstRep().getResource().getIdElement().getIdPart())
                .isEqualTo(id.getIdPart());
        assertThat(history.getEntryFirstRep().getResource().getIdElement().getVersionIdPart())
                .isEqualTo("2");
    }

    @Test
    void historyIsPagedThroughNextLinks() {
        IdType id = patientAtVersion2();
        Patient current =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        current.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        client.update().resource(current).execute();
        for (String first :
                List.of("/Patient/" + id.getIdPart() + "/_history?_count=1", "/Patient/_history?_count=2")) {
            List<String> versions = new ArrayList<>();
            String next = hub.baseUrl() + first;
            while (next != null) {
                HttpResponse<String> response =
                        send("GET", next.substring(hub.baseUrl().length()), null, null);
                Bundle page = HubInstance.fhirContext().newJsonParser().parseResource(Bundle.class, response.body());
                page.getEntry().stream()
                        .filter(e -> e.getResource() != null
                                && e.getResource().getIdElement().getIdPart().equals(id.getIdPart()))
                        .forEach(e -> versions.add(e.getResource().getMeta().getVersionId()));
                next = page.getLink(Bundle.LINK_NEXT) == null
                        ? null
                        : page.getLink(Bundle.LINK_NEXT).getUrl();
            }
            assertThat(versions).as(first).containsExactly("3", "2", "1");
        }
    }

    @Test
    void conditionalCreateReturnsTheExistingResource() {
        Patient p = yamada();
        p.getIdentifierFirstRep().setValue("cond-1");
        MethodOutcome first = client.create()
                .resource(p)
                .conditional()
                .where(Patient.IDENTIFIER.exactly().systemAndCode("urn:oid:1.2.392.100495.20.3.51.1", "cond-1"))
                .execute();
        MethodOutcome second = client.create()
                .resource(p)
                .conditional()
                .where(Patient.IDENTIFIER.exactly().systemAndCode("urn:oid:1.2.392.100495.20.3.51.1", "cond-1"))
                .execute();
        assertThat(first.getCreated()).isTrue();
        assertThat(second.getCreated()).isNotEqualTo(Boolean.TRUE);
        assertThat(second.getId().getIdPart()).isEqualTo(first.getId().getIdPart());
    }

    @Test
    void japaneseTextRoundTripsExactlyInJsonAndXml() {
        String[] samples = {"髙橋　﨑子", "やまだ はなこ", "ヤマダ ハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ", "ＡＢＣ１２３", "𠮷野家", "〒020-0023 岩手県盛岡市内丸１０−１"};
        for (EncodingEnum encoding : List.of(EncodingEnum.JSON, EncodingEnum.XML)) {
            Patient p = new Patient();
            for (String s : samples) {
                p.addName().setText(s);
            }
            client.setEncoding(encoding);
            try {
                IdType id = (IdType) client.create().resource(p).execute().getId();
                Patient read = client.read()
                        .resource(Patient.class)
                        .withId(id.getIdPart())
                        .execute();
                List<String> texts =
                        read.getName().stream().map(HumanName::getText).toList();
                assertThat(texts).containsExactly(samples);
            } finally {
                client.setEncoding(null);
            }
        }
    }

    @Test
    void contentNegotiationByAcceptAndFormat() {
        IdType id = (IdType) client.create().resource(yamada()).execute().getId();
        var xml = get("/Patient/" + id.getIdPart() + "?_format=xml");
        assertThat(xml.statusCode()).isEqualTo(200);
        assertThat(xml.headers().firstValue("Content-Type").orElse("")).contains("xml");
        assertThat(xml.body())
                .contains("<Patient xmlns=\"http://hl7.org/fhir\">")
                .contains("山田");
        var json = get("/Patient/" + id.getIdPart() + "?_format=json");
        assertThat(json.body()).startsWith("{").contains("\"family\":\"山田\"");
    }

    @Test
    void metadataListsExactlyWhatIsImplemented() {
        var cs = client.capabilities()
                .ofType(org.hl7.fhir.r4.model.CapabilityStatement.class)
                .execute();
        var rest = cs.getRestFirstRep();
        assertThat(rest.getResource())
                .extracting(r -> r.getType())
                .containsExactlyInAnyOrder(
                        "Patient",
                        "RelatedPerson",
                        "Practitioner",
                        "PractitionerRole",
                        "Organization",
                        "CareTeam",
                        "Encounter",
                        "Condition",
                        "AllergyIntolerance",
                        "MedicationStatement",
                        "Observation",
                        "Procedure",
                        "Composition",
                        "DocumentReference",
                        "Bundle",
                        "Communication",
                        "CommunicationRequest",
                        "Task",
                        "Consent",
                        "QuestionnaireResponse",
                        "Provenance",
                        "Binary",
                        "AuditEvent",
                        "Subscription");
        var audit = rest.getResource().stream()
                .filter(r -> r.getType().equals("AuditEvent"))
                .findFirst()
                .orElseThrow();
        assertThat(audit.getInteraction())
                .extracting(i -> i.getCode().toCode())
                .containsExactlyInAnyOrder("read", "vread", "search-type", "history-instance", "history-type");
        var patient = rest.getResource().stream()
                .filter(r -> r.getType().equals("Patient"))
                .findFirst()
                .orElseThrow();
        assertThat(patient.getSearchParam())
                .extracting(s -> s.getName())
                .contains("name", "family", "given", "identifier", "_lastUpdated");
        assertThat(patient.getSearchParam())
                .allSatisfy(s -> assertThat(s.getType()).isNotNull());
        assertThat(rest.getInteraction())
                .extracting(i -> i.getCode().toCode())
                .containsExactlyInAnyOrder("transaction", "batch", "history-system");
    }

    @Test
    void auditEventsCannotBeWrittenThroughTheApi() {
        var response = send("POST", "/AuditEvent", "application/fhir+json", "{\"resourceType\":\"AuditEvent\"}");
        assertThat(response.statusCode()).isBetween(400, 405);
        assertThat(response.body()).contains("OperationOutcome");
        // the hub audits every request itself; none of its events is the posted one, which has no type
        assertThat(client.search()
                        .byUrl("AuditEvent?type:missing=true")
                        .returnBundle(Bundle.class)
                        .execute()
                        .getTotal())
                .isZero();
        assertThat(client.search()
                        .byUrl("AuditEvent?type:missing=false")
                        .returnBundle(Bundle.class)
                        .execute()
                        .getTotal())
                .isPositive();
    }

    @Test
    void patientNamesAreStoredUnchanged() {
        Patient p = yamada();
        p.addName().setFamily("ﾔﾏﾀﾞ").addGiven(new StringType("ﾀﾛｳ").getValue());
        IdType id = (IdType) client.create().resource(p).execute().getId();
        Patient read =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(read.getName().get(2).getFamily()).isEqualTo("ﾔﾏﾀﾞ");
    }

    // ---- DELETE with If-Match ------------------------------------------------------------------

    /** A Patient at version 2 (family 田中). */
    private IdType patientAtVersion2() {
        IdType id = (IdType) client.create().resource(yamada()).execute().getId();
        Patient current =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        current.getNameFirstRep().setFamily("田中");
        assertThat(client.update().resource(current).execute().getId().getVersionIdPart())
                .isEqualTo("2");
        return id.toVersionless();
    }

    @Test
    void deleteWithAStaleIfMatchIsRefusedAndDeletesNothing() {
        IdType id = patientAtVersion2();
        for (String stale : List.of("W/\"1\"", "\"1\"", "W/\"3\"")) {
            HttpResponse<String> refused = send("DELETE", "/Patient/" + id.getIdPart(), null, null, "If-Match", stale);
            assertThat(refused.statusCode()).as("If-Match %s", stale).isEqualTo(412);
            assertThat(refused.body()).as("If-Match %s", stale).contains("OperationOutcome");
        }
        Patient after =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(after.getMeta().getVersionId()).isEqualTo("2");
        assertThat(after.getNameFirstRep().getFamily()).isEqualTo("田中");
        Bundle history =
                client.history().onInstance(id).returnBundle(Bundle.class).execute();
        assertThat(history.getTotal()).isEqualTo(2);
    }

    @Test
    void deleteWithTheCurrentIfMatchDeletes() {
        IdType weak = patientAtVersion2();
        HttpResponse<String> deleted =
                send("DELETE", "/Patient/" + weak.getIdPart(), null, null, "If-Match", "W/\"2\"");
        assertThat(deleted.statusCode()).isBetween(200, 204);
        assertThatThrownBy(() -> client.read()
                        .resource(Patient.class)
                        .withId(weak.getIdPart())
                        .execute())
                .isInstanceOf(ResourceGoneException.class);
        assertThat(get("/Patient/" + weak.getIdPart()).statusCode()).isEqualTo(410);

        IdType strong = patientAtVersion2();
        HttpResponse<String> deletedToo =
                send("DELETE", "/Patient/" + strong.getIdPart(), null, null, "If-Match", "\"2\"");
        assertThat(deletedToo.statusCode()).isBetween(200, 204);
        assertThat(get("/Patient/" + strong.getIdPart()).statusCode()).isEqualTo(410);
    }

    @Test
    void deleteWithAMalformedIfMatchIs400AndDeletesNothing() {
        IdType id = patientAtVersion2();
        for (String malformed : List.of("W/\"abc\"", "\"abc\"", "W/\"2.0\"")) {
            HttpResponse<String> refused =
                    send("DELETE", "/Patient/" + id.getIdPart(), null, null, "If-Match", malformed);
            assertThat(refused.statusCode()).as("If-Match %s", malformed).isEqualTo(400);
            assertThat(refused.body())
                    .as("If-Match %s", malformed)
                    .contains("OperationOutcome")
                    .contains("If-Match");
        }
        Patient after =
                client.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(after.getMeta().getVersionId()).isEqualTo("2");
    }

    // ---- concurrent conditional create ---------------------------------------------------------

    @Test
    void concurrentConditionalCreatesWithTheSameConditionCreateExactlyOne() throws Exception {
        int threads = 8;
        for (int round = 0; round < 5; round++) {
            String value = "race-" + round;
            Patient p = yamada();
            p.getIdentifierFirstRep().setValue(value);
            String body = HubInstance.fhirContext().newJsonParser().encodeResourceToString(p);
            String condition = "identifier=" + PATIENT_ID_SYSTEM + "|" + value;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            try {
                for (int i = 0; i < threads; i++) {
                    responses.add(pool.submit(() -> {
                        start.await();
                        return send("POST", "/Patient", "application/fhir+json", body, "If-None-Exist", condition);
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                Set<String> ids = new HashSet<>();
                for (Future<HttpResponse<String>> f : responses) {
                    HttpResponse<String> response = f.get();
                    statuses.add(response.statusCode());
                    assertThat(response.statusCode())
                            .as("round %d: %s", round, response.body())
                            .isIn(200, 201);
                    Patient returned =
                            HubInstance.fhirContext().newJsonParser().parseResource(Patient.class, response.body());
                    ids.add(returned.getIdElement().getIdPart());
                }
                assertThat(statuses).as("round %d", round).containsOnlyOnce(201);
                assertThat(ids).as("round %d", round).hasSize(1);
                Bundle found = client.search()
                        .byUrl("Patient?" + condition)
                        .returnBundle(Bundle.class)
                        .execute();
                assertThat(found.getTotal()).as("round %d", round).isEqualTo(1);
                assertThat(found.getEntryFirstRep().getResource().getIdElement().getIdPart())
                        .isEqualTo(ids.iterator().next());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ---- conditional delete ----------------------------------------------------------------------

    private IdType patientWithIdentifier(String value) {
        Patient p = yamada();
        p.getIdentifierFirstRep().setValue(value);
        return ((IdType) client.create().resource(p).execute().getId()).toVersionless();
    }

    private static OperationOutcome outcome(HttpResponse<String> response) {
        return HubInstance.fhirContext().newJsonParser().parseResource(OperationOutcome.class, response.body());
    }

    @Test
    void conditionalDeleteOfTheOneMatchDeletesItAndIsAuditedAsADelete() {
        IdType id = patientWithIdentifier("cdel-one");
        IdType other = patientWithIdentifier("cdel-other");
        HttpResponse<String> deleted =
                send("DELETE", "/Patient?identifier=" + PATIENT_ID_SYSTEM + "%7Ccdel-one", null, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(outcome(deleted).getIssueFirstRep().getDiagnostics())
                .contains("Patient/" + id.getIdPart(), "deleted; version 2");
        assertThat(get("/Patient/" + id.getIdPart()).statusCode()).isEqualTo(410);
        assertThat(get("/Patient/" + other.getIdPart()).statusCode()).isEqualTo(200);

        Bundle deletes = client.search()
                .byUrl("AuditEvent?action=D&_count=1000")
                .returnBundle(Bundle.class)
                .execute();
        assertThat(deletes.getEntry())
                .map(e -> (AuditEvent) e.getResource())
                .filteredOn(e -> e.getEntity().stream()
                        .anyMatch(entity -> entity.getWhat().getReference() != null
                                && entity.getWhat().getReference().startsWith("Patient/" + id.getIdPart())))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.getSubtypeFirstRep().getCode()).isEqualTo("delete");
                    assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
                });
    }

    @Test
    void conditionalDeleteMatchingNothingDeletesNothing() {
        IdType id = patientWithIdentifier("cdel-kept");
        HttpResponse<String> none =
                send("DELETE", "/Patient?identifier=" + PATIENT_ID_SYSTEM + "%7Ccdel-nobody", null, null);
        assertThat(none.statusCode()).as(none.body()).isEqualTo(200);
        assertThat(outcome(none).getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.INFORMATIONAL);
        assertThat(outcome(none).getIssueFirstRep().getDiagnostics()).contains("nothing was deleted");
        assertThat(client.read()
                        .resource(Patient.class)
                        .withId(id.getIdPart())
                        .execute()
                        .getMeta()
                        .getVersionId())
                .isEqualTo("1");
    }

    @Test
    void conditionalDeleteMatchingSeveralIs412AndDeletesNothing() {
        IdType first = patientWithIdentifier("cdel-twice");
        IdType second = patientWithIdentifier("cdel-twice");
        HttpResponse<String> refused =
                send("DELETE", "/Patient?identifier=" + PATIENT_ID_SYSTEM + "%7Ccdel-twice", null, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(412);
        assertThat(outcome(refused).getIssueFirstRep().getDiagnostics()).contains("matches 2 resources");
        assertThat(get("/Patient/" + first.getIdPart()).statusCode()).isEqualTo(200);
        assertThat(get("/Patient/" + second.getIdPart()).statusCode()).isEqualTo(200);
    }

    @Test
    void conditionalDeleteWithoutAUsableSearchIs400AndDeletesNothing() {
        IdType id = patientWithIdentifier("cdel-bad");
        for (String url :
                List.of("/Patient", "/Patient?", "/Patient?_id=", "/Patient?colour=red", "/Patient?_count=abc")) {
            HttpResponse<String> refused = send("DELETE", url, null, null);
            assertThat(refused.statusCode()).as("%s: %s", url, refused.body()).isEqualTo(400);
            assertThat(refused.body()).as(url).contains("OperationOutcome");
        }
        assertThat(get("/Patient/" + id.getIdPart()).statusCode()).isEqualTo(200);
        HttpResponse<String> stale =
                send("DELETE", "/Patient?_id=" + id.getIdPart(), null, null, "If-Match", "W/\"7\"");
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(412);
        assertThat(get("/Patient/" + id.getIdPart()).statusCode()).isEqualTo(200);
    }

    @Test
    void metadataStatesConditionalDeletePerType() {
        var cs = client.capabilities()
                .ofType(org.hl7.fhir.r4.model.CapabilityStatement.class)
                .execute();
        for (var resource : cs.getRestFirstRep().getResource()) {
            boolean deletable = resource.getInteraction().stream()
                    .anyMatch(i -> i.getCode().toCode().equals("delete"));
            var expected = deletable && !resource.getType().equals("Subscription")
                    ? org.hl7.fhir.r4.model.CapabilityStatement.ConditionalDeleteStatus.SINGLE
                    : org.hl7.fhir.r4.model.CapabilityStatement.ConditionalDeleteStatus.NOTSUPPORTED;
            assertThat(resource.getConditionalDelete()).as(resource.getType()).isEqualTo(expected);
        }
        HttpResponse<String> refused = send("DELETE", "/Subscription?_id=x", null, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(405);
        assertThat(refused.body()).contains("OperationOutcome", "conditional delete is not supported for Subscription");
    }

    // ---- history paged over a frozen list (http.html#history, http.html#paging) -----------------

    /** Every page of a history from {@code first} on, running {@code between} after each page (a write by someone else). */
    private List<Bundle> historyPages(String first, Runnable between) {
        List<Bundle> pages = new ArrayList<>();
        String next = first;
        while (next != null) {
            HttpResponse<String> response = get(next);
            assertThat(response.statusCode())
                    .as("%s: %s", next, response.body())
                    .isEqualTo(200);
            Bundle page = HubInstance.fhirContext().newJsonParser().parseResource(Bundle.class, response.body());
            assertThat(page.getType()).isEqualTo(Bundle.BundleType.HISTORY);
            pages.add(page);
            between.run();
            next = page.getLink(Bundle.LINK_NEXT) == null
                    ? null
                    : page.getLink(Bundle.LINK_NEXT)
                            .getUrl()
                            .substring(hub.baseUrl().length());
            assertThat(pages).as("pages of %s", first).hasSizeLessThan(200);
        }
        return pages;
    }

    private static List<String> versionKeys(List<Bundle> pages) {
        List<String> keys = new ArrayList<>();
        for (Bundle page : pages) {
            for (Bundle.BundleEntryComponent e : page.getEntry()) {
                // a deletion (another test's, on the shared hub) is an entry with its request and no resource
                IdType id = e.hasResource()
                        ? e.getResource().getIdElement()
                        : new IdType(e.getRequest().getUrl());
                keys.add(id.getResourceType() + "/" + id.getIdPart() + "/" + id.getVersionIdPart());
            }
        }
        return keys;
    }

    /**
     * http.html#history and #paging: a history longer than one page is paged with next links to its end, and the pages are
     * those of the history as it was at the first page, as search pages are: a version written between two pages neither
     * shifts a version onto two pages nor pushes one off them.
     */
    @Test
    void historyPagesReachTheEndWithoutDuplicatesOrGapsWhileOthersWrite() {
        IdType id =
                (IdType) client.create().resource(yamada()).execute().getId().toVersionless();
        for (int v = 2; v <= 5; v++) {
            Patient p =
                    client.read().resource(Patient.class).withId(id.getIdPart()).execute();
            p.getNameFirstRep().setFamily("山田" + v);
            client.update().resource(p).execute();
        }
        Runnable anotherVersion = () -> {
            Patient p =
                    client.read().resource(Patient.class).withId(id.getIdPart()).execute();
            p.getNameFirstRep().setFamily(p.getNameFirstRep().getFamily() + "+");
            client.update().resource(p).execute();
        };
        List<Bundle> instance = historyPages("/Patient/" + id.getIdPart() + "/_history?_count=2", anotherVersion);
        assertThat(instance).hasSize(3);
        assertThat(versionKeys(instance))
                .containsExactly(
                        "Patient/" + id.getIdPart() + "/5",
                        "Patient/" + id.getIdPart() + "/4",
                        "Patient/" + id.getIdPart() + "/3",
                        "Patient/" + id.getIdPart() + "/2",
                        "Patient/" + id.getIdPart() + "/1");
        assertThat(instance).allSatisfy(page -> assertThat(page.getTotal()).isEqualTo(5));

        // type history: 23 Compositions, a new one written after every page
        for (int i = 0; i < 23; i++) {
            client.create().resource(composition("履歴 " + i)).execute();
        }
        Set<String> before = new HashSet<>(versionKeys(List.of(client.history()
                .onType(org.hl7.fhir.r4.model.Composition.class)
                .returnBundle(Bundle.class)
                .count(500)
                .execute())));
        List<Bundle> type = historyPages(
                "/Composition/_history?_count=5",
                () -> client.create().resource(composition("後から")).execute());
        List<String> seen = versionKeys(type);
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(before);
        assertThat(type).hasSize((before.size() + 4) / 5);
    }

    private static org.hl7.fhir.r4.model.Composition composition(String title) {
        org.hl7.fhir.r4.model.Composition c = new org.hl7.fhir.r4.model.Composition();
        c.setStatus(org.hl7.fhir.r4.model.Composition.CompositionStatus.FINAL)
                .setTitle(title)
                .setDate(new java.util.Date());
        c.getType().setText("記録");
        c.addAuthor().setDisplay("訪問看護師");
        return c;
    }

    /** http.html#history: system history ({@code GET [base]/_history}) lists every type's versions, newest first, paged to the end. */
    @Test
    void systemHistoryListsEveryTypePagedToTheEnd() {
        String since = java.time.Instant.now()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .minusSeconds(1)
                .toString();
        IdType patient =
                (IdType) client.create().resource(yamada()).execute().getId().toVersionless();
        org.hl7.fhir.r4.model.Observation obs = new org.hl7.fhir.r4.model.Observation();
        obs.setStatus(org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL)
                .getCode()
                .setText("体温");
        obs.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/" + patient.getIdPart()));
        IdType observation =
                (IdType) client.create().resource(obs).execute().getId().toVersionless();
        List<Bundle> pages = historyPages(
                "/_history?_since=" + since + "&_count=2",
                () -> client.create().resource(yamada()).execute());
        List<String> seen = versionKeys(pages);
        assertThat(seen)
                .doesNotHaveDuplicates()
                .contains("Patient/" + patient.getIdPart() + "/1", "Observation/" + observation.getIdPart() + "/1");
        assertThat(pages.get(0).getTotal()).isEqualTo(seen.size());
        // newest first: the Observation was written after the Patient
        assertThat(seen.indexOf("Observation/" + observation.getIdPart() + "/1"))
                .isLessThan(seen.indexOf("Patient/" + patient.getIdPart() + "/1"));
        assertThat(pages).hasSizeGreaterThan(1);
    }

    // ---- Prefer (http.html#ops: return=minimal | representation | OperationOutcome) --------------

    @Test
    void preferReturnIsHonouredOnCreateAndUpdate() {
        var parser = HubInstance.fhirContext().newJsonParser();
        String body = parser.encodeResourceToString(yamada());
        HttpResponse<String> minimal =
                send("POST", "/Patient", "application/fhir+json", body, "Prefer", "return=minimal");
        assertThat(minimal.statusCode()).isEqualTo(201);
        assertThat(minimal.body()).isEmpty();
        assertThat(minimal.headers().firstValue("Location").orElse("")).contains("/Patient/");

        HttpResponse<String> representation =
                send("POST", "/Patient", "application/fhir+json", body, "Prefer", "return=representation");
        assertThat(representation.statusCode()).isEqualTo(201);
        Patient created = parser.parseResource(Patient.class, representation.body());
        assertThat(created.getNameFirstRep().getFamily()).isEqualTo("山田");

        HttpResponse<String> outcome =
                send("POST", "/Patient", "application/fhir+json", body, "Prefer", "return=OperationOutcome");
        assertThat(outcome.statusCode()).isEqualTo(201);
        OperationOutcome told = parser.parseResource(OperationOutcome.class, outcome.body());
        String createdId = new IdType(outcome.headers().firstValue("Location").orElseThrow()).getIdPart();
        assertThat(told.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.INFORMATION);
        assertThat(told.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.INFORMATIONAL);
        assertThat(told.getIssueFirstRep().getDiagnostics()).contains("Patient/" + createdId, "created", "version 1");

        created.getNameFirstRep().setFamily("山田（更新）");
        String update = parser.encodeResourceToString(created);
        HttpResponse<String> updated = send(
                "PUT",
                "/Patient/" + created.getIdElement().getIdPart(),
                "application/fhir+json",
                update,
                "Prefer",
                "return=OperationOutcome");
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(parser.parseResource(OperationOutcome.class, updated.body())
                        .getIssueFirstRep()
                        .getDiagnostics())
                .contains("Patient/" + created.getIdElement().getIdPart(), "updated", "version 2");
        // each update changes something: a PUT of what the record already says stores nothing (no new version)
        created.getNameFirstRep().setFamily("山田（再更新）");
        HttpResponse<String> quiet = send(
                "PUT",
                "/Patient/" + created.getIdElement().getIdPart(),
                "application/fhir+json",
                parser.encodeResourceToString(created),
                "Prefer",
                "return=minimal");
        assertThat(quiet.statusCode()).isEqualTo(200);
        assertThat(quiet.body()).isEmpty();
        // without Prefer the resource itself, as before
        created.getNameFirstRep().setFamily("山田（三訂）");
        HttpResponse<String> plain = send(
                "PUT",
                "/Patient/" + created.getIdElement().getIdPart(),
                "application/fhir+json",
                parser.encodeResourceToString(created));
        assertThat(parser.parseResource(Patient.class, plain.body()).getMeta().getVersionId())
                .isEqualTo("4");
    }

    // ---- the CapabilityStatement tells what exists (capabilitystatement.html) -------------------

    @Test
    void metadataAdvertisesProfilesConditionalReadAndEveryOperationWithItsDefinition() throws Exception {
        var cs = client.capabilities()
                .ofType(org.hl7.fhir.r4.model.CapabilityStatement.class)
                .execute();
        var rest = cs.getRestFirstRep();
        java.util.function.Function<
                        String, org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent>
                type = t -> rest.getResource().stream()
                .filter(r -> r.getType().equals(t))
                .findFirst()
                .orElseThrow();
        String sd = "http://renkei.example.jp/fhir/StructureDefinition/";
        assertThat(type.apply("Bundle").getSupportedProfile())
                .extracting(c -> c.getValue())
                .contains(sd + "renkei-discharge-handoff-bundle", sd + "renkei-emergency-sheet-bundle");
        assertThat(type.apply("Composition").getSupportedProfile())
                .extracting(c -> c.getValue())
                .contains(sd + "renkei-discharge-handoff", sd + "renkei-emergency-sheet");
        assertThat(type.apply("Communication").getSupportedProfile())
                .extracting(c -> c.getValue())
                .contains(sd + "renkei-contact-form-question", sd + "renkei-contact-form-answer");
        assertThat(type.apply("Consent").getSupportedProfile())
                .extracting(c -> c.getValue())
                .contains(sd + "renkei-advance-directive");
        assertThat(type.apply("Patient").getSupportedProfile())
                .extracting(c -> c.getValue())
                .contains(sd + "renkei-patient");

        // conditional read (If-None-Match, If-Modified-Since), as HAPI FHIR's read answers it
        for (var resource : rest.getResource()) {
            if (resource.getInteraction().stream()
                    .anyMatch(i -> i.getCode().toCode().equals("read"))) {
                assertThat(resource.getConditionalRead())
                        .as(resource.getType())
                        .isEqualTo(org.hl7.fhir.r4.model.CapabilityStatement.ConditionalReadStatus.FULLSUPPORT);
            }
        }
        IdType id = (IdType) client.create().resource(yamada()).execute().getId();
        assertThat(send("GET", "/Patient/" + id.getIdPart(), null, null, "If-None-Match", "W/\"1\"")
                        .statusCode())
                .isEqualTo(304);
        assertThat(send(
                                "GET",
                                "/Patient/" + id.getIdPart(),
                                null,
                                null,
                                "If-Modified-Since",
                                "Fri, 01 Jan 2100 00:00:00 GMT")
                        .statusCode())
                .isEqualTo(304);

        // every operation with its definition, published in the profiles package
        String od = "http://renkei.example.jp/fhir/OperationDefinition/";
        assertThat(rest.getOperation())
                .extracting(o -> o.getName() + " " + o.getDefinition())
                .contains("verify-audit-chain " + od + "verify-audit-chain");
        java.util.Map<String, List<String>> expected = java.util.Map.of(
                "Patient", List.of("break-glass", "emergency-summary"),
                "Consent", List.of("revoke", "pdf", "verify"),
                "Bundle", List.of("pdf", "verify", "notification-receipts"),
                "Communication", List.of("pdf", "verify", "notification-receipts"),
                "Composition", List.of("notification-receipts"),
                "DocumentReference", List.of("notification-receipts"),
                "Task", List.of("notification-receipts"));
        expected.forEach((t, names) -> assertThat(type.apply(t).getOperation())
                .as(t)
                .extracting(o -> o.getName() + " " + o.getDefinition())
                .containsExactlyInAnyOrderElementsOf(
                        names.stream().map(n -> n + " " + od + n).toList()));
        for (var resource : rest.getResource()) {
            if (!resource.getType().equals("Subscription")) {
                assertThat(resource.getOperation())
                        .as(resource.getType())
                        .allSatisfy(o -> assertThat(o.getDefinition()).startsWith(od));
            }
        }
        for (String name : List.of(
                "verify-audit-chain",
                "break-glass",
                "emergency-summary",
                "revoke",
                "pdf",
                "verify",
                "notification-receipts")) {
            try (var in = getClass()
                    .getClassLoader()
                    .getResourceAsStream("renkei/profiles/OperationDefinition-" + name + ".json")) {
                assertThat(in).as(name).isNotNull();
                var definition = HubInstance.fhirContext()
                        .newJsonParser()
                        .parseResource(org.hl7.fhir.r4.model.OperationDefinition.class, in);
                assertThat(definition.getUrl()).isEqualTo(od + name);
                assertThat(definition.getCode()).isEqualTo(name);
            }
        }
    }

    /**
     * The running hub completes a record (stamps, task history, superseded versions) before validating it, and checks it
     * against other records (a hand-off's recipients) once it is known to be well formed.
     */
    @Test
    void theHubValidatesARecordAfterEveryRuleThatCompletesIt() {
        assertThat(hub.bean(ResourceOperations.class).writeRules())
                .extracting(rule -> rule.getClass().getSimpleName())
                .containsExactly(
                        "ConsentRecording", "CurrentVersions", "TaskWorkflow", "ProfileValidation", "HandoffDispatch");
    }
}
