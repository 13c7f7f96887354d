package jp.renkei.hub.validation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.context.SmartLifecycle;

/**
 * Holds the hub's start until the validator is warm, so that no client request pays for it (the first write after a
 * start took 14–37 s). The warm-up begins on its own thread as soon as the validator exists, alongside the rest of the
 * start (the store, the audit chain, security); this lifecycle step, which runs before the web server starts listening,
 * waits for it. Until then nothing answers on the hub's port: {@code /fhir/metadata} (what {@code deploy/up.sh} and
 * the benchmark wait for) and {@code /actuator/health/readiness} both answer only once the hub is warm. A warm-up that
 * fails stops the start: a hub whose validator cannot validate must not accept writes.
 */
final class ValidationWarmUp implements SmartLifecycle {

    private final CompletableFuture<Void> warmUp;
    private volatile boolean running;

    ValidationWarmUp(ProfileValidation validation) {
        this.warmUp = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        validation.warmUp();
                        warmUp.complete(null);
                    } catch (Throwable e) {
                        warmUp.completeExceptionally(e);
                    }
                },
                "validation-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void start() {
        try {
            warmUp.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("The validator's warm-up failed", e.getCause());
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the web server's lifecycle (Spring Boot starts it at {@code Integer.MAX_VALUE - 2048}). */
    @Override
    public int getPhase() {
        return 0;
    }
}
