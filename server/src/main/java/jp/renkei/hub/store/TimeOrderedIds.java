package jp.renkei.hub.store;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-assigned ids in the UUID version 7 layout: a millisecond timestamp, then a sequence that
 * keeps ids from one hub strictly increasing, then random bits.
 *
 * <p>Why not random UUIDs: stores keep documents in B-trees ordered by {@code _id}, and the embedded
 * store rewrites every page a commit touched. Increasing ids make consecutive creates land on the
 * same few pages instead of a random page each, which cuts the bytes written per acknowledged
 * create. The ids reveal only the creation time, which {@code meta.lastUpdated} shows anyway.
 */
final class TimeOrderedIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Milliseconds since the epoch shifted left 12 bits, plus a 12-bit sequence within the millisecond. */
    private static final AtomicLong LAST = new AtomicLong();

    private TimeOrderedIds() {}

    public static String next() {
        long now = System.currentTimeMillis() << 12;
        long stamp = LAST.updateAndGet(previous -> Math.max(previous + 1, now));
        long millis = stamp >>> 12;
        long sequence = stamp & 0xFFF;
        long high = (millis << 16) | 0x7000L | sequence;
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
