package jp.renkei.hub.notify;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import jp.renkei.hub.access.ActiveTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The hub's WebSocket endpoint ({@code /notifications}) as the Subscriptions Backport IG's websocket
 * channel: the client connects, sends {@code bind-with-token: <token>} with a token from
 * {@code $get-ws-binding-token}, gets a handshake per bound Subscription, then heartbeats and event
 * notifications. The socket itself carries no other authority: a socket not bound within
 * {@code renkei.notify.bind-timeout}, whose binding token expired without a new bind, or whose owner's access
 * ended at the token issuer (signed out, disabled, deleted: {@link ActiveTokens}) is closed. A binding token
 * binds one socket once.
 */
public class NotificationSocket extends TextWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(NotificationSocket.class);
    static final String BIND = "bind-with-token";
    static final String UNBIND = "unbind-with-token";

    private final BindingTokens tokens;
    private final Subscriptions subscriptions;
    private final EventLog events;
    private final NotificationBundles bundles;
    private final NotifyProperties properties;
    private final ActiveTokens activeTokens;
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, Set<ClientSession>> bySubscription = new ConcurrentHashMap<>();

    NotificationSocket(BindingTokens tokens, Subscriptions subscriptions, EventLog events, NotificationBundles bundles,
                       NotifyProperties properties, ActiveTokens activeTokens) {
        this.tokens = tokens;
        this.activeTokens = activeTokens;
        this.subscriptions = subscriptions;
        this.events = events;
        this.bundles = bundles;
        this.properties = properties;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        session.setTextMessageSizeLimit((int) properties.maxMessage().toBytes());
        sessions.put(session.getId(), new ClientSession(session, properties.sessionQueue(), properties.sendTimeout().toMillis()));
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        ClientSession client = sessions.get(session.getId());
        if (client == null) {
            return;
        }
        String text = message.getPayload().trim();
        if (text.startsWith(BIND)) {
            bind(client, argument(text, BIND));
        } else if (text.startsWith(UNBIND)) {
            unbind(client, argument(text, UNBIND));
        } else {
            client.close(CloseStatus.POLICY_VIOLATION.withReason("unknown message; send bind-with-token: <token>"));
        }
    }

    /** The IG's diagrams write both {@code bind-with-token: <token>} and {@code bind-with-token <token>}. */
    private static String argument(String text, String command) {
        String rest = text.substring(command.length());
        return (rest.startsWith(":") ? rest.substring(1) : rest).trim();
    }

    private void bind(ClientSession client, String token) {
        Instant now = Instant.now();
        BindingTokens.Binding binding = tokens.take(token, client.id(), now);
        if (binding == null) {
            client.close(CloseStatus.POLICY_VIOLATION.withReason(
                    "binding token unknown, expired or already used; get a new one with $get-ws-binding-token"));
            return;
        }
        for (String id : binding.subscriptions()) {
            Subscriptions.Entry subscription = subscriptions.get(id);
            if (subscription == null || !subscription.owner().equals(binding.owner())) {
                continue;
            }
            subscriptions.refreshClaims(id, binding.claims());
            client.bind(id, binding.base(), binding.expires(), binding.access());
            bySubscription.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(client);
            client.send(bundles.json(subscription, NotificationBundles.Type.HANDSHAKE, events.count(id), List.of(),
                    binding.base(), Bundle.BundleType.HISTORY));
        }
    }

    private void unbind(ClientSession client, String token) {
        BindingTokens.Binding binding = tokens.takeOrOwn(token, client.id(), Instant.now());
        if (binding == null) {
            return;
        }
        for (String id : binding.subscriptions()) {
            client.unbind(id);
            Set<ClientSession> clients = bySubscription.get(id);
            if (clients != null) {
                clients.remove(client);
            }
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("WebSocket transport error on session {}", session.getId(), exception);
        ClientSession client = sessions.get(session.getId());
        if (client != null) {
            client.close(CloseStatus.SERVER_ERROR);
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        ClientSession client = sessions.remove(session.getId());
        if (client != null) {
            client.bound().keySet().forEach(id -> {
                Set<ClientSession> clients = bySubscription.get(id);
                if (clients != null) {
                    clients.remove(client);
                }
            });
        }
    }

    /** Sends to every socket bound to the Subscription; {@code message} builds the text for a socket's FHIR base. */
    void deliver(String subscription, Function<String, String> message, Runnable onDelivered) {
        Set<ClientSession> clients = bySubscription.get(subscription);
        if (clients == null || clients.isEmpty()) {
            return;
        }
        Map<String, String> byBase = new java.util.HashMap<>();
        long now = System.currentTimeMillis();
        for (ClientSession client : clients) {
            ClientSession.Bound bound = client.bound().get(subscription);
            if (bound != null) {
                bound.lastSent = now;
                client.send(byBase.computeIfAbsent(bound.base, message), onDelivered);
            }
        }
    }

    /** A deleted Subscription: its sockets stop hearing of it. */
    void forget(String subscription) {
        Set<ClientSession> clients = bySubscription.remove(subscription);
        if (clients != null) {
            clients.forEach(c -> c.unbind(subscription));
        }
    }

    /**
     * Runs every second: closes sockets that never bound, whose binding expired or whose owner's access ended,
     * sends heartbeats to bound Subscriptions that asked for them and have been quiet for their period.
     */
    void tick() {
        Instant now = Instant.now();
        long millis = now.toEpochMilli();
        for (ClientSession client : sessions.values()) {
            if (client.bound().isEmpty()) {
                if (millis - client.unboundSince() >= properties.bindTimeout().toMillis()) {
                    client.close(CloseStatus.POLICY_VIOLATION.withReason("no bind-with-token within "
                            + properties.bindTimeout().toSeconds() + " s"));
                }
                continue;
            }
            if (client.expires() != null && !client.expires().isAfter(now)) {
                client.close(CloseStatus.POLICY_VIOLATION.withReason("binding token expired; bind again with a new token"));
                continue;
            }
            CloseStatus ended = accessEnded(client);
            if (ended != null) {
                client.close(ended);
                continue;
            }
            for (Map.Entry<String, ClientSession.Bound> entry : client.bound().entrySet()) {
                Subscriptions.Entry subscription = subscriptions.get(entry.getKey());
                ClientSession.Bound bound = entry.getValue();
                if (subscription != null && subscription.spec().heartbeatSeconds() > 0
                        && millis - bound.lastSent >= subscription.spec().heartbeatSeconds() * 1000L) {
                    bound.lastSent = millis;
                    client.send(bundles.json(subscription, NotificationBundles.Type.HEARTBEAT,
                            events.count(subscription.id()), List.of(), bound.base, Bundle.BundleType.HISTORY));
                }
            }
        }
        tokens.purgeExpired(now);
    }

    /**
     * How to close a socket whose owner may no longer listen: their access ended at the issuer, or it could not be
     * confirmed for longer than the limit; null while it stands. Asks nothing itself, so the tick never waits.
     */
    private CloseStatus accessEnded(ClientSession client) {
        for (ClientSession.Bound bound : client.bound().values()) {
            ActiveTokens.Status status = activeTokens.peek(bound.access);
            if (status == ActiveTokens.Status.ENDED) {
                return CloseStatus.POLICY_VIOLATION.withReason("アクセスが終了しました (access ended: signed out, disabled or deleted)");
            }
            if (status == ActiveTokens.Status.UNCONFIRMED) {
                return CloseStatus.SERVICE_OVERLOAD.withReason("アクセスを確認できません (access not confirmed by the token issuer; reconnect later)");
            }
        }
        return null;
    }

    /** Sockets open now (for the benchmark and health). */
    int openSessions() {
        return sessions.size();
    }
}
