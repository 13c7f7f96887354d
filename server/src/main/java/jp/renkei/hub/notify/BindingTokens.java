package jp.renkei.hub.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jp.renkei.hub.access.ActiveTokens;

/**
 * The tokens {@code $get-ws-binding-token} issues: 256 random bits, kept only as their SHA-256 with
 * what they allow (these Subscriptions of this owner, until this time). A token is used once: the first
 * {@code bind-with-token} takes it for its socket, and any later bind with it, on another socket or the same
 * one, is refused, so a token that leaked (a log, a proxy, a screen) opens no second listener. A client
 * that lost its connection asks for a new token. Tokens are held in this node's memory, as the sockets
 * they bind are: a token is known only to the node that issued it, and taking it is one atomic step there.
 */
final class BindingTokens {

    /**
     * What a token allows; {@code base} is the FHIR base the client used, for the URLs in notifications;
     * {@code access} the access token it was issued for, checked again while the socket is open (null without checks).
     */
    record Binding(
            String owner,
            Map<String, Object> claims,
            List<String> subscriptions,
            Instant expires,
            String base,
            ActiveTokens.Token access) {}

    /** A token's binding and the socket that took it (null: not used yet). */
    private record Slot(Binding binding, String socket) {}

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Slot> byHash = new ConcurrentHashMap<>();

    String issue(Binding binding) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        byHash.put(hash(token), new Slot(binding, null));
        return token;
    }

    /** For a bind: what the token allows, now taken for this socket; null when it is unknown, expired or already used. */
    Binding take(String token, String socket, Instant now) {
        return use(token, socket, false, now);
    }

    /** For an unbind: as {@link #take}, but a token this socket took already counts too. */
    Binding takeOrOwn(String token, String socket, Instant now) {
        return use(token, socket, true, now);
    }

    private Binding use(String token, String socket, boolean own, Instant now) {
        Binding[] used = new Binding[1];
        byHash.computeIfPresent(hash(token), (key, slot) -> {
            boolean free = slot.socket() == null || (own && slot.socket().equals(socket));
            if (free && slot.binding().expires().isAfter(now)) {
                used[0] = slot.binding();
                return new Slot(slot.binding(), socket);
            }
            return slot;
        });
        return used[0];
    }

    /** Forgets expired tokens; a used one stays until then, so that it is refused rather than unknown. */
    void purgeExpired(Instant now) {
        byHash.values().removeIf(s -> !s.binding().expires().isAfter(now));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
