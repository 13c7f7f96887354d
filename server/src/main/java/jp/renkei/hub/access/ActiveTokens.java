package jp.renkei.hub.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Whether an access token is still active at its issuer: a user disabled, deleted or signed out in Keycloak
 * loses access within {@code renkei.auth.introspection.max-age} (60 s), not only when the token expires.
 *
 * <p>Asked by token introspection (RFC 7662) as the confidential client {@code renkei-hub}. Keycloak sends
 * no back-channel logout when a user is disabled or deleted, and none to a resource server at all, while
 * its introspection answers {@code active: false} in all three cases, so the hub asks. Each node keeps
 * the answers in memory by the token's SHA-256: each token is asked about again once its answer is
 * {@code recheck} (30 s) old, and an answer is never used once it is {@code max-age} (60 s) old. Nothing
 * here needs to be shared between nodes: every node asks the issuer itself.
 *
 * <p>When the issuer does not answer (unreachable, timeout, an error status, the hub's client refused)
 * the last answer is used until it is {@code max-age} old; after that the token counts as
 * {@link Status#UNCONFIRMED}: requests are refused (503) and its notification sockets closed. After a
 * failure the issuer is not asked again for a few seconds, so a Keycloak that is down or restarting is
 * not flooded. The cache holds at most {@code cache-size} tokens; an evicted token is only asked again.
 */
public final class ActiveTokens implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActiveTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** After a failed question the issuer is left alone this long. */
    private static final long PAUSE_AFTER_FAILURE = TimeUnit.SECONDS.toNanos(5);

    /** What the issuer says of a token. */
    public enum Status {
        ACTIVE,
        /** the user was disabled, deleted or signed out, or the token revoked */
        ENDED,
        /** the issuer has not confirmed it for longer than the limit */
        UNCONFIRMED
    }

    /** An access token to check again later; its value stays in memory and is never shown. */
    public static final class Token {
        private final String value;
        private final String key;
        private final Instant expires;

        private Token(String value, Instant expires) {
            this.value = value;
            this.key = hash(value);
            this.expires = expires;
        }

        @Override
        public String toString() {
            return "Token[" + key.substring(0, 8) + "…]";
        }
    }

    private record Answer(Status status, long askedAt) {}

    /** One token's last answer; {@code asking} while a question about it is queued or under way. */
    private static final class Entry {
        final long created = System.nanoTime();
        final Instant expires;
        final ReentrantLock lock = new ReentrantLock();
        final AtomicBoolean asking = new AtomicBoolean();
        volatile Answer answer;

        Entry(Instant expires) {
            this.expires = expires;
        }
    }

    private final boolean enabled;
    private final URI uri;
    private final String authorization;
    private final long recheck;
    private final long maxAge;
    private final java.time.Duration timeout;
    private final int cacheSize;
    private final HttpClient http;
    private final ThreadPoolExecutor background;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final ReentrantLock evicting = new ReentrantLock();
    private volatile long pausedUntil = System.nanoTime();

    ActiveTokens(AuthProperties.Introspection settings) {
        this.enabled = settings.enabled();
        this.uri = settings.uri() == null ? null : URI.create(settings.uri());
        // RFC 6749 §2.3.1: client id and secret form-encoded, then HTTP Basic
        String credentials = URLEncoder.encode(String.valueOf(settings.clientId()), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(String.valueOf(settings.clientSecret()), StandardCharsets.UTF_8);
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        this.recheck = settings.recheck().toNanos();
        this.maxAge = settings.maxAge().toNanos();
        this.timeout = settings.timeout();
        this.cacheSize = settings.cacheSize();
        this.http = enabled
                ? HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(timeout)
                        .build()
                : null;
        // questions for open notification sockets, asked off the ticker thread; a full queue waits for the next round
        this.background = enabled
                ? new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(cacheSize), r -> {
                    Thread t = new Thread(r, "renkei-token-introspection");
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    /** No checks: authentication or introspection is off. */
    static ActiveTokens off() {
        return new ActiveTokens(AuthProperties.Introspection.OFF);
    }

    boolean enabled() {
        return enabled;
    }

    /** The current request's access token, to be checked again later; null without authentication or checks. */
    public Token current() {
        if (enabled
                && SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication ca
                && ca.getCredentials() instanceof Jwt jwt) {
            return new Token(jwt.getTokenValue(), jwt.getExpiresAt());
        }
        return null;
    }

    /**
     * For a request: the token's status, asking the issuer (on this thread) when the last answer is
     * {@code recheck} old; another thread's question under way is waited for only when the last answer is
     * too old to use.
     */
    Status check(Jwt jwt) {
        if (!enabled) {
            return Status.ACTIVE;
        }
        Token token = new Token(jwt.getTokenValue(), jwt.getExpiresAt());
        Entry entry = entry(token);
        Answer answer = entry.answer;
        long now = System.nanoTime();
        if (answer != null && now - answer.askedAt() < recheck) {
            return answer.status();
        }
        if (answer != null && now - answer.askedAt() < maxAge && entry.asking.get()) {
            return answer.status();
        }
        Answer fresh = ask(entry, token);
        if (fresh != null) {
            return fresh.status();
        }
        answer = entry.answer;
        boolean usable =
                answer != null && (System.nanoTime() - answer.askedAt() < maxAge || answer.status() == Status.ENDED);
        return usable ? answer.status() : Status.UNCONFIRMED;
    }

    /**
     * For an open socket, without waiting: the token's status as far as known, or null while the first
     * answer is awaited. Asks again in the background when the last answer is {@code recheck} old.
     */
    public Status peek(Token token) {
        if (!enabled || token == null) {
            return Status.ACTIVE;
        }
        Entry entry = entry(token);
        Answer answer = entry.answer;
        long now = System.nanoTime();
        if (answer == null || now - answer.askedAt() >= recheck) {
            askInBackground(entry, token);
        }
        if (answer != null && (now - answer.askedAt() < maxAge || answer.status() == Status.ENDED)) {
            return answer.status();
        }
        long since = answer != null ? answer.askedAt() : entry.created;
        return now - since < maxAge ? null : Status.UNCONFIRMED;
    }

    private void askInBackground(Entry entry, Token token) {
        if (!entry.asking.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(() -> {
                try {
                    ask(entry, token);
                } finally {
                    entry.asking.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            entry.asking.set(false);
        }
    }

    /** Asks the issuer unless someone just did; null when it did not answer. One question per token at a time. */
    private Answer ask(Entry entry, Token token) {
        entry.lock.lock();
        boolean wasAsking = entry.asking.getAndSet(true);
        try {
            Answer answer = entry.answer;
            if (answer != null && System.nanoTime() - answer.askedAt() < recheck) {
                return answer;
            }
            if (System.nanoTime() - pausedUntil < 0) {
                return null;
            }
            long askedAt = System.nanoTime();
            Status status = introspect(token.value);
            if (status == null) {
                return null;
            }
            Answer fresh = new Answer(status, askedAt);
            entry.answer = fresh;
            return fresh;
        } finally {
            if (!wasAsking) {
                entry.asking.set(false);
            }
            entry.lock.unlock();
        }
    }

    /** The issuer's answer, or null when it gave none (logged once per pause, never with the token). */
    private Status introspect(String token) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token"))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                return failed(
                        "the issuer refused the hub's client credentials (renkei.auth.introspection.client-id/"
                                + "client-secret) with status " + response.statusCode(),
                        null);
            }
            if (response.statusCode() != 200) {
                return failed("status " + response.statusCode(), null);
            }
            JsonNode active = JSON.readTree(response.body()).get("active");
            if (active == null || !active.isBoolean()) {
                return failed("an answer without \"active\"", null);
            }
            return active.booleanValue() ? Status.ACTIVE : Status.ENDED;
        } catch (IOException e) {
            return failed(e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Status failed(String what, Exception cause) {
        pausedUntil = System.nanoTime() + PAUSE_AFTER_FAILURE;
        log.warn(
                "Token introspection at {} failed: {}; tokens not confirmed for {} s are refused",
                uri,
                what,
                TimeUnit.NANOSECONDS.toSeconds(maxAge));
        log.debug("Token introspection failure", cause);
        return null;
    }

    private Entry entry(Token token) {
        Entry entry = cache.get(token.key);
        if (entry != null) {
            return entry;
        }
        entry = cache.computeIfAbsent(token.key, k -> new Entry(token.expires));
        if (cache.size() > cacheSize) {
            evict();
        }
        return entry;
    }

    /** Expired tokens first; when that is not enough, any tenth of the rest (they are only asked about again). */
    private void evict() {
        if (!evicting.tryLock()) {
            return;
        }
        try {
            Instant now = Instant.now();
            cache.values().removeIf(e -> e.expires != null && e.expires.isBefore(now));
            Iterator<Entry> entries = cache.values().iterator();
            int over = cache.size() - cacheSize * 9 / 10;
            while (over-- > 0 && entries.hasNext()) {
                entries.next();
                entries.remove();
            }
        } finally {
            evicting.unlock();
        }
    }

    /** Tokens whose answers are kept now. */
    int cached() {
        return cache.size();
    }

    @Override
    public void close() {
        if (background != null) {
            background.shutdownNow();
        }
    }

    private static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
