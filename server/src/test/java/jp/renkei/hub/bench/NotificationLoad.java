package jp.renkei.hub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The notification benchmark of {@link LoadDriver} ({@code --ops notify,sessions}):
 * <ul>
 * <li>{@code notify} — one WebSocket subscriber per patient (a Subscription on the care-document topic
 *     filtered to that patient, bound on its own socket), then writers create care-record Compositions
 *     for random subscribed patients; the latency is from sending the POST (and from its 201) to the
 *     event notification naming that Composition arriving on the patient's socket.</li>
 * <li>{@code sessions} — opens and binds idle sockets, each with its own Subscription, and reads the
 *     hub's heap after a full GC before and with them ({@code jcmd} on the hub's process).</li>
 * </ul>
 */
final class NotificationLoad {

    /** What the driver lends: authenticated requests to the hub. */
    interface Hub {
        String base();

        HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException;
    }

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern FOCUS = Pattern.compile("\"focus\"\\s*,\\s*\"valueReference\"\\s*:\\s*\\{\\s*\"reference\"\\s*:\\s*\"[^\"]*/Composition/([^\"/]+)\"");
    private static final Pattern LOCATION = Pattern.compile("/Composition/([^/]+)/_history/");
    private static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";

    private final Hub hub;
    private final String practitionerRole;
    private final HttpClient sockets = HttpClient.newHttpClient();

    NotificationLoad(Hub hub, String practitionerRole) {
        this.hub = hub;
        this.practitionerRole = practitionerRole;
    }

    /** Latencies of one measured notify run, in nanoseconds; {@code missed} never arrived. */
    record Latencies(List<Long> fromSend, List<Long> fromAck, int writes, int missed, int errors, double seconds) {
    }

    Latencies latency(List<String> patients, int writers, int warmup, int duration) throws Exception {
        Map<String, long[]> sent = new ConcurrentHashMap<>();
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        List<Long> fromSend = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> fromAck = java.util.Collections.synchronizedList(new ArrayList<>());
        Measuring measuring = new Measuring();
        List<WebSocket> open = new ArrayList<>();
        long setup = System.nanoTime();
        parallel(patients.size(), i -> {
            String subscription = subscribe(patients.get(i));
            String[] binding = bindingToken(subscription);
            CountDownLatch handshake = new CountDownLatch(1);
            WebSocket socket = sockets.newWebSocketBuilder().buildAsync(URI.create(binding[1]), new Listener(text -> {
                if (text.contains("\"handshake\"")) {
                    handshake.countDown();
                    return;
                }
                Matcher focus = FOCUS.matcher(text);
                if (focus.find()) {
                    long now = System.nanoTime();
                    String id = focus.group(1);
                    long[] times = sent.remove(id);
                    if (times == null) {
                        arrived.put(id, now);
                    } else if (times[2] == 1) {
                        fromSend.add(now - times[0]);
                        fromAck.add(Math.max(0, now - times[1]));
                    }
                }
            })).join();
            socket.sendText("bind-with-token: " + binding[0], true).join();
            if (!handshake.await(30, TimeUnit.SECONDS)) {
                throw new IOException("no handshake for Subscription " + subscription);
            }
            synchronized (open) {
                open.add(socket);
            }
        });
        System.out.printf(Locale.ROOT, "notify: %d subscribers bound in %.1f s%n", patients.size(), (System.nanoTime() - setup) / 1e9);

        int[] errors = new int[1];
        int[] writes = new int[1];
        for (boolean measured : new boolean[] {false, true}) {
            int seconds = measured ? duration : warmup;
            System.out.printf(Locale.ROOT, "notify: %s %d s%n", measured ? "measuring" : "warm-up", seconds);
            measuring.on = measured;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Thread writer = new Thread(() -> {
                    while (System.nanoTime() < end) {
                        String patient = patients.get(ThreadLocalRandom.current().nextInt(patients.size()));
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> response = hub.send(post("/Composition", composition(patient)));
                            long t1 = System.nanoTime();
                            Matcher m = LOCATION.matcher(response.headers().firstValue("Location").orElse(""));
                            if (response.statusCode() != 201 || !m.find()) {
                                synchronized (errors) {
                                    errors[0]++;
                                }
                                continue;
                            }
                            boolean counted = measuring.on;
                            String id = m.group(1);
                            Long early = arrived.remove(id);
                            if (early != null) {
                                if (counted) {
                                    fromSend.add(early - t0);
                                    fromAck.add(0L);
                                }
                            } else {
                                sent.put(id, new long[] {t0, t1, counted ? 1 : 0});
                                // the event may have arrived between the response and the put
                                Long late = arrived.remove(id);
                                if (late != null && sent.remove(id) != null && counted) {
                                    fromSend.add(late - t0);
                                    fromAck.add(Math.max(0, late - t1));
                                }
                            }
                            if (counted) {
                                synchronized (writes) {
                                    writes[0]++;
                                }
                            }
                        } catch (IOException e) {
                            synchronized (errors) {
                                errors[0]++;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                writer.start();
                threads.add(writer);
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        long waitUntil = System.nanoTime() + 10_000_000_000L;
        while (sent.values().stream().anyMatch(t -> t[2] == 1) && System.nanoTime() < waitUntil) {
            Thread.sleep(100);
        }
        int missed = (int) sent.values().stream().filter(t -> t[2] == 1).count();
        open.forEach(s -> s.abort());
        return new Latencies(List.copyOf(fromSend), List.copyOf(fromAck), writes[0], missed, errors[0], duration);
    }

    /** Heap of the hub after a full GC, without and with {@code count} idle bound sessions. */
    String sessions(List<String> patients, int count) throws Exception {
        long pid = hubPid();
        long before = heapAfterGc(pid);
        List<WebSocket> open = java.util.Collections.synchronizedList(new ArrayList<>());
        long setup = System.nanoTime();
        parallel(count, i -> {
            String subscription = subscribe(patients.get(i % patients.size()));
            String[] binding = bindingToken(subscription);
            CountDownLatch handshake = new CountDownLatch(1);
            WebSocket socket = sockets.newWebSocketBuilder().buildAsync(URI.create(binding[1]), new Listener(text -> {
                if (text.contains("\"handshake\"")) {
                    handshake.countDown();
                }
            })).join();
            socket.sendText("bind-with-token: " + binding[0], true).join();
            if (!handshake.await(60, TimeUnit.SECONDS)) {
                throw new IOException("no handshake for Subscription " + subscription);
            }
            open.add(socket);
            if (open.size() % 1000 == 0) {
                System.out.printf(Locale.ROOT, "sessions: %d bound%n", open.size());
            }
        });
        System.out.printf(Locale.ROOT, "sessions: %d bound in %.1f s%n", open.size(), (System.nanoTime() - setup) / 1e9);
        Thread.sleep(3000);
        long with = heapAfterGc(pid);
        open.forEach(WebSocket::abort);
        double perSession = (with - before) / (double) count;
        return String.format(Locale.ROOT, "| idle bound sessions | hub heap after full GC, before (MiB) | with them (MiB) | per session (KiB) |%n"
                        + "|---:|---:|---:|---:|%n| %d | %.0f | %.0f | %.1f |%n",
                count, before / 1048576.0, with / 1048576.0, perSession / 1024.0);
    }

    private String subscribe(String patient) throws IOException, InterruptedException {
        String body = "{\"resourceType\":\"Subscription\",\"status\":\"requested\",\"reason\":\"負荷試験\","
                + "\"criteria\":\"http://renkei.example.jp/fhir/SubscriptionTopic/care-document\","
                + "\"_criteria\":{\"extension\":[{\"url\":\"" + BACKPORT + "backport-filter-criteria\","
                + "\"valueString\":\"Composition?patient=Patient/" + patient + "\"}]},"
                + "\"channel\":{\"type\":\"websocket\",\"payload\":\"application/fhir+json\",\"_payload\":{\"extension\":"
                + "[{\"url\":\"" + BACKPORT + "backport-payload-content\",\"valueCode\":\"id-only\"}]}}}";
        HttpResponse<String> created = hub.send(post("/Subscription", body));
        if (created.statusCode() != 201) {
            throw new IOException("Subscription: HTTP " + created.statusCode() + " " + created.body());
        }
        Matcher m = ID.matcher(created.body());
        if (!m.find()) {
            throw new IOException("no id in the created Subscription");
        }
        return m.group(1);
    }

    /** {token, websocket-url} */
    private String[] bindingToken(String subscription) throws IOException, InterruptedException {
        HttpResponse<String> r = hub.send(post("/Subscription/" + subscription + "/$get-ws-binding-token",
                "{\"resourceType\":\"Parameters\"}"));
        if (r.statusCode() != 200) {
            throw new IOException("$get-ws-binding-token: HTTP " + r.statusCode() + " " + r.body());
        }
        return new String[] {value(r.body(), "token", "valueString"), value(r.body(), "websocket-url", "valueUrl")};
    }

    private static String value(String parameters, String name, String type) throws IOException {
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"" + name + "\"\\s*,\\s*\"" + type + "\"\\s*:\\s*\"([^\"]+)\"").matcher(parameters);
        if (!m.find()) {
            throw new IOException("no " + name + " in " + parameters);
        }
        return m.group(1);
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(hub.base() + path)).header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    private String composition(String patient) {
        String now = OffsetDateTime.now(ZoneOffset.ofHours(9)).withNano(0).toString();
        return """
                {"resourceType":"Composition","status":"final",\
                "type":{"coding":[{"system":"http://renkei.example.jp/fhir/CodeSystem/care-document","code":"care-record"}]},\
                "subject":{"reference":"Patient/%s"},"date":"%s","author":[{"reference":"PractitionerRole/%s"}],\
                "title":"介護記録"}""".formatted(patient, now, practitionerRole);
    }

    /** The hub's process id, found by its jar among this machine's JVMs. */
    private static long hubPid() throws IOException, InterruptedException {
        for (String line : jcmd("-l").split("\n")) {
            if (line.contains("renkei-server")) {
                return Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no renkei-server JVM in jcmd -l");
    }

    private static long heapAfterGc(long pid) throws IOException, InterruptedException {
        jcmd(pid + " GC.run");
        Thread.sleep(1000);
        jcmd(pid + " GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd(pid + " GC.heap_info"));
        if (!used.find()) {
            throw new IOException("no heap use in jcmd GC.heap_info");
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    private static String jcmd(String args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        command.addAll(List.of(args.split(" ")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private interface Work {
        void run(int i) throws Exception;
    }

    private static void parallel(int count, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    work.run(n);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static final class Measuring {
        volatile boolean on;
    }

    /** Collects whole text messages and hands each on. */
    private static final class Listener implements WebSocket.Listener {
        private final java.util.function.Consumer<String> onMessage;
        private final StringBuilder partial = new StringBuilder();

        Listener(java.util.function.Consumer<String> onMessage) {
            this.onMessage = onMessage;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                onMessage.accept(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }
}
