package jp.renkei.hub.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives create, read and search-by-patient against any FHIR R4 base URL with N concurrent clients
 * and prints throughput and latency percentiles per operation. JDK only, so it runs from the test
 * classes without the hub on the class path and can be pointed at another server for comparison.
 *
 * <pre>
 * java -cp server/target/test-classes jp.renkei.hub.bench.LoadDriver \
 *     --base http://127.0.0.1:8080/fhir --clients 8 --duration 30 --warmup 5 \
 *     --patients 1000 --preload 100000 --ops create,read,search --out docs/benchmarks.md \
 *     --issuer-port 18081 --wait-for-hub 180
 * </pre>
 *
 * Each operation runs as its own phase (warm-up, then measured for the duration) so the numbers do
 * not mix. Every patient is registered in one transaction with an active CareTeam naming the driver's
 * PractitionerRole, the patient's active privacy Consent sharing with that team, and the patient's
 * share of the {@code --preload} Observations, so a hub with access control and consent checks lets
 * the driver read and write them as a care-team member, and search-by-patient is measured against
 * that many stored resources. {@code --reuse true} takes the patients of an earlier run on the same server instead
 * of creating new ones (for profiling searches against already loaded data).
 *
 * <p>{@code --issuer-port P} makes the driver its own token issuer (no Keycloak needed): it serves a
 * JWKS at {@code http://127.0.0.1:P/realms/bench/protocol/openid-connect/certs} from the moment it
 * starts and signs its own tokens (physician of {@code org-bench}). Start the hub with
 * {@code RENKEI_AUTH_ISSUER=http://127.0.0.1:P/realms/bench}; {@code --wait-for-hub S} waits up to S
 * seconds for the hub's CapabilityStatement, so the driver can be started before the hub.
 *
 * <p>The ops {@code notify} and {@code notify-heap} are the notification benchmark ({@link NotifyLoad}:
 * write-to-delivery latency with {@code --subscribers} WebSocket subscribers at {@code --rate} writes/s, and
 * the hub's heap with {@code --sessions} idle bound sessions, measured with jcmd on the pid in
 * {@code --hub-pid-file}); they need {@code --issuer-port}, as they sign a token per subscriber.
 */
public final class LoadDriver {

    private static final Pattern ID_IN_LOCATION = Pattern.compile("/([A-Za-z]+)/([^/]+)/_history/");
    private static final String PATIENT_SYSTEM = "urn:oid:1.2.392.100495.20.3.51.11234567890";
    private static final Pattern PATIENT_IN_BUNDLE =
            Pattern.compile("\"fullUrl\"\\s*:\\s*\"[^\"]*/Patient/([^\"/]+)\"");
    private static final Pattern NEXT_LINK =
            Pattern.compile("\"relation\"\\s*:\\s*\"next\"\\s*,\\s*\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ID_IN_BODY = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    /** The identity the driver's tokens carry; the preloaded CareTeams name its PractitionerRole. */
    private static final String ORGANIZATION = "org-bench";

    private static final String PRACTITIONER = "prac-bench";
    private static final String PRACTITIONER_ROLE = "role-bench";
    /** Stands in for the scanned consent form: the smallest PDF header and trailer, base64. */
    private static final String CONSENT_FORM =
            Base64.getEncoder().encodeToString("%PDF-1.4\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));

    private static final Pattern PATIENT_LOCATION =
            Pattern.compile("\"location\"\\s*:\\s*\"(?:[^\"]*/)?Patient/([^/\"]+)/_history/");
    /** Who the driver's own tokens say it is: it registers the patients and writes their records. */
    static final Identity DRIVER = new Identity("bench", "physician", ORGANIZATION, PRACTITIONER, PRACTITIONER_ROLE);

    final Options options;
    final Issuer issuer;
    final List<String> patientIds = new CopyOnWriteArrayList<>();
    /** The registration number ({@code i} of {@link #patient(int)}) of each patient this run registered. */
    final Map<String, Integer> registeredAs = new java.util.concurrent.ConcurrentHashMap<>();
    /** The notification benchmark, when the ops name one of its phases. */
    private final NotifyLoad notify;

    private final List<String> observationIds = new CopyOnWriteArrayList<>();
    private final ThreadLocal<HttpClient> http = ThreadLocal.withInitial(() -> HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build());

    private LoadDriver(Options options) throws IOException, GeneralSecurityException {
        this.options = options;
        // Up before anything else, so a hub started after the driver finds the keys on its first request.
        this.issuer = options.issuerPort > 0 ? new Issuer(options.issuerPort) : null;
        this.notify = options.ops.stream().anyMatch(NotifyLoad.OPS::contains) ? new NotifyLoad(this) : null;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        new LoadDriver(options).run();
    }

    private void run() throws Exception {
        try {
            measure();
        } finally {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    private void measure() throws Exception {
        System.out.printf(
                Locale.ROOT,
                "base=%s clients=%d duration=%ds warmup=%ds patients=%d preload=%d ops=%s%n",
                options.base,
                options.clients,
                options.duration,
                options.warmup,
                options.patients,
                options.preload,
                options.ops);
        if (issuer != null) {
            System.out.printf(Locale.ROOT, "token issuer %s (JWKS at %s)%n", issuer.url, issuer.url + Issuer.CERTS);
        }
        long waitStart = System.nanoTime();
        if (options.waitForHub > 0) {
            waitForHub();
        }
        StringBuilder notified = new StringBuilder();
        if (options.ops.contains(FirstRequests.OP)) {
            // before anything else reaches the hub
            notified.append(new FirstRequests(this, Path.of(options.examples)).run(seconds(waitStart)));
        }
        if (options.ops.stream().anyMatch(op -> !op.equals(FirstRequests.OP))) {
            createPatients();
        }
        List<Result> results = new ArrayList<>();
        for (String op : options.ops) {
            if (op.equals(FirstRequests.OP)) {
                continue;
            }
            if (NotifyLoad.OPS.contains(op)) {
                notified.append(notify.phase(op));
            } else {
                results.add(phase(op));
            }
        }
        String report = (results.isEmpty() ? "" : table(OPERATION_COLUMNS, results))
                + (!results.isEmpty() && notified.length() > 0 ? "\n" : "")
                + notified;
        System.out.println();
        if (issuer != null) {
            System.out.printf(
                    Locale.ROOT,
                    "JWKS fetched %d time(s) by the hub; %d token introspection(s)%n",
                    issuer.jwksFetches.get(),
                    issuer.introspections.get());
        }
        System.out.print(report);
        if (options.out != null) {
            writeReport(report);
        }
    }

    private void createPatients() throws Exception {
        if (options.reuse) {
            // Patients (and their Observations) from an earlier --preload run against the same server.
            String next = options.base + "/Patient?identifier=" + PATIENT_SYSTEM + "%7C&_count=500";
            while (next != null && patientIds.size() < options.patients) {
                String body = send(HttpRequest.newBuilder(URI.create(next))
                                .header("Accept", "application/fhir+json")
                                .GET())
                        .body();
                Matcher m = PATIENT_IN_BUNDLE.matcher(body);
                while (m.find()) {
                    patientIds.add(m.group(1));
                }
                Matcher link = NEXT_LINK.matcher(body);
                next = link.find() ? link.group(1) : null;
            }
            if (patientIds.isEmpty()) {
                throw new IllegalStateException("--reuse found no load-test patients on " + options.base);
            }
            if (notify != null) {
                throw new IllegalStateException("--reuse cannot be combined with the notification ops: their "
                        + "subscribers must be in the care teams of the patients this run registers");
            }
            System.out.printf(Locale.ROOT, "reusing %d patients%n", patientIds.size());
            return;
        }
        register();
        checkRegistered(patientIds.get(0));
    }

    /**
     * Before measuring: the hub shows the driver a registered patient, their Consent and (with a
     * preload) their Observations, so a hub that withholds them fails here rather than in the table.
     */
    private void checkRegistered(String patient) throws IOException, InterruptedException {
        List<String> queries = new ArrayList<>(List.of(
                "/Patient/" + patient, "/CareTeam?patient=Patient/" + patient, "/Consent?patient=Patient/" + patient));
        if (options.preload >= options.patients) {
            queries.add("/Observation?patient=Patient/" + patient + "&_count=1");
        }
        for (String query : queries) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(options.base + query))
                    .header("Accept", "application/fhir+json")
                    .GET());
            expect(response, 200);
            if (query.contains("?") && !response.body().contains("\"entry\"")) {
                throw new IOException("GET " + query + " found nothing: the hub withholds the driver's own records");
            }
        }
        System.out.printf(
                Locale.ROOT,
                "checked: the driver sees %s's record, care team and consent%s%n",
                patient,
                options.preload >= options.patients ? " and observations" : "");
    }

    /**
     * One transaction per patient: the Patient, an active CareTeam naming the driver's PractitionerRole,
     * the patient's privacy Consent permitting that team, and the patient's share of the preload. The hub
     * judges the entries in order, so the CareTeam may be formed (the driver's organisation registered
     * the patient) and then lets the driver record the Consent and write the Observations (it is in the
     * care team); reading them as a care-team member needs the Consent. Shares above 100 go on in
     * further transactions of 100.
     */
    private void register() throws Exception {
        int perBundle = 100;
        AtomicInteger registered = new AtomicInteger();
        long start = System.nanoTime();
        parallel(options.patients, i -> {
            int share = options.preload / options.patients + (i < options.preload % options.patients ? 1 : 0);
            String patientUrl = "urn:uuid:" + UUID.randomUUID();
            List<String> entries = new ArrayList<>();
            entries.add("{\"fullUrl\":\"" + patientUrl + "\",\"resource\":" + patient(i)
                    + ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
            String teamUrl = "urn:uuid:" + UUID.randomUUID();
            List<String> members = new ArrayList<>(List.of(PRACTITIONER_ROLE));
            if (notify != null) {
                members.add(notify.careManagerOf(i).practitionerRole());
            }
            entries.add(entry(teamUrl, "CareTeam", careTeam(patientUrl, members)));
            entries.add(entry("Consent", consent(patientUrl, teamUrl)));
            emergencyData(patientUrl).forEach((type, body) -> entries.add(entry(type, body)));
            int sent = Math.min(perBundle, share);
            addObservations(entries, patientUrl, sent);
            Matcher m = PATIENT_LOCATION.matcher(transaction(entries));
            if (!m.find()) {
                throw new IOException("no Patient location in the transaction response");
            }
            String id = m.group(1);
            registeredAs.put(id, i);
            patientIds.add(id);
            for (; sent < share; sent += perBundle) {
                List<String> more = new ArrayList<>();
                addObservations(more, "Patient/" + id, Math.min(perBundle, share - sent));
                transaction(more);
            }
            int total = registered.incrementAndGet();
            if (total % 100 == 0) {
                System.out.printf(
                        Locale.ROOT,
                        "registered %d / %d patients (%.0f patients/s)%n",
                        total,
                        options.patients,
                        total / seconds(start));
            }
        });
        System.out.printf(
                Locale.ROOT,
                "created %d patients, their care teams and consents and %d Observations in %.1f s%n",
                options.patients,
                options.preload,
                seconds(start));
    }

    /** The registration transaction of one patient (Patient, CareTeam with the driver, privacy Consent), no Observations. */
    String registrationOfOnePatient() {
        String patientUrl = "urn:uuid:" + UUID.randomUUID();
        String teamUrl = "urn:uuid:" + UUID.randomUUID();
        List<String> entries = new ArrayList<>();
        entries.add("{\"fullUrl\":\"" + patientUrl + "\",\"resource\":" + patient(0)
                + ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
        entries.add(entry(teamUrl, "CareTeam", careTeam(patientUrl, List.of(PRACTITIONER_ROLE))));
        entries.add(entry("Consent", consent(patientUrl, teamUrl)));
        return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + String.join(",", entries) + "]}";
    }

    /** The Observation the create op writes, about {@code subject}. */
    static String observationAbout(String subject) {
        return observation(subject);
    }

    private static void addObservations(List<String> entries, String subject, int n) {
        for (int i = 0; i < n; i++) {
            entries.add(entry("Observation", observation(subject)));
        }
    }

    private static String entry(String type, String resource) {
        return "{\"resource\":" + resource + ",\"request\":{\"method\":\"POST\",\"url\":\"" + type + "\"}}";
    }

    /** An entry other entries of the transaction refer to by its {@code urn:uuid:} full URL. */
    private static String entry(String fullUrl, String type, String resource) {
        return "{\"fullUrl\":\"" + fullUrl + "\"," + entry(type, resource).substring(1);
    }

    /** Sends the entries as one transaction Bundle (all or nothing) and returns the response Bundle. */
    private String transaction(List<String> entries) throws IOException, InterruptedException {
        String body =
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + String.join(",", entries) + "]}";
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(options.base))
                .header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
        expect(response, 200);
        return response.body();
    }

    /** Polls the CapabilityStatement (open without a token) until the hub answers. */
    private void waitForHub() throws InterruptedException {
        jp.renkei.hub.Await.until(
                "an answer from " + options.base + "/metadata", Duration.ofSeconds(options.waitForHub), () -> {
                    try {
                        return send(HttpRequest.newBuilder(URI.create(options.base + "/metadata"))
                                                .header("Accept", "application/fhir+json")
                                                .GET())
                                        .statusCode()
                                == 200;
                    } catch (IOException notYet) {
                        return false; // not listening yet
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                });
    }

    private Result phase(String op) throws Exception {
        if (op.equals("read") && observationIds.isEmpty()) {
            for (int i = 0; i < 200; i++) {
                observationIds.add(create("Observation", observation("Patient/" + randomPatient())));
            }
        }
        System.out.printf(Locale.ROOT, "%s: warm-up %d s%n", op, options.warmup);
        runFor(op, options.warmup, null);
        Recorder recorder = new Recorder(options.clients);
        System.out.printf(Locale.ROOT, "%s: measuring %d s%n", op, options.duration);
        long start = System.nanoTime();
        runFor(op, options.duration, recorder);
        return recorder.result(op, seconds(start));
    }

    private void runFor(String op, int secondsToRun, Recorder recorder) throws InterruptedException {
        long end = System.nanoTime() + secondsToRun * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < options.clients; c++) {
            int client = c;
            threads.add(started(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    boolean ok;
                    try {
                        ok = execute(op);
                    } catch (Exception e) {
                        ok = false;
                    }
                    if (recorder != null) {
                        recorder.record(client, System.nanoTime() - t0, ok);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private boolean execute(String op) throws Exception {
        return switch (op) {
            case "create" -> {
                String id = create("Observation", observation("Patient/" + randomPatient()));
                if (observationIds.size() < 100_000) {
                    observationIds.add(id);
                }
                yield true;
            }
            case "read" -> {
                String id = observationIds.get(ThreadLocalRandom.current().nextInt(observationIds.size()));
                yield send(HttpRequest.newBuilder(URI.create(options.base + "/Observation/" + id))
                                        .header("Accept", "application/fhir+json")
                                        .GET())
                                .statusCode()
                        == 200;
            }
            case "search" -> {
                HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(
                                options.base + "/Observation?patient=Patient/" + randomPatient() + "&_count=20"))
                        .header("Accept", "application/fhir+json")
                        .GET());
                // When every patient has preloaded Observations an empty page means they were withheld.
                yield response.statusCode() == 200
                        && response.body().contains("\"searchset\"")
                        && (options.preload < options.patients
                                || response.body().contains("\"entry\""));
            }
            case "summary" -> {
                HttpResponse<String> response = send(HttpRequest.newBuilder(
                                URI.create(options.base + "/Patient/" + randomPatient() + "/$emergency-summary"))
                        .header("Accept", "application/fhir+json")
                        .GET());
                yield response.statusCode() == 200 && response.body().contains("\"MedicationStatement\"");
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }

    String create(String type, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(options.base + "/" + type))
                .header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
        expect(response, 201);
        String location = response.headers().firstValue("Location").orElse("");
        Matcher m = ID_IN_LOCATION.matcher(location);
        if (m.find()) {
            return m.group(2);
        }
        Matcher b = ID_IN_BODY.matcher(response.body());
        if (b.find()) {
            return b.group(1);
        }
        throw new IOException("no id in the response to a create of " + type);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return send(request, DRIVER);
    }

    /** Sends as {@code who} (a token the driver's issuer signs for them; without an issuer, the --token). */
    HttpResponse<String> send(HttpRequest.Builder request, Identity who) throws IOException, InterruptedException {
        String token = issuer != null ? issuer.token(who) : options.token;
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.get()
                .send(
                        request.timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static void expect(HttpResponse<String> response, int status) throws IOException {
        if (response.statusCode() != status) {
            String body = response.body();
            throw new IOException("HTTP " + response.statusCode() + " from " + response.uri() + ": "
                    + body.substring(0, Math.min(300, body.length())));
        }
    }

    private String randomPatient() {
        return patientIds.get(ThreadLocalRandom.current().nextInt(patientIds.size()));
    }

    private static String patient(int i) {
        return """
                {"resourceType":"Patient","identifier":[{"system":"%s","value":"%d"}],\
                "name":[{"use":"official","text":"負荷 試験%d","family":"負荷","given":["試験%d"]},\
                {"use":"usual","text":"フカ シケン","family":"フカ","given":["シケン"]}],\
                "gender":"%s","birthDate":"19%02d-04-01"}""".formatted(PATIENT_SYSTEM, i, i, i, i % 2 == 0 ? "female" : "male", 30 + i % 60);
    }

    /**
     * An active team for the patient whose participants are these PractitionerRoles: the driver's, and
     * with the notification ops the care manager who subscribes to the patient.
     */
    private static String careTeam(String subject, List<String> roles) {
        String participants = roles.stream()
                .map(r -> "{\"member\":{\"reference\":\"PractitionerRole/" + r + "\"}}")
                .collect(java.util.stream.Collectors.joining(","));
        return """
                {"resourceType":"CareTeam","status":"active","name":"負荷試験チーム",\
                "subject":{"reference":"%s"},"participant":[%s]}""".formatted(subject, participants);
    }

    /**
     * The patient's active privacy Consent (opt-in) sharing everything with the care team
     * ({@code team}, the team's {@code urn:uuid:} in the transaction). It carries its source, a tiny
     * stand-in for the scanned signed form, as a privacy Consent must.
     */
    private static String consent(String patient, String team) {
        String now = fhirDateTime(OffsetDateTime.now(ZoneOffset.ofHours(9)));
        return """
                {"resourceType":"Consent","status":"active",\
                "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},\
                "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0","display":"Patient Consent"}],\
                "text":"医療・介護連携のための情報共有同意書"}],\
                "patient":{"reference":"%s"},"dateTime":"%s","performer":[{"reference":"%s"}],\
                "policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},\
                "sourceAttachment":{"contentType":"application/pdf","title":"同意書（スキャン）","data":"%s"},\
                "provision":{"type":"permit","actor":[{"role":{"coding":[{"system":\
                "http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},\
                "reference":{"reference":"%s"}}]}}""".formatted(patient, now, patient, CONSENT_FORM, team);
    }

    /**
     * What an emergency summary shows: an emergency contact sheet, an active medication, an allergy
     * (the driver's physician role may write all three as a care-team member).
     */
    private static Map<String, String> emergencyData(String patient) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put("Composition", careDocument(patient, "emergency-sheet", "緊急時連絡票"));
        out.put("MedicationStatement", """
                {"resourceType":"MedicationStatement","status":"active",                "medicationCodeableConcept":{"text":"アムロジピン錠5mg 1日1回朝食後"},"subject":{"reference":"%s"}}""".formatted(patient));
        out.put("AllergyIntolerance", """
                {"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"system":\
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},\
                "code":{"text":"そば"},"patient":{"reference":"%s"}}""".formatted(patient));
        return out;
    }

    /** A final Composition of the care-document {@code kind}, written by the driver's PractitionerRole now. */
    static String careDocument(String patient, String kind, String title) {
        String now = fhirDateTime(OffsetDateTime.now(ZoneOffset.ofHours(9)));
        return """
                {"resourceType":"Composition","status":"final",\
                "type":{"coding":[{"system":"http://renkei.example.jp/fhir/CodeSystem/care-document","code":"%s"}]},\
                "subject":{"reference":"%s"},"date":"%s","author":[{"reference":"PractitionerRole/%s"}],"title":"%s"}""".formatted(kind, patient, now, PRACTITIONER_ROLE, title);
    }

    /** {@code subject} is a reference: {@code Patient/<id>}, or a {@code urn:uuid:} fullUrl in a transaction. */
    /**
     * A FHIR dateTime to the second: {@code OffsetDateTime.toString()} leaves the seconds out when they are zero, which
     * R4 does not allow (one write in sixty was refused once every write was validated).
     */
    private static String fhirDateTime(OffsetDateTime time) {
        return java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time.withNano(0));
    }

    private static String observation(String subject) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String when = fhirDateTime(OffsetDateTime.now(ZoneOffset.ofHours(9)).minusMinutes(random.nextInt(500_000)));
        return """
                {"resourceType":"Observation","status":"final",\
                "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],\
                "code":{"coding":[{"system":"http://loinc.org","code":"8310-5","display":"Body temperature"}],"text":"体温"},\
                "subject":{"reference":"%s"},"effectiveDateTime":"%s",\
                "valueQuantity":{"value":%d.%d,"unit":"℃","system":"http://unitsofmeasure.org","code":"Cel"},\
                "note":[{"text":"訪問看護時に測定。ﾊﾝｶｸ・全角混在テキスト"}]}""".formatted(subject, when, 35 + random.nextInt(4), random.nextInt(10));
    }

    void parallel(int count, Task task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < options.clients; c++) {
            threads.add(started(() -> {
                for (int i = next.getAndIncrement(); i < count && failures.isEmpty(); i = next.getAndIncrement()) {
                    try {
                        task.run(i);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("set-up failed: " + failures.get(0).getMessage(), failures.get(0));
        }
    }

    private static Thread started(Runnable body) {
        Thread thread = new Thread(body);
        thread.start();
        return thread;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static final String OPERATION_COLUMNS = "| operation | requests | errors | throughput (req/s) |";

    /** A table of results; {@code columns} names the first four columns (the latency columns follow). */
    static String table(String columns, List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append(columns).append(" p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.1f |%n",
                    r.op,
                    r.count,
                    r.errors,
                    r.throughput,
                    r.p50,
                    r.p95,
                    r.p99,
                    r.max));
        }
        return out.toString();
    }

    private void writeReport(String table) throws IOException {
        String access = issuer != null
                ? "bearer tokens from the driver's own issuer (RS256, role physician of " + ORGANIZATION
                        + ", in each patient's care team, which the patient's privacy Consent permits"
                        + (notify != null ? "; " + NotifyLoad.ACCESS : "")
                        + "); hub authentication, access control and consent checks on"
                : options.token != null ? "bearer token given with --token" : "no token";
        String section = String.format(
                Locale.ROOT,
                "%n### Run %s%n%nCommand: `LoadDriver %s`%n%nAccess: %s%n%n%s",
                OffsetDateTime.now(ZoneOffset.ofHours(9)).withNano(0),
                commandLine(),
                access,
                table);
        Files.writeString(
                Path.of(options.out),
                section,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.out.println("appended to " + options.out);
    }

    /**
     * The settings the run used, as one driver command: bench.sh passes its defaults before the caller's
     * arguments, so the raw arguments name some options twice. A token's value is never shown (the
     * report is committed).
     */
    private String commandLine() {
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "--base %s --clients %d --duration %d --warmup %d --patients %d --preload %d --ops %s",
                options.base,
                options.clients,
                options.duration,
                options.warmup,
                options.patients,
                options.preload,
                String.join(",", options.ops)));
        if (options.reuse) {
            line.append(" --reuse true");
        }
        if (notify != null) {
            line.append(String.format(
                    Locale.ROOT,
                    " --subscribers %d --rate %d --sessions %d",
                    options.subscribers,
                    options.rate,
                    options.sessions));
        }
        if (issuer != null) {
            line.append(" --issuer-port ").append(options.issuerPort);
        } else if (options.token != null) {
            line.append(" --token <token>");
        }
        return line.toString();
    }

    @FunctionalInterface
    interface Task {
        void run(int i) throws Exception;
    }

    record Result(String op, int count, int errors, double throughput, double p50, double p95, double p99, double max) {

        /** The percentiles of {@code nanos} (sorted here), in milliseconds. */
        static Result of(String op, long[] nanos, int errors, double throughput) {
            Arrays.sort(nanos);
            return new Result(
                    op,
                    nanos.length,
                    errors,
                    throughput,
                    percentile(nanos, 50),
                    percentile(nanos, 95),
                    percentile(nanos, 99),
                    nanos.length == 0 ? 0 : nanos[nanos.length - 1] / 1e6);
        }

        private static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, index)] / 1e6;
        }
    }

    /**
     * Who a token says the caller is. The driver is {@link #DRIVER}; the notification benchmark signs
     * tokens for its care managers.
     */
    record Identity(String subject, String role, String organization, String practitioner, String practitionerRole) {}

    /** One latency array per client thread, so recording needs no locking. */
    private static final class Recorder {
        private final long[][] latencies;
        private final int[] counts;
        private final int[] errors;

        Recorder(int clients) {
            latencies = new long[clients][1 << 16];
            counts = new int[clients];
            errors = new int[clients];
        }

        void record(int client, long nanos, boolean ok) {
            if (counts[client] == latencies[client].length) {
                latencies[client] = Arrays.copyOf(latencies[client], counts[client] * 2);
            }
            latencies[client][counts[client]++] = nanos;
            if (!ok) {
                errors[client]++;
            }
        }

        Result result(String op, double seconds) {
            int total = Arrays.stream(counts).sum();
            long[] all = new long[total];
            int at = 0;
            for (int c = 0; c < counts.length; c++) {
                System.arraycopy(latencies[c], 0, all, at, counts[c]);
                at += counts[c];
            }
            return Result.of(op, all, Arrays.stream(errors).sum(), total / seconds);
        }
    }

    /**
     * A minimal OpenID provider for the benchmark: an in-memory RSA key (never written anywhere), its
     * JWKS on loopback, and RS256 access tokens shaped like the realm's (roles, FHIR identity claims,
     * audience renkei-hub). Signed with the JDK alone so the driver needs no libraries.
     */
    static final class Issuer implements AutoCloseable {
        static final String CERTS = "/protocol/openid-connect/certs";
        static final String INTROSPECT = "/protocol/openid-connect/token/introspect";
        private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
        private static final long LIFETIME_SECONDS = 3600;
        /** A new token is signed this long before the current one expires, so none is sent stale. */
        private static final long RENEW_BEFORE_SECONDS = 300;

        final String url;
        private final KeyPair keys;
        private final String keyId = UUID.randomUUID().toString();
        private final HttpServer server;
        /** How often the hub fetched the keys: should be once per run, not per request. */
        final AtomicInteger jwksFetches = new AtomicInteger();
        /** How often the hub asked whether a token is still active: about once per token and 30 s. */
        final AtomicInteger introspections = new AtomicInteger();

        private final Map<Identity, Signed> tokens = new java.util.concurrent.ConcurrentHashMap<>();

        private record Signed(String token, long renewAt) {}

        Issuer(int port) throws IOException, GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
            url = "http://127.0.0.1:" + port + "/realms/bench";
            RSAPublicKey key = (RSAPublicKey) keys.getPublic();
            byte[] jwks = ("{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + keyId
                            + "\",\"n\":\"" + unsigned(key.getModulus()) + "\",\"e\":\""
                            + unsigned(key.getPublicExponent()) + "\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
            server.createContext("/realms/bench" + CERTS, exchange -> {
                jwksFetches.incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(jwks);
                }
            });
            // the hub asks as client renkei-hub with bench.sh's BENCH ONLY secret; every token of this issuer stays
            // active
            String hubClient = "Basic "
                    + Base64.getEncoder().encodeToString("renkei-hub:bench-only".getBytes(StandardCharsets.UTF_8));
            server.createContext("/realms/bench" + INTROSPECT, exchange -> {
                introspections.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                boolean client = hubClient.equals(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] answer = (client ? "{\"active\":true}" : "{\"error\":\"invalid_client\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(client ? 200 : 401, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            });
            server.start();
        }

        /** {@code who}'s current token, re-signed shortly before it would expire (runs can outlast one token). */
        String token(Identity who) {
            long now = System.currentTimeMillis() / 1000;
            return tokens.compute(
                            who,
                            (k, signed) -> signed == null || now >= signed.renewAt()
                                    ? new Signed(sign(who, now), now + LIFETIME_SECONDS - RENEW_BEFORE_SECONDS)
                                    : signed)
                    .token();
        }

        private String sign(Identity who, long now) {
            // The subject stays the same across tokens: the hub binds search result pages to it.
            String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + keyId + "\"}";
            String claims = ("{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":[\"renkei-hub\"],\"azp\":\"renkei-bench\","
                            + "\"preferred_username\":\"%s\",\"iat\":%d,\"exp\":%d,\"roles\":[\"%s\"],"
                            + "\"organization\":\"%s\",\"practitioner\":\"%s\",\"practitioner_role\":\"%s\"}")
                    .formatted(
                            url,
                            who.subject(),
                            who.subject(),
                            now,
                            now + LIFETIME_SECONDS,
                            who.role(),
                            who.organization(),
                            who.practitioner(),
                            who.practitionerRole());
            String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            try {
                Signature rs256 = Signature.getInstance("SHA256withRSA");
                rs256.initSign(keys.getPrivate());
                rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
                return signingInput + "." + B64.encodeToString(rs256.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** JWK numbers are unsigned big-endian; BigInteger adds a sign byte when the top bit is set. */
        private static String unsigned(BigInteger value) {
            byte[] bytes = value.toByteArray();
            if (bytes[0] == 0 && bytes.length > 1) {
                bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
            }
            return B64.encodeToString(bytes);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    record Options(
            String base,
            int clients,
            int duration,
            int warmup,
            int patients,
            int preload,
            List<String> ops,
            String out,
            String token,
            boolean reuse,
            int issuerPort,
            int waitForHub,
            int subscribers,
            int rate,
            int sessions,
            String hubPidFile,
            String examples) {

        static final List<String> OPS =
                List.of("create", "read", "search", "summary", "notify", "notify-heap", FirstRequests.OP);

        static Options parse(String[] args) {
            Map<String, String> values = new HashMap<>(Map.ofEntries(
                    Map.entry("--clients", "8"),
                    Map.entry("--duration", "30"),
                    Map.entry("--warmup", "5"),
                    Map.entry("--patients", "100"),
                    Map.entry("--preload", "0"),
                    Map.entry("--ops", "create,read,search,summary"),
                    Map.entry("--reuse", "false"),
                    Map.entry("--issuer-port", "0"),
                    Map.entry("--wait-for-hub", "0"),
                    Map.entry("--subscribers", "1000"),
                    Map.entry("--rate", "20"),
                    Map.entry("--sessions", "10000"),
                    Map.entry("--examples", "fhir-profiles/src/main/fhir")));
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 == args.length) {
                    throw usage("expected --name value, got " + args[i]);
                }
                values.put(args[i], args[++i]);
            }
            String base = values.get("--base");
            if (base == null) {
                throw usage("--base is required");
            }
            List<String> ops = List.of(values.get("--ops").split(","));
            for (String op : ops) {
                if (!OPS.contains(op)) {
                    throw usage("unknown op " + op);
                }
            }
            String token = values.getOrDefault("--token", System.getenv("RENKEI_BENCH_TOKEN"));
            Options options = new Options(
                    base.replaceAll("/+$", ""),
                    Integer.parseInt(values.get("--clients")),
                    Integer.parseInt(values.get("--duration")),
                    Integer.parseInt(values.get("--warmup")),
                    Integer.parseInt(values.get("--patients")),
                    Integer.parseInt(values.get("--preload")),
                    ops,
                    values.get("--out"),
                    token,
                    Boolean.parseBoolean(values.get("--reuse")),
                    Integer.parseInt(values.get("--issuer-port")),
                    Integer.parseInt(values.get("--wait-for-hub")),
                    Integer.parseInt(values.get("--subscribers")),
                    Integer.parseInt(values.get("--rate")),
                    Integer.parseInt(values.get("--sessions")),
                    values.get("--hub-pid-file"),
                    values.get("--examples"));
            if (ops.stream().anyMatch(NotifyLoad.OPS::contains)) {
                if (options.issuerPort <= 0) {
                    throw usage(
                            "the notification ops sign a token per subscriber: they need --issuer-port (deploy/bench.sh)");
                }
                if (ops.contains("notify")
                        && (options.subscribers < 1 || options.patients < options.subscribers || options.rate < 1)) {
                    throw usage(
                            "notify needs --subscribers >= 1, --patients >= --subscribers (each subscriber's own patients) and --rate >= 1");
                }
            }
            return options;
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(
                    problem + "\nusage: LoadDriver --base URL [--clients 8] [--duration 30] "
                            + "[--warmup 5] [--patients 100] [--preload 0] [--reuse false] [--ops create,read,search,summary,notify,notify-heap,first-write] "
                            + "[--out FILE] [--token JWT | --issuer-port PORT] [--wait-for-hub SECONDS] "
                            + "[--subscribers 1000] [--rate 20] [--sessions 10000] [--hub-pid-file FILE] [--examples DIR]");
        }
    }
}
