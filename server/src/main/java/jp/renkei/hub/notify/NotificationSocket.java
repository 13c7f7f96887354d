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
 * notifications. Before a binding expires the client sends {@code bind-with-token} again with a fresh token on
 * the same socket: that binding replaces the one before for its Subscriptions (their expiry and the access token
 * checked are the new ones), with a handshake per Subscription again and nothing lost or sent twice. The socket
 * itself carries no other authority: each Subscription is sent nothing once its latest binding expired; a
 * socket not bound within {@code renkei.notify.bind-timeout}, left with nothing bound because its bindings
 * expired, or whose owner's access ended at the token issuer (signed out, disabled, deleted: {@link ActiveTokens})
 * is closed. A binding token binds one socket once.
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
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    /**
     * One Subscription's sockets and the number of its last event handed to them, changed together under the channel's
     * lock: a handshake, sent under the same lock, counts exactly the events its socket was sent before it (or, on a
     * first bind, all it will not be sent), so a client that replays from a handshake's count never gets an event twice.
     */
    private static final class Channel {
        final Set<ClientSession> clients = ConcurrentHashMap.newKeySet();
        /** -1: not known yet (no bind or event since the hub started). */
        volatile long published = -1;
    }

    NotificationSocket(
            BindingTokens tokens,
            Subscriptions subscriptions,
            EventLog events,
            NotificationBundles bundles,
            NotifyProperties properties,
            ActiveTokens activeTokens) {
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
        sessions.put(
                session.getId(),
                new ClientSession(
                        session,
                        properties.sessionQueue(),
                        properties.sendTimeout().toMillis()));
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
            Channel channel = channel(id);
            synchronized (channel) {
                client.bind(id, binding.base(), binding.expires(), binding.access());
                channel.clients.add(client);
                client.send(bundles.json(
                        subscription,
                        NotificationBundles.Type.HANDSHAKE,
                        published(channel, id),
                        List.of(),
                        binding.base(),
                        Bundle.BundleType.HISTORY));
            }
        }
    }

    private Channel channel(String subscription) {
        return channels.computeIfAbsent(subscription, k -> new Channel());
    }

    /** The channel's last event number; at first the stored count (under the channel's lock). */
    private long published(Channel channel, String subscription) {
        if (channel.published < 0) {
            channel.published = events.count(subscription);
        }
        return channel.published;
    }

    /**
     * Called by the dispatcher when it is about to number the Subscription's next events, {@code count} being the
     * number stored so far: from now on a handshake counts only what was handed to the sockets, not events numbered
     * but not yet pushed.
     */
    void numbering(String subscription, long count) {
        Channel channel = channel(subscription);
        synchronized (channel) {
            if (channel.published < 0) {
                channel.published = count;
            }
        }
    }

    private void unbind(ClientSession client, String token) {
        BindingTokens.Binding binding = tokens.takeOrOwn(token, client.id(), Instant.now());
        if (binding == null) {
            return;
        }
        for (String id : binding.subscriptions()) {
            unbind(client, id, null);
        }
    }

    /** Unbinds the Subscription from the socket; with {@code only}, unless a re-bind has replaced that binding meanwhile. */
    private void unbind(ClientSession client, String subscription, ClientSession.Bound only) {
        Channel channel = channels.get(subscription);
        if (channel == null) {
            client.unbind(subscription, only);
            return;
        }
        synchronized (channel) {
            if (client.unbind(subscription, only)) {
                channel.clients.remove(client);
            }
        }
    }

    /** Events up to {@code count} will not be pushed (again): handshakes and heartbeats may count them. */
    void caughtUp(String subscription, long count) {
        Channel channel = channel(subscription);
        synchronized (channel) {
            channel.published = Math.max(channel.published, count);
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
                Channel channel = channels.get(id);
                if (channel != null) {
                    channel.clients.remove(client);
                }
            });
        }
    }

    /**
     * Sends event {@code number} to every socket whose binding of the Subscription still holds; {@code message} builds
     * the text for a socket's FHIR base. Events come in order of their numbers.
     */
    void deliver(String subscription, long number, Function<String, String> message, Runnable onDelivered) {
        Channel channel = channel(subscription);
        synchronized (channel) {
            Map<String, String> byBase = new java.util.HashMap<>();
            long now = System.currentTimeMillis();
            Instant instant = Instant.ofEpochMilli(now);
            for (ClientSession client : channel.clients) {
                ClientSession.Bound bound = client.bound().get(subscription);
                if (bound != null && bound.expires.isAfter(instant)) {
                    bound.lastSent = now;
                    client.send(byBase.computeIfAbsent(bound.base, message), onDelivered);
                }
            }
            channel.published = number;
        }
    }

    /** A deleted Subscription: its sockets stop hearing of it. */
    void forget(String subscription) {
        Channel channel = channels.remove(subscription);
        if (channel != null) {
            channel.clients.forEach(c -> c.unbind(subscription, null));
        }
    }

    /**
     * Runs every second: unbinds Subscriptions whose latest binding expired, closes sockets that never bound, that
     * have nothing bound left for that reason or whose owner's access ended, sends heartbeats to bound
     * Subscriptions that asked for them and have been quiet for their period.
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
            List<Map.Entry<String, ClientSession.Bound>> expired = client.bound().entrySet().stream()
                    .filter(e -> !e.getValue().expires.isAfter(now))
                    .map(e -> Map.entry(e.getKey(), e.getValue()))
                    .toList();
            expired.forEach(e -> unbind(client, e.getKey(), e.getValue()));
            if (!expired.isEmpty() && client.bound().isEmpty()) {
                client.close(
                        CloseStatus.POLICY_VIOLATION.withReason("binding token expired; bind again with a new token"));
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
                if (subscription != null
                        && subscription.spec().heartbeatSeconds() > 0
                        && millis - bound.lastSent >= subscription.spec().heartbeatSeconds() * 1000L) {
                    bound.lastSent = millis;
                    // what was handed to the sockets, never more: an event counted here is already on its way before it
                    long published = channel(subscription.id()).published;
                    client.send(bundles.json(
                            subscription,
                            NotificationBundles.Type.HEARTBEAT,
                            published >= 0 ? published : events.count(subscription.id()),
                            List.of(),
                            bound.base,
                            Bundle.BundleType.HISTORY));
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
                return CloseStatus.POLICY_VIOLATION.withReason(
                        "アクセスが終了しました (access ended: signed out, disabled or deleted)");
            }
            if (status == ActiveTokens.Status.UNCONFIRMED) {
                return CloseStatus.SERVICE_OVERLOAD.withReason(
                        "アクセスを確認できません (access not confirmed by the token issuer; reconnect later)");
            }
        }
        return null;
    }

    /** Sockets open now on this node (for the benchmark and the hub's status). */
    public int openSessions() {
        return sessions.size();
    }
}
