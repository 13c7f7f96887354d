import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A complete Renkei notification client in one file, JDK 17 only (no libraries): the Subscriptions
 * Backport IG flow of docs/notifications.md.
 *
 * <pre>
 *   java docs/examples/NotifyClient.java --base http://127.0.0.1:8080/fhir --token "$ACCESS_TOKEN" \
 *        [--refresh-token "$REFRESH_TOKEN" --token-url URL [--client-id renkei-web]] \
 *        [--topic care-document] [--filter "Composition?patient=Patient/123"] [--content id-only] \
 *        [--heartbeat 30] [--subscription ID] [--since N] [--exit-after N]
 * </pre>
 *
 * 1. creates a Subscription (or reuses --subscription ID), 2. replays its events from --since with
 * $events (what was missed while away), 3. gets a binding token with $get-ws-binding-token, 4. opens the
 * WebSocket, sends "bind-with-token: …" and prints every notification (handshake, heartbeat,
 * event-notification) as one line: type, events-since-subscription-start, event numbers and focus.
 * 5. Before the binding token expires it gets a new one (with a fresh access token from the refresh_token
 * grant at --token-url, when given) and sends bind-with-token again on the same socket: the hub answers
 * with a handshake and goes on sending, nothing lost and nothing twice. 6. An event number that skips, or a
 * handshake or heartbeat counting more events than were seen, is filled in with $events; an event already
 * seen is reported as a duplicate and not handled again. Without --refresh-token the socket lasts as long
 * as the access token. Stops after --exit-after event notifications, when the hub closes the socket, or on Ctrl-C.
 */
public class NotifyClient {

    private static final String TOPICS = "http://renkei.example.jp/fhir/SubscriptionTopic/";
    private static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, String> options;
    private final String base;
    private String accessToken;
    private String refreshToken;
    private String id;
    /** The last event number handled; -1 until the first handshake says where the stream stands. */
    private long last = -1;
    private int events;

    private NotifyClient(Map<String, String> options) {
        this.options = options;
        this.base = options.get("--base");
        this.accessToken = options.get("--token");
        this.refreshToken = options.get("--refresh-token");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("--topic", "care-document", "--content", "id-only",
                "--heartbeat", "30", "--exit-after", "0", "--client-id", "renkei-web"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        boolean refreshable = o.containsKey("--refresh-token") && o.containsKey("--token-url");
        if (o.get("--base") == null || (o.get("--token") == null && !refreshable)) {
            System.err.println("usage: java NotifyClient.java --base FHIR_BASE (--token ACCESS_TOKEN | --refresh-token R --token-url URL) [options]");
            System.exit(2);
        }
        new NotifyClient(o).run();
    }

    private void run() throws Exception {
        if (accessToken == null) {
            refreshAccessToken();
        }
        // 1. the Subscription (R4 form of the Backport IG)
        id = options.get("--subscription");
        if (id == null) {
            String filter = options.containsKey("--filter")
                    ? ",\"_criteria\":{\"extension\":[{\"url\":\"" + BACKPORT + "backport-filter-criteria\",\"valueString\":\""
                    + options.get("--filter") + "\"}]}" : "";
            String subscription = "{\"resourceType\":\"Subscription\",\"status\":\"requested\",\"reason\":\"NotifyClient\","
                    + "\"criteria\":\"" + TOPICS + options.get("--topic") + "\"" + filter + ","
                    + "\"channel\":{\"extension\":[{\"url\":\"" + BACKPORT + "backport-heartbeat-period\",\"valueUnsignedInt\":"
                    + options.get("--heartbeat") + "}],\"type\":\"websocket\",\"payload\":\"application/fhir+json\","
                    + "\"_payload\":{\"extension\":[{\"url\":\"" + BACKPORT + "backport-payload-content\",\"valueCode\":\""
                    + options.get("--content") + "\"}]}}}";
            String created = call("POST", base + "/Subscription", subscription);
            id = first(created, "\"id\"\\s*:\\s*\"([^\"]+)\"");
            System.out.println("subscription " + id);
        }

        // 2. what happened while we were away
        if (options.containsKey("--since")) {
            synchronized (this) {
                last = Long.parseLong(options.get("--since")) - 1;
                replay(last + 1, Long.MAX_VALUE);
            }
        }

        // 3. a binding token, valid no longer than the access token
        Binding binding = bindingToken();

        // 4. the socket
        int exitAfter = Integer.parseInt(options.get("--exit-after"));
        CountDownLatch done = new CountDownLatch(1);
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(URI.create(binding.url()), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean lastPart) {
                text.append(data);
                if (lastPart) {
                    String message = text.toString();
                    text.setLength(0);
                    if (received(message) == exitAfter && exitAfter > 0) {
                        done.countDown();
                    }
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                System.out.println("closed " + status + " " + reason);
                done.countDown();
                return null;
            }
        }).join();
        bind(socket, binding);

        // 5. renew the binding before it expires, on the same socket
        while (!done.await(Math.max(1, Duration.between(Instant.now(), binding.renewAt()).toMillis()), TimeUnit.MILLISECONDS)) {
            if (refreshToken != null && options.containsKey("--token-url")) {
                refreshAccessToken();
            }
            Binding renewed = bindingToken();
            if (!renewed.expires().isAfter(binding.expires())) {
                System.out.println("cannot renew: the access token expires at " + binding.expires()
                        + "; give --refresh-token and --token-url to keep listening");
                done.await();
                break;
            }
            // the IG: a client connects anew only when the websocket-url changed; this hub's does not
            binding = renewed;
            bind(socket, binding);
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null).join();
    }

    private void bind(WebSocket socket, Binding binding) {
        socket.sendText("bind-with-token: " + binding.token(), true).join();
        System.out.println("bound until " + binding.expires());
    }

    /** Handles one notification; returns the number of event notifications handled so far. */
    private synchronized int received(String bundle) {
        String type = first(bundle, "\"name\"\\s*:\\s*\"type\"\\s*,\\s*\"valueCode\"\\s*:\\s*\"([^\"]+)\"");
        long count = Long.parseLong(first(bundle, "\"events-since-subscription-start\"\\s*,\\s*\"valueString\"\\s*:\\s*\"(\\d+)\""));
        if (type.equals("event-notification")) {
            long number = numbers(bundle).get(0);
            if (last >= 0 && number <= last) {
                System.out.println("duplicate #" + number);
                return events;
            }
            if (last >= 0 && number > last + 1) {
                replay(last + 1, number - 1);
            }
            System.out.println(summary(bundle));
            last = number;
            events++;
        } else {
            System.out.println(summary(bundle));
            if (last < 0) {
                last = count;
            } else if (count > last) {
                replay(last + 1, count);
            }
        }
        return events;
    }

    /** Events {@code from}..{@code to} (as far as they exist) with $events, a page at a time. */
    private void replay(long from, long to) {
        while (from <= to) {
            String page = call("GET", base + "/Subscription/" + id + "/$events?eventsSinceNumber=" + from
                    + (to == Long.MAX_VALUE ? "" : "&eventsUntilNumber=" + to), null);
            List<Long> numbers = numbers(page);
            System.out.println(summary(page));
            if (numbers.isEmpty()) {
                return;
            }
            last = Math.max(last, numbers.get(numbers.size() - 1));
            from = last + 1;
        }
    }

    /** A binding token, the socket's URL, and when to renew it: a minute before it ends, or halfway through a shorter life. */
    private record Binding(String token, String url, Instant expires, Instant renewAt) {
    }

    private Binding bindingToken() {
        Instant asked = Instant.now();
        String answer = call("POST", base + "/Subscription/" + id + "/$get-ws-binding-token", "{\"resourceType\":\"Parameters\"}");
        Instant expires = OffsetDateTime.parse(first(answer,
                "\"name\"\\s*:\\s*\"expiration\"\\s*,\\s*\"valueDateTime\"\\s*:\\s*\"([^\"]+)\"")).toInstant();
        Duration margin = Duration.between(asked, expires).dividedBy(2);
        if (margin.compareTo(Duration.ofMinutes(1)) > 0) {
            margin = Duration.ofMinutes(1);
        }
        return new Binding(first(answer, "\"name\"\\s*:\\s*\"token\"\\s*,\\s*\"valueString\"\\s*:\\s*\"([^\"]+)\""),
                first(answer, "\"name\"\\s*:\\s*\"websocket-url\"\\s*,\\s*\"valueUrl\"\\s*:\\s*\"([^\"]+)\""),
                expires, expires.minus(margin));
    }

    /** OAuth 2.0 refresh_token grant (RFC 6749 §6), as Keycloak's token endpoint answers it. */
    private void refreshAccessToken() {
        String form = "grant_type=refresh_token&refresh_token=" + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8)
                + "&client_id=" + URLEncoder.encode(options.get("--client-id"), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(options.get("--token-url")))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build();
        String answer = send(request);
        accessToken = first(answer, "\"access_token\"\\s*:\\s*\"([^\"]+)\"");
        Matcher rotated = Pattern.compile("\"refresh_token\"\\s*:\\s*\"([^\"]+)\"").matcher(answer);
        if (rotated.find()) {
            refreshToken = rotated.group(1);
        }
    }

    /** "type events-since-start [#number focus]…" of a notification Bundle. */
    static String summary(String bundle) {
        StringBuilder out = new StringBuilder(first(bundle, "\"name\"\\s*:\\s*\"type\"\\s*,\\s*\"valueCode\"\\s*:\\s*\"([^\"]+)\""));
        out.append(' ').append(first(bundle, "\"events-since-subscription-start\"\\s*,\\s*\"valueString\"\\s*:\\s*\"([^\"]+)\""));
        Matcher events = Pattern.compile("\"event-number\"\\s*,\\s*\"valueString\"\\s*:\\s*\"(\\d+)\"([^\\]]*?\"name\"\\s*:\\s*\"focus\""
                + "\\s*,\\s*\"valueReference\"\\s*:\\s*\\{\\s*\"reference\"\\s*:\\s*\"([^\"]+)\")?", Pattern.DOTALL).matcher(bundle);
        while (events.find()) {
            out.append(" #").append(events.group(1));
            if (events.group(3) != null) {
                out.append(' ').append(events.group(3));
            }
        }
        return out.toString();
    }

    private static List<Long> numbers(String bundle) {
        List<Long> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"event-number\"\\s*,\\s*\"valueString\"\\s*:\\s*\"(\\d+)\"").matcher(bundle);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    private String call(String method, String url, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + accessToken)
                .header("Accept", "application/fhir+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/fhir+json");
        }
        return send(request.build());
    }

    private static String send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " → " + response.statusCode() + " "
                        + response.body());
            }
            return response.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("not found: " + regex);
        }
        return m.group(1);
    }
}
