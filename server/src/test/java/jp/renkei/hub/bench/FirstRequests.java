package jp.renkei.hub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The op {@code first-write} (issue 18 point 14): the first request of each kind right after the hub reports ready,
 * before anything else touches it (so it must be the first op of a run against a freshly started hub). It registers
 * one patient (a transaction: Patient, CareTeam, privacy Consent), writes a plain vital-sign Observation, then each
 * care-document profile's example from the profiles package ({@code --examples DIR}, default
 * {@code fhir-profiles/src/main/fhir}) as a client would send it, about the registered patient, then reads and
 * searches once. Each request is timed once: the point is that none of them pays for warming anything up.
 */
final class FirstRequests {

    static final String OP = "first-write";
    /** The care-document examples, with the id of the patient each one is about. */
    private static final List<String[]> EXAMPLES = List.of(
            new String[] {"Bundle", "Bundle-discharge-handoff-example.json", "takahashi-kiyo-example"},
            new String[] {"Bundle", "Bundle-emergency-sheet-example.json", "pat-sasaki"},
            new String[] {"Communication", "Communication-contact-form-question-example.json", "pat-sasaki"},
            new String[] {"Communication", "Communication-contact-form-answer-example.json", "pat-sasaki"},
            new String[] {"Consent", "Consent-advance-directive-example.json", "pat-yamada"});

    private static final Pattern OWN_ID = Pattern.compile(
            "^(\\s*\\{\\s*\"resourceType\"\\s*:\\s*\"[A-Za-z]+\"\\s*,)\\s*\"id\"\\s*:\\s*\"[^\"]*\"\\s*,");
    private static final long SLOW_MS = 2000;

    private final LoadDriver driver;
    private final Path examples;

    private record Timed(String request, int status, double millis) {}

    FirstRequests(LoadDriver driver, Path examples) {
        this.driver = driver;
        this.examples = examples;
    }

    /** Sends the first requests and returns the report section. */
    String run(double readyAfterSeconds) throws Exception {
        List<Timed> timed = new ArrayList<>();
        String bundle = driver.registrationOfOnePatient();
        long t0 = System.nanoTime();
        HttpResponse<String> registered = post("", bundle);
        timed.add(new Timed(
                "POST transaction (Patient, CareTeam, privacy Consent)",
                registered.statusCode(),
                LoadDriver.seconds(t0) * 1000));
        Matcher m = Pattern.compile("\"location\"\\s*:\\s*\"(?:[^\"]*/)?Patient/([^/\"]+)/_history/")
                .matcher(registered.body());
        if (registered.statusCode() != 200 || !m.find()) {
            throw new IOException("registering the first patient failed: HTTP " + registered.statusCode() + " "
                    + registered
                            .body()
                            .substring(0, Math.min(300, registered.body().length())));
        }
        String patient = m.group(1);
        timed.add(time(
                "POST Observation (body temperature, a vital sign)",
                "Observation",
                LoadDriver.observationAbout("Patient/" + patient)));
        for (String[] example : EXAMPLES) {
            String body = Files.readString(examples.resolve(example[1]), StandardCharsets.UTF_8)
                    .replace(example[2], patient);
            body = OWN_ID.matcher(body).replaceFirst("$1");
            timed.add(time("POST " + example[0] + " (" + example[1] + ")", example[0], body));
        }
        timed.add(timeGet("GET Patient/{id}", "/Patient/" + patient));
        timed.add(timeGet("GET Observation?patient", "/Observation?patient=Patient/" + patient + "&_count=20"));
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "First requests after the hub reported ready (its CapabilityStatement answered %.1f s "
                        + "after the driver started waiting), one of each, in this order:%n%n",
                readyAfterSeconds));
        out.append("| request | status | time (ms) |\n|---|---:|---:|\n");
        for (Timed t : timed) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %.0f |%n", t.request, t.status, t.millis));
        }
        double slowest = timed.stream().mapToDouble(Timed::millis).max().orElse(0);
        out.append(String.format(
                Locale.ROOT,
                "%nSlowest: %.0f ms (goal, issue 18 point 14: none over %d ms) — **%s**.%n",
                slowest,
                SLOW_MS,
                slowest <= SLOW_MS ? "met" : "not met"));
        return out.toString();
    }

    private Timed time(String name, String type, String body) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<String> response = post("/" + type, body);
        double ms = LoadDriver.seconds(t0) * 1000;
        if (response.statusCode() >= 300) {
            System.out.printf(
                    Locale.ROOT,
                    "%s: HTTP %d %s%n",
                    name,
                    response.statusCode(),
                    response.body().substring(0, Math.min(400, response.body().length())));
        }
        return new Timed(name, response.statusCode(), ms);
    }

    private Timed timeGet(String name, String path) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<String> response = driver.send(
                HttpRequest.newBuilder(URI.create(driver.options.base() + path))
                        .header("Accept", "application/fhir+json")
                        .GET(),
                LoadDriver.DRIVER);
        return new Timed(name, response.statusCode(), LoadDriver.seconds(t0) * 1000);
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return driver.send(
                HttpRequest.newBuilder(URI.create(driver.options.base() + path))
                        .header("Content-Type", "application/fhir+json")
                        .header("Accept", "application/fhir+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)),
                LoadDriver.DRIVER);
    }
}
