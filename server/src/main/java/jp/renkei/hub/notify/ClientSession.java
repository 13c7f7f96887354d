package jp.renkei.hub.notify;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jp.renkei.hub.access.ActiveTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * One client's socket: the Subscriptions bound to it and its outgoing queue. Sending never blocks the
 * caller: messages wait in a bounded queue and go out one at a time through the container's
 * asynchronous send, so a slow or stuck client holds up nobody else. When its queue is full the
 * queued notifications are dropped (the client sees the gap in event numbers and replays them with
 * {@code $events}); a send that does not finish within the send timeout closes the socket.
 */
final class ClientSession {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    /**
     * A Subscription bound to this socket by its latest binding token: the FHIR base its URLs use, until when the
     * binding holds, the access token the binding token was issued for (null without checks), checked again while it
     * stays bound, and when it was last sent anything.
     */
    static final class Bound {
        final String base;
        final Instant expires;
        final ActiveTokens.Token access;
        volatile long lastSent;

        Bound(String base, Instant expires, ActiveTokens.Token access, long lastSent) {
            this.base = base;
            this.expires = expires;
            this.access = access;
            this.lastSent = lastSent;
        }
    }

    private final WebSocketSession session;
    private final Session nativeSession;
    private final int maxQueued;
    private volatile long unboundSince = System.currentTimeMillis();
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private boolean sending;
    private long dropped;

    ClientSession(WebSocketSession session, int maxQueued, long sendTimeoutMillis) {
        this.session = session;
        this.maxQueued = maxQueued;
        // the servlet container's (Jakarta) session: its asynchronous send is what keeps one client from holding up
        // others
        this.nativeSession = ((NativeWebSocketSession) session).getNativeSession(Session.class);
        nativeSession.getAsyncRemote().setSendTimeout(sendTimeoutMillis);
    }

    String id() {
        return session.getId();
    }

    /** Since when nothing is bound to this socket (its opening, or its last unbind). */
    long unboundSince() {
        return unboundSince;
    }

    /** Unbinds the Subscription; with {@code only}, just that binding of it (not one a re-bind put in its place). */
    boolean unbind(String subscription, Bound only) {
        boolean removed = only == null ? bound.remove(subscription) != null : bound.remove(subscription, only);
        if (removed && bound.isEmpty()) {
            unboundSince = System.currentTimeMillis();
        }
        return removed;
    }

    Map<String, Bound> bound() {
        return bound;
    }

    /** Binds the Subscription, or replaces its binding: a re-bind's expiry and access token are the ones that count. */
    void bind(String subscription, String base, Instant until, ActiveTokens.Token access) {
        bound.put(subscription, new Bound(base, until, access, System.currentTimeMillis()));
    }

    boolean isOpen() {
        return session.isOpen();
    }

    /** Queues a message; never waits for the client. */
    void send(String text) {
        send(text, null);
    }

    /** Queues a message; {@code onDelivered} runs once the client's connection took it. */
    void send(String text, Runnable onDelivered) {
        Outgoing first;
        synchronized (this) {
            if (queue.size() >= maxQueued) {
                if (dropped == 0) {
                    log.warn(
                            "WebSocket session {} is not keeping up: its queued notifications are dropped; "
                                    + "the client replays them with $events",
                            session.getId());
                }
                dropped += queue.size();
                queue.clear();
            }
            queue.add(new Outgoing(text, onDelivered));
            if (sending) {
                return;
            }
            sending = true;
            first = queue.poll();
        }
        transmit(first);
    }

    private record Outgoing(String text, Runnable onDelivered) {}

    private void transmit(Outgoing message) {
        String text = message.text();
        if (!session.isOpen()) {
            synchronized (this) {
                queue.clear();
                sending = false;
            }
            return;
        }
        SendHandler done = result -> sent(message, result.isOK());
        try {
            nativeSession.getAsyncRemote().sendText(text, done);
        } catch (RuntimeException e) {
            sent(message, false);
        }
    }

    private void sent(Outgoing message, boolean ok) {
        if (ok && message.onDelivered() != null) {
            try {
                message.onDelivered().run();
            } catch (RuntimeException e) {
                log.warn("Could not record a delivery on WebSocket session {}", session.getId(), e);
            }
        }
        if (!ok) {
            close(CloseStatus.SESSION_NOT_RELIABLE.withReason(
                    "通知を送れませんでした (could not deliver in time; reconnect and replay with $events)"));
            synchronized (this) {
                queue.clear();
                sending = false;
            }
            return;
        }
        Outgoing next;
        synchronized (this) {
            next = queue.poll();
            if (next == null) {
                sending = false;
                return;
            }
        }
        transmit(next);
    }

    void close(CloseStatus status) {
        try {
            if (session.isOpen()) {
                session.close(status);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Closing WebSocket session {} failed", session.getId(), e);
        }
    }
}
