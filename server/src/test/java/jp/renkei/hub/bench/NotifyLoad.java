package jp.renkei.hub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jp.renkei.hub.bench.LoadDriver.Identity;
import jp.renkei.hub.bench.LoadDriver.Result;

/**
 * The notification benchmark (issue 6), the {@code notify} and {@code notify-heap} ops of
 * {@link LoadDriver}: Subscriptions on the care-document topic over the hub's WebSocket channel
 * (Subscriptions R5 Backport IG, R4 form), with the JDK's WebSocket client.
 *
 * <p>{@code notify}: {@code --subscribers} care managers ({@code cm-bench-K}, PractitionerRole
 * {@code role-cm-bench-K} of {@code org-cm-bench}), each in the CareTeam of the patients registered as
 * number K, K + subscribers, … (the patient's Consent shares with that team), each with one Subscription
 * filtered to those patients (id-only, heartbeat every {@value #HEARTBEAT_SECONDS} s) and one bound
 * socket. The driver (physician of another organisation, so the care managers read the documents as care-team
 * members whom the consent permits, not as their authors) then creates care-record Compositions for random
 * patients at {@code --rate} per second ({@code --clients} writer threads), for {@code --warmup} then
 * {@code --duration} seconds. Each event is matched by its focus id on the socket of the patient's care
 * manager: latency to receiving the event-notification from the write's acknowledgement (its 201; the goal),
 * from the change's timestamp (recorded inside the write, on the clock this driver shares with the hub), and
 * from sending the POST.
 * An event not received within {@value #MISSED_AFTER_MS} ms counts as missed.
 *
 * <p>{@code notify-heap}: {@code --sessions} further care managers ({@code cm-idle-J}) each create a
 * Subscription and a binding token and bind one socket, which then stays idle. The hub's used heap after a
 * full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info}; the hub's pid from {@code --hub-pid-file})
 * is taken before, with the Subscriptions and tokens, and with the bound sockets.
 */
final class NotifyLoad {

    static final List<String> OPS = List.of("notify", "notify-heap");
    static final String ACCESS = "subscribers are care managers of org-cm-bench, each in the care team of its own "
            + "patients, which the patients' Consents permit";
    static final int HEARTBEAT_SECONDS = 60;
    static final long MISSED_AFTER_MS = 10_000;

    private static final String TOPIC = "http://renkei.example.jp/fhir/SubscriptionTopic/care-document";
    private static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
    private static final String CM_ORGANIZATION = "org-cm-bench";
    /** Sockets opened and bound at once; more only queue up in the hub's accept backlog. */
    private static final int OPENING = 64;

    private static final Pattern TYPE =
            Pattern.compile("\"name\"\\s*:\\s*\"type\"\\s*,\\s*\"valueCode\"\\s*:\\s*\"([a-z-]+)\"");
    private static final Pattern FOCUS = Pattern.compile(
            "\"name\"\\s*:\\s*\"focus\"\\s*,\\s*\"valueReference\"\\s*:\\s*\\{\\s*\"reference\"\\s*:\\s*\"[^\"]*/Composition/([^\"/]+)\"");
    /** The event's timestamp: when the hub recorded the committed change (ms, same clock as this driver's). */
    private static final Pattern TIMESTAMP =
            Pattern.compile("\"name\"\\s*:\\s*\"timestamp\"\\s*,\\s*\"valueInstant\"\\s*:\\s*\"([^\"]+)\"");

    private static final Pattern TOKEN =
            Pattern.compile("\"name\"\\s*:\\s*\"token\"\\s*,\\s*\"valueString\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern WEBSOCKET_URL =
            Pattern.compile("\"name\"\\s*:\\s*\"websocket-url\"\\s*,\\s*\"valueUrl\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private final LoadDriver driver;
    private final LoadDriver.Options options;
    /** One client for every socket: one selector thread, not one per socket. */
    private final HttpClient sockets =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final Map<String, Delivery> deliveries = new ConcurrentHashMap<>();

    NotifyLoad(LoadDriver driver) {
        this.driver = driver;
        this.options = driver.options;
    }

    /** The care manager who subscribes to the patient registered as number {@code patient}. */
    Identity careManagerOf(int patient) {
        return careManager("cm-bench-", patient % Math.max(1, options.subscribers()));
    }

    private static Identity careManager(String prefix, int k) {
        return new Identity(prefix + k, "care-manager", CM_ORGANIZATION, "prac-" + prefix + k, "role-" + prefix + k);
    }

    /** Runs one phase and returns its part of the report. */
    String phase(String op) throws Exception {
        return switch (op) {
            case "notify" -> latency();
            case "notify-heap" -> heap();
            default -> throw new IllegalArgumentException(op);
        };
    }

    // ---- notify: write -> delivery latency ----------------------------------------------------

    private String latency() throws Exception {
        int n = options.subscribers();
        List<List<String>> patientsOf = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            patientsOf.add(new ArrayList<>());
        }
        Map<String, Integer> ownerOf = new ConcurrentHashMap<>();
        driver.registeredAs.forEach((id, i) -> {
            ownerOf.put(id, i % n);
            synchronized (patientsOf) {
                patientsOf.get(i % n).add(id);
            }
        });
        List<String> patients = List.copyOf(ownerOf.keySet());
        System.out.printf(
                Locale.ROOT,
                "notify: %d subscribers (care managers), each subscribing to its %d-%d patient(s)%n",
                n,
                patients.size() / n,
                (patients.size() + n - 1) / n);
        long start = System.nanoTime();
        Binding[] bindings = new Binding[n];
        driver.parallel(n, k -> bindings[k] = subscribe(careManager("cm-bench-", k), patientsOf.get(k)));
        System.out.printf(
                Locale.ROOT, "notify: %d Subscriptions and binding tokens in %.1f s%n", n, LoadDriver.seconds(start));
        List<Socket> open = bind(bindings);
        try {
            AtomicInteger writes = new AtomicInteger();
            AtomicInteger errors = new AtomicInteger();
            System.out.printf(Locale.ROOT, "notify: warm-up %d s at %d writes/s%n", options.warmup(), options.rate());
            write(patients, ownerOf, options.warmup(), false, new AtomicInteger(), new AtomicInteger());
            System.out.printf(
                    Locale.ROOT, "notify: measuring %d s at %d writes/s%n", options.duration(), options.rate());
            long measured = System.nanoTime();
            write(patients, ownerOf, options.duration(), true, writes, errors);
            double seconds = LoadDriver.seconds(measured);
            drain();
            return latencyReport(open, writes.get(), errors.get(), seconds);
        } finally {
            close(open);
        }
    }

    /**
     * Creates care-record Compositions for random patients at the rate for the given time: a ticker hands
     * each write to one of {@code --clients} writer threads at its time (open loop, so a slow answer
     * delays no later write unless every writer is busy).
     */
    private void write(
            List<String> patients,
            Map<String, Integer> ownerOf,
            int secondsToRun,
            boolean measured,
            AtomicInteger writes,
            AtomicInteger errors)
            throws InterruptedException {
        ExecutorService writers = Executors.newFixedThreadPool(options.clients());
        long period = 1_000_000_000L / options.rate();
        long start = System.nanoTime();
        long total = (long) secondsToRun * options.rate();
        for (long i = 0; i < total; i++) {
            long wait = start + i * period - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            writers.execute(() -> {
                String patient = patients.get(ThreadLocalRandom.current().nextInt(patients.size()));
                long sent = System.nanoTime();
                try {
                    String id = driver.create(
                            "Composition", LoadDriver.careDocument("Patient/" + patient, "care-record", "介護記録（負荷試験）"));
                    long answered = System.nanoTime();
                    deliveries.compute(
                            id,
                            (key, d) -> (d == null ? new Delivery() : d)
                                    .sent(ownerOf.get(patient), sent, answered, measured));
                    writes.incrementAndGet();
                } catch (Exception e) {
                    if (errors.getAndIncrement() == 0) {
                        System.out.println("notify: a write failed: " + e.getMessage());
                    }
                }
            });
        }
        writers.shutdown();
        if (!writers.awaitTermination(120, TimeUnit.SECONDS)) {
            writers.shutdownNow();
            throw new IllegalStateException("the writes did not finish within 120 s of the phase's end");
        }
    }

    /** Waits until every written event arrived, at most {@link #MISSED_AFTER_MS} after the last write. */
    private void drain() throws InterruptedException {
        jp.renkei.hub.Await.atMost(
                Duration.ofMillis(MISSED_AFTER_MS),
                () -> deliveries.values().stream().anyMatch(d -> d.sent != 0 && d.receipts == 0),
                waiting -> !waiting);
    }

    private String latencyReport(List<Socket> open, int writes, int errors, double seconds) {
        List<Long> fromPost = new ArrayList<>();
        List<Long> from201 = new ArrayList<>();
        List<Long> fromCommit = new ArrayList<>();
        List<Long> post = new ArrayList<>();
        int missed = 0;
        int misrouted = 0;
        int duplicates = 0;
        int unexpected = 0;
        for (Delivery d : deliveries.values()) {
            if (d.sent == 0) {
                unexpected++;
                continue;
            }
            if (!d.measured) {
                continue;
            }
            post.add(d.answered - d.sent);
            if (d.receipts == 0 || d.received - d.sent > MISSED_AFTER_MS * 1_000_000) {
                missed++;
                continue;
            }
            misrouted += d.receivedBy == d.owner ? 0 : 1;
            duplicates += d.receipts - 1;
            fromPost.add(d.received - d.sent);
            from201.add(d.received - d.answered);
            fromCommit.add((d.receivedWallMs - d.committedMs) * 1_000_000);
        }
        timeline();
        long closed = open.stream().filter(s -> s.closed != null).count();
        List<Result> rows = List.of(
                Result.of(
                        "write acknowledged (201 received) → event received",
                        longs(from201),
                        missed,
                        from201.size() / seconds),
                Result.of(
                        "change recorded (in the write, before its flush) → event received",
                        longs(fromCommit),
                        missed,
                        fromCommit.size() / seconds),
                Result.of("POST sent → event received", longs(fromPost), missed, fromPost.size() / seconds),
                Result.of("POST sent → 201 received (the write)", longs(post), errors, writes / seconds));
        System.out.printf(
                Locale.ROOT,
                "notify: %d writes (%d failed), %d events missed, %d on the wrong socket, %d duplicates, "
                        + "%d unexpected, %d of %d sockets closed by the hub%n",
                writes,
                errors,
                missed,
                misrouted,
                duplicates,
                unexpected,
                closed,
                open.size());
        open.stream()
                .filter(s -> s.closed != null)
                .limit(5)
                .forEach(s -> System.out.println("notify: socket " + s.index + " closed: " + s.closed));
        double p99 = rows.get(0).p99();
        return String.format(
                        Locale.ROOT,
                        """
                Notifications, write → delivery: %d subscribers (one bound WebSocket each, id-only, care-document topic \
                filtered to their own patients), care-record Compositions created at %d/s by %d writer threads for %d s \
                after %d s of warm-up; latency until the event-notification naming the Composition arrived on its \
                care manager's socket, measured from the write's acknowledgement (its 201 reaching the writer; negative \
                when the event overtakes it), from the point inside the write where the hub recorded the committed change \
                (the event's own timestamp, on the clock the driver shares with the hub; the write is flushed to disk and \
                audited after it, and the event is sent only after that flush), and from sending the POST. Missed: not \
                received within %d s. Throughput: events received (or writes answered) \
                per second of the measured window.

                """,
                        options.subscribers(),
                        options.rate(),
                        options.clients(),
                        options.duration(),
                        options.warmup(),
                        MISSED_AFTER_MS / 1000)
                + LoadDriver.table("| measured from | events | missed | throughput (/s) |", rows)
                + String.format(
                        Locale.ROOT,
                        """

                Writes: %d answered, %d failed. Events on another subscriber's socket: %d; duplicates: %d; events for \
                Compositions the driver did not write: %d. Sockets closed by the hub during the run: %d of %d.

                Goal (issue 6): write → delivery p99 ≤ 50 ms with %,d connected subscribers: p99 %.1f ms from the write's \
                acknowledgement, %d missed — **%s**%s. From sending the POST: p99 %.1f ms, of which the write itself takes \
                p99 %.1f ms.

                """,
                        writes,
                        errors,
                        misrouted,
                        duplicates,
                        unexpected,
                        closed,
                        open.size(),
                        1000,
                        p99,
                        missed,
                        p99 <= 50 && missed == 0 ? "met" : "not met",
                        options.subscribers() == 1000
                                ? ""
                                : " (measured with " + options.subscribers() + " subscribers, not 1,000)",
                        rows.get(2).p99(),
                        rows.get(3).p99());
    }

    /** For the log: the median latency and the missed events by 5-second window of the sends, to tell a backlog from noise. */
    private void timeline() {
        long first = deliveries.values().stream()
                .filter(d -> d.measured)
                .mapToLong(d -> d.sent)
                .min()
                .orElse(0);
        Map<Long, List<Delivery>> byWindow = deliveries.values().stream()
                .filter(d -> d.measured)
                .collect(Collectors.groupingBy(
                        d -> (d.sent - first) / 5_000_000_000L, java.util.TreeMap::new, Collectors.toList()));
        byWindow.forEach((window, sent) -> {
            long[] received = sent.stream()
                    .filter(d -> d.receipts > 0)
                    .mapToLong(d -> d.received - d.sent)
                    .sorted()
                    .toArray();
            System.out.printf(
                    Locale.ROOT,
                    "notify: writes sent %3d-%3d s: %4d, received %4d, median POST → event %.1f ms%n",
                    window * 5,
                    window * 5 + 5,
                    sent.size(),
                    received.length,
                    received.length == 0 ? Double.NaN : received[received.length / 2] / 1e6);
        });
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    // ---- notify-heap: idle bound sessions ---------------------------------------------------

    private String heap() throws Exception {
        int m = options.sessions();
        List<String> patients = List.copyOf(driver.patientIds);
        Long pid = hubPid();
        if (pid == null) {
            System.out.println(
                    "notify-heap: no --hub-pid-file with a running hub's pid: the sessions are opened, the heap not measured");
        }
        long before = usedHeap(pid, "before");
        Map<String, Long> classesBefore = pid == null ? Map.of() : histogram(pid);
        long start = System.nanoTime();
        Binding[] bindings = new Binding[m];
        driver.parallel(
                m,
                j -> bindings[j] = subscribe(careManager("cm-idle-", j), List.of(patients.get(j % patients.size()))));
        System.out.printf(
                Locale.ROOT,
                "notify-heap: %d Subscriptions and binding tokens in %.1f s%n",
                m,
                LoadDriver.seconds(start));
        long subscribed = usedHeap(pid, "with the Subscriptions and tokens");
        Map<String, Long> classesSubscribed = pid == null ? Map.of() : histogram(pid);
        List<Socket> open = bind(bindings);
        try {
            // longer than the hub's bind timeout: a socket it meant to close is closed by now
            Thread.sleep(7000); // time passing is the point: the hub closes what it meant to close only after its bind
            // timeout
            long bound = usedHeap(pid, "with the bound sockets");
            if (pid != null) {
                Map<String, Long> classesBound = histogram(pid);
                growth("the Subscriptions and tokens", classesBefore, classesSubscribed);
                growth("the bound sockets", classesSubscribed, classesBound);
            }
            long closed = open.stream().filter(s -> s.closed != null).count();
            open.stream()
                    .filter(s -> s.closed != null)
                    .limit(5)
                    .forEach(s -> System.out.println("notify-heap: socket " + s.index + " closed: " + s.closed));
            return heapReport(m, before, subscribed, bound, closed);
        } finally {
            close(open);
        }
    }

    private String heapReport(int m, long before, long subscribed, long bound, long closed) {
        String head = String.format(Locale.ROOT, """
                Idle bound sessions: %,d care managers, each with its own Subscription (care-document topic, one patient, \
                id-only, heartbeat %d s), binding token and bound WebSocket; nothing written meanwhile. Hub heap used \
                after a full GC (`jcmd <pid> GC.run`, then `GC.heap_info`; it includes the embedded store's page cache). \
                Sockets closed by the hub before the measurement: %d.

                """, m, HEARTBEAT_SECONDS, closed);
        if (before < 0) {
            return head + "Heap not measured (no hub pid: run through deploy/bench.sh or pass --hub-pid-file).\n\n";
        }
        return head
                + String.format(
                        Locale.ROOT,
                        """
                | hub state | heap used (MiB) | per session (KiB) |
                |---|---:|---:|
                | before | %.0f | |
                | + %,d Subscriptions and binding tokens | %.0f | %.1f |
                | + %,d bound idle sockets | %.0f | %.1f |

                Per session in all (Subscription, token, socket): %.1f KiB. Goal (issue 6): ≤ 1 GiB of heap for 10,000 \
                sessions: %.0f MiB used with %,d — **%s**%s.

                """,
                        mib(before),
                        m,
                        mib(subscribed),
                        kib(subscribed - before) / m,
                        m,
                        mib(bound),
                        kib(bound - subscribed) / m,
                        kib(bound - before) / m,
                        mib(bound),
                        m,
                        mib(bound) <= 1024 && closed == 0 ? "met" : "not met",
                        m == 10_000 ? "" : " (measured with " + m + " sessions, not 10,000)");
    }

    private static double mib(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }

    private static double kib(long bytes) {
        return bytes / 1024.0;
    }

    private Long hubPid() throws IOException {
        if (options.hubPidFile() == null || !Files.exists(Path.of(options.hubPidFile()))) {
            return null;
        }
        long pid =
                Long.parseLong(Files.readString(Path.of(options.hubPidFile())).trim());
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : null;
    }

    /** The hub's used heap in bytes after a full GC, -1 without a pid. */
    private static long usedHeap(Long pid, String when) throws IOException, InterruptedException {
        if (pid == null) {
            return -1;
        }
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        long used = 0;
        while (m.find()) {
            used += Long.parseLong(m.group(1)) * 1024;
        }
        System.out.printf(Locale.ROOT, "notify-heap: hub heap used after full GC %s: %.1f MiB%n", when, mib(used));
        return used;
    }

    private static final Pattern HISTOGRAM_LINE =
            Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);

    /** Bytes per class on the hub's heap (live objects: the histogram is taken after a full GC). */
    private static Map<String, Long> histogram(long pid) throws IOException, InterruptedException {
        Map<String, Long> bytes = new java.util.HashMap<>();
        Matcher m = HISTOGRAM_LINE.matcher(jcmd(pid, "GC.class_histogram"));
        while (m.find()) {
            bytes.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
        }
        return bytes;
    }

    /** For the log: the classes whose live bytes grew most with {@code what}, per session. */
    private void growth(String what, Map<String, Long> before, Map<String, Long> after) {
        System.out.printf(Locale.ROOT, "notify-heap: live bytes per session added by %s, largest by class:%n", what);
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(12)
                .forEach(e -> System.out.printf(
                        Locale.ROOT,
                        "  %10.0f B  %s%n",
                        (double) e.getValue() / Math.max(1, options.sessions()),
                        e.getKey()));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }

    // ---- subscribing and binding ------------------------------------------------------------

    /** What a subscriber needs to bind: who, the token and where. */
    private record Binding(Identity who, String subscription, String token, String url) {}

    /** Creates the subscriber's Subscription on the care-document topic for these patients, and a binding token. */
    private Binding subscribe(Identity who, List<String> patients) throws IOException, InterruptedException {
        String filter = "Composition?patient="
                + patients.stream().map(p -> "Patient/" + p).collect(Collectors.joining(","));
        String subscription = """
                {"resourceType":"Subscription","status":"requested","reason":"負荷試験: 担当患者のケア文書",\
                "criteria":"%s","_criteria":{"extension":[{"url":"%sbackport-filter-criteria","valueString":"%s"}]},\
                "channel":{"extension":[{"url":"%sbackport-heartbeat-period","valueUnsignedInt":%d}],\
                "type":"websocket","payload":"application/fhir+json",\
                "_payload":{"extension":[{"url":"%sbackport-payload-content","valueCode":"id-only"}]}}}""".formatted(TOPIC, BACKPORT, filter, BACKPORT, HEARTBEAT_SECONDS, BACKPORT);
        HttpResponse<String> created = driver.send(
                HttpRequest.newBuilder(URI.create(options.base() + "/Subscription"))
                        .header("Content-Type", "application/fhir+json")
                        .header("Accept", "application/fhir+json")
                        .POST(HttpRequest.BodyPublishers.ofString(subscription, StandardCharsets.UTF_8)),
                who);
        LoadDriver.expect(created, 201);
        Matcher id = ID.matcher(created.body());
        if (!id.find()) {
            throw new IOException("no id in the created Subscription");
        }
        HttpResponse<String> binding = driver.send(
                HttpRequest.newBuilder(
                                URI.create(options.base() + "/Subscription/" + id.group(1) + "/$get-ws-binding-token"))
                        .header("Content-Type", "application/fhir+json")
                        .header("Accept", "application/fhir+json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"resourceType\":\"Parameters\"}", StandardCharsets.UTF_8)),
                who);
        LoadDriver.expect(binding, 200);
        Matcher token = TOKEN.matcher(binding.body());
        Matcher url = WEBSOCKET_URL.matcher(binding.body());
        if (!token.find() || !url.find()) {
            throw new IOException("no token or websocket-url in $get-ws-binding-token's answer: " + binding.body());
        }
        return new Binding(who, id.group(1), token.group(1), url.group(1));
    }

    /** Opens a socket per binding and binds it, {@value #OPENING} at a time, and waits for every handshake. */
    private List<Socket> bind(Binding[] bindings) throws Exception {
        long start = System.nanoTime();
        Semaphore opening = new Semaphore(OPENING);
        List<Socket> open = new ArrayList<>();
        List<CompletableFuture<Void>> handshakes = new ArrayList<>();
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < bindings.length; i++) {
            Socket socket = new Socket(i);
            open.add(socket);
            opening.acquire();
            String token = bindings[i].token();
            CompletableFuture<Void> done = sockets.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(URI.create(bindings[i].url()), socket)
                    .thenCompose(ws -> ws.sendText("bind-with-token: " + token, true))
                    .thenCompose(ws -> socket.handshake)
                    .orTimeout(60, TimeUnit.SECONDS)
                    .whenComplete((ok, e) -> {
                        opening.release();
                        if (e != null && failed.getAndIncrement() == 0) {
                            System.out.println("a socket failed to bind: " + e);
                        }
                    });
            handshakes.add(done);
        }
        try {
            CompletableFuture.allOf(handshakes.toArray(CompletableFuture[]::new))
                    .get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            close(open);
            throw new IOException(
                    failed.get() + " of " + bindings.length + " sockets failed to open or bind", e.getCause());
        }
        System.out.printf(
                Locale.ROOT,
                "%d sockets open and bound (handshake received) in %.1f s%n",
                open.size(),
                LoadDriver.seconds(start));
        return open;
    }

    private static void close(List<Socket> open) {
        for (Socket socket : open) {
            WebSocket ws = socket.webSocket;
            if (ws != null) {
                if (!ws.isOutputClosed()) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").exceptionally(e -> null);
                }
                ws.abort();
            }
        }
    }

    /** Whatever this run learned about one written Composition; updated under the map's lock for its id. */
    private static final class Delivery {
        int owner = -1;
        long sent;
        long answered;
        boolean measured;
        long received;
        int receivedBy = -1;
        int receipts;
        /** Wall-clock ms: the event's timestamp (the change recorded at the write's commit) and its arrival. */
        long committedMs;

        long receivedWallMs;

        Delivery sent(int owner, long sent, long answered, boolean measured) {
            this.owner = owner;
            this.sent = sent;
            this.answered = answered;
            this.measured = measured;
            return this;
        }

        Delivery received(int socket, long at, long committedMs, long receivedWallMs) {
            if (receipts++ == 0) {
                received = at;
                receivedBy = socket;
                this.committedMs = committedMs;
                this.receivedWallMs = receivedWallMs;
            }
            return this;
        }
    }

    /** One subscriber's socket: completes {@link #handshake} on the first handshake, records event arrivals. */
    private final class Socket implements WebSocket.Listener {
        final int index;
        final CompletableFuture<Void> handshake = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket webSocket;
        volatile String closed;

        Socket(int index) {
            this.index = index;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            this.webSocket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long at = System.nanoTime();
            long wallMs = System.currentTimeMillis();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                Matcher type = TYPE.matcher(text);
                String kind = type.find() ? type.group(1) : "";
                if (kind.equals("handshake")) {
                    handshake.complete(null);
                } else if (kind.equals("event-notification")) {
                    Matcher focus = FOCUS.matcher(text);
                    Matcher timestamp = TIMESTAMP.matcher(text);
                    while (focus.find()) {
                        long committed = timestamp.find()
                                ? java.time.OffsetDateTime.parse(timestamp.group(1))
                                        .toInstant()
                                        .toEpochMilli()
                                : 0;
                        deliveries.compute(
                                focus.group(1),
                                (id, d) -> (d == null ? new Delivery() : d).received(index, at, committed, wallMs));
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed = statusCode + " " + reason;
            handshake.completeExceptionally(new IOException("closed before the handshake: " + closed));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed = "error " + error;
            handshake.completeExceptionally(error);
        }
    }
}
