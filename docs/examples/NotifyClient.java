import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A complete Renkei notification client in one file, JDK 17 only (no libraries): the Subscriptions
 * Backport IG flow of docs/notifications.md.
 *
 * <pre>
 *   java docs/examples/NotifyClient.java --base http://127.0.0.1:8080/fhir --token "$ACCESS_TOKEN" \
 *        [--topic care-document] [--filter "Composition?patient=Patient/123"] [--content id-only] \
 *        [--heartbeat 30] [--subscription ID] [--since N] [--exit-after N]
 * </pre>
 *
 * 1. creates a Subscription (or reuses --subscription ID), 2. replays its events from --since with
 * $events (what was missed while away), 3. gets a binding token with $get-ws-binding-token, 4. opens the
 * WebSocket, sends "bind-with-token: …" and prints every notification (handshake, heartbeat,
 * event-notification) as one line: type, events-since-subscription-start, event numbers and focus.
 * Stops after --exit-after event notifications, or on Ctrl-C.
 */
public class NotifyClient {

    private static final String TOPICS = "http://renkei.example.jp/fhir/SubscriptionTopic/";
    private static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("--topic", "care-document", "--content", "id-only",
                "--heartbeat", "30", "--exit-after", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        String base = o.get("--base");
        String token = o.get("--token");
        if (base == null || token == null) {
            System.err.println("usage: java NotifyClient.java --base FHIR_BASE --token ACCESS_TOKEN [options]");
            System.exit(2);
        }

        // 1. the Subscription (R4 form of the Backport IG)
        String id = o.get("--subscription");
        if (id == null) {
            String filter = o.containsKey("--filter")
                    ? ",\"_criteria\":{\"extension\":[{\"url\":\"" + BACKPORT + "backport-filter-criteria\",\"valueString\":\""
                    + o.get("--filter") + "\"}]}" : "";
            String subscription = "{\"resourceType\":\"Subscription\",\"status\":\"requested\",\"reason\":\"NotifyClient\","
                    + "\"criteria\":\"" + TOPICS + o.get("--topic") + "\"" + filter + ","
                    + "\"channel\":{\"extension\":[{\"url\":\"" + BACKPORT + "backport-heartbeat-period\",\"valueUnsignedInt\":"
                    + o.get("--heartbeat") + "}],\"type\":\"websocket\",\"payload\":\"application/fhir+json\","
                    + "\"_payload\":{\"extension\":[{\"url\":\"" + BACKPORT + "backport-payload-content\",\"valueCode\":\""
                    + o.get("--content") + "\"}]}}}";
            String created = call("POST", base + "/Subscription", token, subscription);
            id = first(created, "\"id\"\\s*:\\s*\"([^\"]+)\"");
            System.out.println("subscription " + id);
        }

        // 2. what happened while we were away
        if (o.containsKey("--since")) {
            String missed = call("GET", base + "/Subscription/" + id + "/$events?eventsSinceNumber="
                    + URLEncoder.encode(o.get("--since"), StandardCharsets.UTF_8), token, null);
            System.out.println(summary(missed));
        }

        // 3. a binding token, valid no longer than the access token
        String binding = call("POST", base + "/Subscription/" + id + "/$get-ws-binding-token", token,
                "{\"resourceType\":\"Parameters\"}");
        String bindToken = first(binding, "\"name\"\\s*:\\s*\"token\"\\s*,\\s*\"valueString\"\\s*:\\s*\"([^\"]+)\"");
        String url = first(binding, "\"name\"\\s*:\\s*\"websocket-url\"\\s*,\\s*\"valueUrl\"\\s*:\\s*\"([^\"]+)\"");

        // 4. the socket
        int exitAfter = Integer.parseInt(o.get("--exit-after"));
        CountDownLatch done = new CountDownLatch(1);
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private int events;

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String line = summary(text.toString());
                    text.setLength(0);
                    System.out.println(line);
                    if (line.startsWith("event-notification") && ++events == exitAfter) {
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
        socket.sendText("bind-with-token: " + bindToken, true).join();
        done.await();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    /** "type events-since-start [number focus]…" of a notification Bundle. */
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

    private static String call(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/fhir+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/fhir+json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + " → " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("not found: " + regex);
        }
        return m.group(1);
    }
}
