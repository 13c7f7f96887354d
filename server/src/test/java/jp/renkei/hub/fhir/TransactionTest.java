package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

class TransactionTest {

    private static Bundle admission(String identifier, String lastEntryUrl) {
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient patient = new Patient();
        patient.addIdentifier().setSystem("urn:oid:1.2.392.100495.20.3.51.1").setValue(identifier);
        patient.addName().setFamily("岩手").addGiven("次郎");
        tx.addEntry().setFullUrl("urn:uuid:6f1c1d2e-0000-4000-8000-000000000001").setResource(patient)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        Condition condition = new Condition();
        condition.getCode().setText("誤嚥性肺炎");
        condition.setSubject(new Reference("urn:uuid:6f1c1d2e-0000-4000-8000-000000000001"));
        tx.addEntry().setFullUrl("urn:uuid:6f1c1d2e-0000-4000-8000-000000000002").setResource(condition)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Condition");
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.getCode().setText("SpO2");
        observation.setSubject(new Reference("urn:uuid:6f1c1d2e-0000-4000-8000-000000000001"));
        tx.addEntry().setResource(observation).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(lastEntryUrl);
        return tx;
    }

    private static int count(HubInstance hub, String query) {
        return hub.client().search().byUrl(query).returnBundle(Bundle.class).execute().getTotal();
    }

    @Test
    void transactionWritesEverythingAndRewritesPlaceholderReferences() throws Exception {
        try (HubInstance hub = new HubInstance(Files.createTempDirectory("renkei-tx"))) {
            Bundle response = hub.client().transaction().withBundle(admission("TX-1", "Observation/spo2-1")).execute();
            assertThat(response.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
            assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus())
                    .containsExactly("201 Created", "201 Created", "201 Created");
            String patientId = response.getEntry().get(0).getResponse().getLocation().split("/")[1];
            Condition condition = hub.client().read().resource(Condition.class)
                    .withUrl(response.getEntry().get(1).getResponse().getLocation()).execute();
            assertThat(condition.getSubject().getReference()).isEqualTo("Patient/" + patientId);
            assertThat(count(hub, "Observation?patient=" + patientId)).isEqualTo(1);
            assertThat(count(hub, "Condition?patient=" + patientId)).isEqualTo(1);
        }
    }

    @Test
    void failingLastEntryLeavesNothingWrittenAlsoAfterRestart() throws Exception {
        Path dir = Files.createTempDirectory("renkei-tx");
        try (HubInstance hub = new HubInstance(dir)) {
            // The last entry names an invalid id, so the whole transaction must fail.
            assertThatThrownBy(() -> hub.client().transaction().withBundle(admission("TX-2", "Observation/bad id!")).execute())
                    .isInstanceOf(BaseServerResponseException.class)
                    .satisfies(e -> assertThat(((BaseServerResponseException) e).getStatusCode()).isEqualTo(400));
            assertThat(count(hub, "Patient?identifier=urn:oid:1.2.392.100495.20.3.51.1|TX-2")).isZero();
            assertThat(count(hub, "Condition")).isZero();
            assertThat(count(hub, "Patient")).isZero();
        }
        try (HubInstance restarted = new HubInstance(dir)) {
            assertThat(count(restarted, "Patient")).isZero();
            assertThat(count(restarted, "Condition")).isZero();
            assertThat(restarted.client().history().onType(Patient.class).returnBundle(Bundle.class).execute().getTotal()).isZero();
        }
    }

    @Test
    void versionConflictOnLastEntryRollsBackEarlierEntries() throws Exception {
        try (HubInstance hub = new HubInstance(Files.createTempDirectory("renkei-tx"))) {
            hub.client().transaction().withBundle(admission("TX-3", "Observation/spo2-3")).execute();
            Bundle second = admission("TX-4", "Observation/spo2-3");
            second.getEntry().get(2).getRequest().setIfMatch("W/\"7\"");
            assertThatThrownBy(() -> hub.client().transaction().withBundle(second).execute())
                    .isInstanceOf(BaseServerResponseException.class)
                    .satisfies(e -> assertThat(((BaseServerResponseException) e).getStatusCode()).isEqualTo(412));
            assertThat(count(hub, "Patient?identifier=urn:oid:1.2.392.100495.20.3.51.1|TX-4")).isZero();
            assertThat(count(hub, "Patient")).isEqualTo(1);
            assertThat(count(hub, "Condition")).isEqualTo(1);
        }
    }

    @Test
    void batchReportsEachEntrysOwnOutcome() throws Exception {
        try (HubInstance hub = new HubInstance(Files.createTempDirectory("renkei-batch"))) {
            Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
            batch.addEntry().setResource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("盛岡")))
                    .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
            batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("Patient/missing");
            batch.addEntry().setResource(new Patient()).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("AuditEvent");
            Bundle response = hub.client().transaction().withBundle(batch).execute();
            assertThat(response.getType()).isEqualTo(Bundle.BundleType.BATCHRESPONSE);
            assertThat(response.getEntry().get(0).getResponse().getStatus()).isEqualTo("201 Created");
            assertThat(response.getEntry().get(1).getResponse().getStatus()).isEqualTo("404");
            assertThat(response.getEntry().get(2).getResponse().getStatus()).isEqualTo("400");
            assertThat(response.getEntry().get(1).getResponse().getOutcome()).isNotNull();
            assertThat(count(hub, "Patient?name=盛岡")).isEqualTo(1);
        }
    }
}
