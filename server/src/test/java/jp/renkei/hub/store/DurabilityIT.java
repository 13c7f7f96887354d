package jp.renkei.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubProcess;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/** Acknowledged writes survive a clean restart and an abrupt kill of the JVM. */
class DurabilityIT {

    @Test
    void dataSurvivesStopAndStartOnTheSameDirectory() throws Exception {
        Path dir = Files.createTempDirectory("renkei-restart");
        String id;
        try (HubInstance hub = new HubInstance(dir)) {
            Patient p = new Patient();
            p.addName().setFamily("遠野").addGiven("花");
            id = hub.client().create().resource(p).execute().getId().getIdPart();
            Patient read =
                    hub.client().read().resource(Patient.class).withId(id).execute();
            read.getNameFirstRep().setFamily("遠野（とおの）");
            hub.client().update().resource(read).execute();
        }
        try (HubInstance hub = new HubInstance(dir)) {
            Patient read =
                    hub.client().read().resource(Patient.class).withId(id).execute();
            assertThat(read.getNameFirstRep().getFamily()).isEqualTo("遠野（とおの）");
            assertThat(read.getMeta().getVersionId()).isEqualTo("2");
            assertThat(hub.client()
                            .search()
                            .byUrl("Patient?name:contains=とおの")
                            .returnBundle(Bundle.class)
                            .execute()
                            .getTotal())
                    .isEqualTo(1);
            assertThat(hub.client()
                            .history()
                            .onInstance(new IdType("Patient", id))
                            .returnBundle(Bundle.class)
                            .execute()
                            .getTotal())
                    .isEqualTo(2);
        }
    }

    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the writers fail when the hub is killed, on purpose
    void acknowledgedWritesSurviveKillDashNine() throws Exception {
        Path dir = Files.createTempDirectory("renkei-kill");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        CountDownLatch enough = new CountDownLatch(300);
        try (HubProcess hub = new HubProcess(dir, "renkei.auth.enabled=false")) {
            String base = hub.baseUrl();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writers = Executors.newFixedThreadPool(4);
            for (int t = 0; t < 4; t++) {
                writers.submit(() -> {
                    while (!stop.get()) {
                        HttpResponse<String> r = http.send(
                                HttpRequest.newBuilder(URI.create(base + "/Patient"))
                                        .header("Content-Type", "application/fhir+json")
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"盛岡\"}]}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 201) {
                            String location = r.headers().firstValue("Location").orElseThrow();
                            acknowledged.add(new IdType(location).getIdPart());
                            enough.countDown();
                        }
                    }
                    return null;
                });
            }
            if (!enough.await(120, TimeUnit.SECONDS)) {
                throw new AssertionError("the hub acknowledged only " + acknowledged.size() + " writes in 120 s");
            }
            hub.kill(); // SIGKILL: no shutdown hooks, no final commit
            stop.set(true);
            writers.shutdownNow();
            writers.awaitTermination(30, TimeUnit.SECONDS);
        }
        List<String> ids = List.copyOf(acknowledged);
        try (HubInstance restarted = new HubInstance(dir)) {
            long missing = ids.stream()
                    .filter(id -> {
                        try {
                            restarted
                                    .client()
                                    .read()
                                    .resource(Patient.class)
                                    .withId(id)
                                    .execute();
                            return false;
                        } catch (RuntimeException e) {
                            return true;
                        }
                    })
                    .count();
            assertThat(ids).hasSizeGreaterThanOrEqualTo(300);
            assertThat(missing).as("acknowledged creates lost by kill -9").isZero();
        }
    }
}
