package jp.renkei.hub.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/**
 * A real WebSocket client (the JDK's) on the hub's notification socket: collects every text message
 * and how the socket closed. {@link #stall()} stops taking messages, as a stuck client would.
 */
public final class SocketClient implements WebSocket.Listener, AutoCloseable {

    /** How the server closed the socket. */
    public record Closed(int code, String reason) {}

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean stalled;
    private final WebSocket socket;

    public SocketClient(String url) {
        this(url, null);
    }

    /** Opened as a browser page of {@code origin} would open it (none: as a client that is not a browser). */
    public SocketClient(String url, String origin) {
        WebSocket.Builder builder =
                HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            builder.header("Origin", origin);
        }
        this.socket = builder.buildAsync(URI.create(url), this).join();
    }

    /** A socket bound with the answer of {@code $get-ws-binding-token}, its handshake already read. */
    public static SocketClient bound(Parameters binding, long millis) throws InterruptedException {
        SocketClient socket = new SocketClient(Notifications.value(binding, "websocket-url"));
        socket.bind(Notifications.value(binding, "token"));
        Bundle handshake = socket.next(millis);
        org.assertj.core.api.Assertions.assertThat(handshake).as("handshake").isNotNull();
        org.assertj.core.api.Assertions.assertThat(Notifications.type(handshake))
                .isEqualTo("handshake");
        return socket;
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void bind(String token) {
        send("bind-with-token: " + token);
    }

    void stall() {
        stalled = true;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        if (!stalled) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error)));
    }

    /** The next notification Bundle, or null when none comes within the time. */
    public Bundle next(long millis) throws InterruptedException {
        String text = messages.poll(millis, TimeUnit.MILLISECONDS);
        return text == null ? null : Notifications.JSON.parseResource(Bundle.class, text);
    }

    /** The next notification that is not a heartbeat. */
    public Bundle nextNotHeartbeat(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < until) {
            Bundle bundle = next(Math.max(1, until - System.currentTimeMillis()));
            if (bundle != null && !"heartbeat".equals(Notifications.type(bundle))) {
                return bundle;
            }
        }
        return null;
    }

    public Closed awaitClose(long millis) throws Exception {
        return closed.get(millis, TimeUnit.MILLISECONDS);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    static String parameter(Parameters parameters, String name) {
        return ((StringType) parameters.getParameter(name).getValue()).getValue();
    }
}
