package jp.renkei.hub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *     --patients 1000 --preload 100000 --ops create,read,search --out docs/benchmarks.md
 * </pre>
 *
 * Each operation runs as its own phase (warm-up, then measured for the duration) so the numbers do
 * not mix. {@code --reuse true} takes the patients of an earlier run on the same server instead of
 * creating new ones (for profiling searches against already loaded data). {@code --preload} first fills the server with Observations spread over {@code --patients}
 * patients, sent as batch Bundles, so search-by-patient is measured against that many stored resources.
 */
public final class LoadDriver {

    private static final Pattern ID_IN_LOCATION = Pattern.compile("/([A-Za-z]+)/([^/]+)/_history/");
    private static final String PATIENT_SYSTEM = "urn:oid:1.2.392.100495.20.3.51.11234567890";
    private static final Pattern PATIENT_IN_BUNDLE = Pattern.compile("\"fullUrl\"\\s*:\\s*\"[^\"]*/Patient/([^\"/]+)\"");
    private static final Pattern NEXT_LINK = Pattern.compile("\"relation\"\\s*:\\s*\"next\"\\s*,\\s*\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ID_IN_BODY = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final Options options;
    private final List<String> patientIds = new CopyOnWriteArrayList<>();
    private final List<String> observationIds = new CopyOnWriteArrayList<>();
    private final ThreadLocal<HttpClient> http = ThreadLocal.withInitial(() -> HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build());

    private LoadDriver(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        new LoadDriver(options).run();
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "base=%s clients=%d duration=%ds warmup=%ds patients=%d preload=%d ops=%s%n",
                options.base, options.clients, options.duration, options.warmup, options.patients, options.preload, options.ops);
        createPatients();
        if (options.preload > 0) {
            preload();
        }
        List<Result> results = new ArrayList<>();
        for (String op : options.ops) {
            results.add(phase(op));
        }
        String table = table(results);
        System.out.println();
        System.out.print(table);
        if (options.out != null) {
            writeReport(table);
        }
    }

    private void createPatients() throws Exception {
        long start = System.nanoTime();
        if (options.reuse) {
            // Patients (and their Observations) from an earlier --preload run against the same server.
            String next = options.base + "/Patient?identifier=" + PATIENT_SYSTEM + "%7C&_count=500";
            while (next != null && patientIds.size() < options.patients) {
                String body = send(HttpRequest.newBuilder(URI.create(next)).header("Accept", "application/fhir+json").GET()).body();
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
            System.out.printf(Locale.ROOT, "reusing %d patients%n", patientIds.size());
            return;
        }
        parallel(options.patients, i -> {
            String id = create("Patient", patient(i));
            patientIds.add(id);
        });
        System.out.printf(Locale.ROOT, "created %d patients in %.1f s%n", options.patients, seconds(start));
    }

    /** Batch Bundles of 100 Observations, round-robin over the patients. */
    private void preload() throws Exception {
        int perBundle = 100;
        int bundles = (options.preload + perBundle - 1) / perBundle;
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        parallel(bundles, b -> {
            StringBuilder body = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[");
            int n = Math.min(perBundle, options.preload - b * perBundle);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    body.append(',');
                }
                String patient = patientIds.get((b * perBundle + i) % patientIds.size());
                body.append("{\"resource\":").append(observation(patient))
                        .append(",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}");
            }
            body.append("]}");
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(options.base))
                    .header("Content-Type", "application/fhir+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)));
            expect(response, 200);
            int total = done.addAndGet(n);
            if (b % 100 == 0) {
                System.out.printf(Locale.ROOT, "preloaded %d / %d (%.0f/s)%n", total, options.preload, total / seconds(start));
            }
        });
        System.out.printf(Locale.ROOT, "preloaded %d Observations in %.1f s%n", options.preload, seconds(start));
    }

    private Result phase(String op) throws Exception {
        if (op.equals("read") && observationIds.isEmpty()) {
            for (int i = 0; i < 200; i++) {
                observationIds.add(create("Observation", observation(randomPatient())));
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
                String id = create("Observation", observation(randomPatient()));
                if (observationIds.size() < 100_000) {
                    observationIds.add(id);
                }
                yield true;
            }
            case "read" -> {
                String id = observationIds.get(ThreadLocalRandom.current().nextInt(observationIds.size()));
                yield send(HttpRequest.newBuilder(URI.create(options.base + "/Observation/" + id))
                        .header("Accept", "application/fhir+json").GET()).statusCode() == 200;
            }
            case "search" -> {
                HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(
                        options.base + "/Observation?patient=Patient/" + randomPatient() + "&_count=20"))
                        .header("Accept", "application/fhir+json").GET());
                yield response.statusCode() == 200 && response.body().contains("\"searchset\"");
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }

    private String create(String type, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(options.base + "/" + type))
                .header("Content-Type", "application/fhir+json").header("Accept", "application/fhir+json")
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
        if (options.token != null) {
            request.header("Authorization", "Bearer " + options.token);
        }
        return http.get().send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void expect(HttpResponse<String> response, int status) throws IOException {
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

    private static String observation(String patientId) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String when = OffsetDateTime.now(ZoneOffset.ofHours(9)).minusMinutes(random.nextInt(500_000)).withNano(0).toString();
        return """
                {"resourceType":"Observation","status":"final",\
                "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],\
                "code":{"coding":[{"system":"http://loinc.org","code":"8310-5","display":"Body temperature"}],"text":"体温"},\
                "subject":{"reference":"Patient/%s"},"effectiveDateTime":"%s",\
                "valueQuantity":{"value":%d.%d,"unit":"℃","system":"http://unitsofmeasure.org","code":"Cel"},\
                "note":[{"text":"訪問看護時に測定。ﾊﾝｶｸ・全角混在テキスト"}]}""".formatted(
                patientId, when, 35 + random.nextInt(4), random.nextInt(10));
    }

    private void parallel(int count, Task task) throws Exception {
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

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private String table(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("| operation | requests | errors | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.1f |%n",
                    r.op, r.count, r.errors, r.throughput, r.p50, r.p95, r.p99, r.max));
        }
        return out.toString();
    }

    private void writeReport(String table) throws IOException {
        String section = String.format(Locale.ROOT, "%n### Run %s%n%nCommand: `LoadDriver %s`%n%n%s",
                OffsetDateTime.now(ZoneOffset.ofHours(9)).withNano(0), String.join(" ", options.args), table);
        Files.writeString(Path.of(options.out), section, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println("appended to " + options.out);
    }

    @FunctionalInterface
    private interface Task {
        void run(int i) throws Exception;
    }

    private record Result(String op, int count, int errors, double throughput, double p50, double p95, double p99, double max) {
    }

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
            Arrays.sort(all);
            return new Result(op, total, Arrays.stream(errors).sum(), total / seconds,
                    percentile(all, 50), percentile(all, 95), percentile(all, 99), total == 0 ? 0 : all[total - 1] / 1e6);
        }

        private static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, index)] / 1e6;
        }
    }

    private record Options(String[] args, String base, int clients, int duration, int warmup, int patients,
                           int preload, List<String> ops, String out, String token, boolean reuse) {

        static Options parse(String[] args) {
            Map<String, String> values = new HashMap<>(Map.of("--clients", "8", "--duration", "30", "--warmup", "5",
                    "--patients", "100", "--preload", "0", "--ops", "create,read,search", "--reuse", "false"));
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
                if (!List.of("create", "read", "search").contains(op)) {
                    throw usage("unknown op " + op);
                }
            }
            String token = values.getOrDefault("--token", System.getenv("RENKEI_BENCH_TOKEN"));
            return new Options(args, base.replaceAll("/+$", ""), Integer.parseInt(values.get("--clients")),
                    Integer.parseInt(values.get("--duration")), Integer.parseInt(values.get("--warmup")),
                    Integer.parseInt(values.get("--patients")), Integer.parseInt(values.get("--preload")),
                    ops, values.get("--out"), token, Boolean.parseBoolean(values.get("--reuse")));
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(problem + "\nusage: LoadDriver --base URL [--clients 8] [--duration 30] "
                    + "[--warmup 5] [--patients 100] [--preload 0] [--reuse false] [--ops create,read,search] [--out FILE] [--token JWT]");
        }
    }
}
