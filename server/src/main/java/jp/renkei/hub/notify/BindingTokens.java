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

/**
 * The tokens {@code $get-ws-binding-token} issues: 256 random bits, kept only as their SHA-256 with
 * what they allow (these Subscriptions of this owner, until this time). A token may bind several
 * sockets until it expires, so a client that lost its connection reconnects with the token it has.
 */
final class BindingTokens {

    /** What a token allows; {@code base} is the FHIR base the client used, for the URLs in notifications. */
    record Binding(String owner, Map<String, Object> claims, List<String> subscriptions, Instant expires, String base) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Binding> byHash = new ConcurrentHashMap<>();

    String issue(Binding binding) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        byHash.put(hash(token), binding);
        return token;
    }

    /** What the token allows, or null when it is unknown or expired. */
    Binding redeem(String token, Instant now) {
        Binding binding = byHash.get(hash(token));
        return binding == null || !binding.expires().isAfter(now) ? null : binding;
    }

    void purgeExpired(Instant now) {
        byHash.values().removeIf(b -> !b.expires().isAfter(now));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
