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
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.WebSocketSession;

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
     * A Subscription bound to this socket: the FHIR base its URLs use, when it was last sent anything, and the
     * access token its binding token was issued for (null without checks), checked again while it stays bound.
     */
    static final class Bound {
        final String base;
        final ActiveTokens.Token access;
        volatile long lastSent;

        Bound(String base, ActiveTokens.Token access, long lastSent) {
            this.base = base;
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
    private volatile Instant expires;

    ClientSession(WebSocketSession session, int maxQueued, long sendTimeoutMillis) {
        this.session = session;
        this.maxQueued = maxQueued;
        // the servlet container's (Jakarta) session: its asynchronous send is what keeps one client from holding up others
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

    void unbind(String subscription) {
        if (bound.remove(subscription) != null && bound.isEmpty()) {
            unboundSince = System.currentTimeMillis();
        }
    }

    Map<String, Bound> bound() {
        return bound;
    }

    Instant expires() {
        return expires;
    }

    void bind(String subscription, String base, Instant until, ActiveTokens.Token access) {
        bound.put(subscription, new Bound(base, access, System.currentTimeMillis()));
        if (expires == null || until.isAfter(expires)) {
            expires = until;
        }
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
                    log.warn("WebSocket session {} is not keeping up: its queued notifications are dropped; "
                            + "the client replays them with $events", session.getId());
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

    private record Outgoing(String text, Runnable onDelivered) {
    }

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
            close(CloseStatus.SESSION_NOT_RELIABLE.withReason("通知を送れませんでした (could not deliver in time; reconnect and replay with $events)"));
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
