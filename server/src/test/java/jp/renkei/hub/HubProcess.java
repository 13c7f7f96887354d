package jp.renkei.hub;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real hub in a JVM of its own (this test run's classpath) on a free loopback port, with the embedded
 * store in a given directory, so that a test can kill it as abruptly as a power cut ({@code SIGKILL}: no
 * shutdown hook, no last commit) and then open the same directory again with a {@link HubInstance}.
 * Its output goes to {@code <dir>.log} next to the directory.
 */
public final class HubProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String baseUrl;

    /** Starts the hub and waits until it answers; {@code properties} as {@code name=value}. */
    public HubProcess(Path dataDir, String... properties) throws IOException, InterruptedException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                RenkeiApplication.class.getName(),
                "--server.port=" + port,
                "--server.address=127.0.0.1",
                "--renkei.store.embedded.data-dir=" + dataDir,
                "--renkei.store.uri=",
                "--renkei.sign.required=false"));
        // as in HubInstance: introspection only where a test configures it
        if (java.util.Arrays.stream(properties).noneMatch(p -> p.startsWith("renkei.auth.introspection."))) {
            command.add("--renkei.auth.introspection.enabled=false");
        }
        for (String property : properties) {
            command.add("--" + property);
        }
        this.process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile())
                .start();
        this.baseUrl = "http://127.0.0.1:" + port + "/fhir";
        awaitUp();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** {@code SIGKILL}, and waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the hub process did not end within 30 s of SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private void awaitUp() {
        try {
            Await.until("the hub process to answer " + baseUrl + "/metadata", Duration.ofMinutes(2), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "the hub process exited with " + process.exitValue() + " while starting");
                }
                try {
                    return HTTP.send(
                                            HttpRequest.newBuilder(URI.create(baseUrl + "/metadata"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200;
                } catch (IOException notYet) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        } catch (RuntimeException | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }
}
