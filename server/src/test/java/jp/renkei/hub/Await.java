package jp.renkei.hub;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting in tests for something that happens on another thread or in another process and tells nobody (a store
 * state, an HTTP answer, a socket count): asks again until it holds or the deadline passes, then fails saying what
 * was awaited and what was last seen. Where the thing that happens can be awaited itself (a latch, a future, a
 * socket's next message), tests await that instead. The one place the tests poll; no test sleeps to wait.
 */
public final class Await {

    /** Generous: a starved 2-core host can stall for seconds. */
    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private Await() {}

    /** Until {@code condition} holds, at most {@code timeout}; else an AssertionError naming {@code what}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, () -> condition.getAsBoolean(), Boolean::booleanValue);
    }

    /**
     * Asks {@code probe} until its answer satisfies {@code enough}, at most {@code timeout}, and returns that answer;
     * else an AssertionError naming {@code what} and the last answer.
     */
    public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> enough) {
        Polled<T> polled = poll(timeout, probe, enough);
        if (!polled.held()) {
            throw new AssertionError(
                    "waited " + timeout.toMillis() + " ms for " + what + "; last seen: " + polled.last());
        }
        return polled.last();
    }

    /** Asks {@code probe} until its answer satisfies {@code enough} or {@code timeout} passes; returns the last answer either way. */
    public static <T> T atMost(Duration timeout, Supplier<T> probe, Predicate<? super T> enough) {
        return poll(timeout, probe, enough).last();
    }

    private record Polled<T>(boolean held, T last) {}

    private static <T> Polled<T> poll(Duration timeout, Supplier<T> probe, Predicate<? super T> enough) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 5;
        while (true) {
            T seen = probe.get();
            if (enough.test(seen)) {
                return new Polled<>(true, seen);
            }
            if (System.nanoTime() - deadline > 0) {
                return new Polled<>(false, seen);
            }
            try {
                // short at first (most things happen within milliseconds), then no more than 10 asks a second
                Thread.sleep(Math.min(pause, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
            pause = Math.min(pause * 2, 100);
        }
    }
}
