package jp.renkei.hub.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.RealKeycloak;
import jp.renkei.hub.sign.DeploymentCa;
import jp.renkei.hub.sign.HealthcareRole;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web app's flows in a real browser: Debian's Chromium driven by Playwright (the specs in {@code web/e2e/}) against
 * a hub on a random port that trusts the real Keycloak, with the demo data loaded. One Playwright run; each spec is a
 * test here, failing with Playwright's errors for it (docs/web-app.md §6).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RealKeycloak.Shared.class)
class BrowserFlowsIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path WEB = Path.of("..", "web").toAbsolutePath().normalize();
    private static final Path PLAYWRIGHT = WEB.resolve("node_modules/@playwright/test/cli.js");
    private static final long RUN_MINUTES = 15;
    /** The test PKI's keystore password (a throwaway CA made for this run; test only). */
    private static final String PKI_PASSWORD = "renkei-e2e-only";

    private final ObjectMapper mapper = new ObjectMapper();
    private RealKeycloak keycloak;
    private HubInstance hub;
    private String origin;
    private boolean originAllowed;
    private Path physicianKeystore;

    @BeforeAll
    void start(RealKeycloak keycloak) throws Exception {
        // checked before Keycloak starts: a missing browser is a missing install step, not a reason to skip
        assertThat(Files.isExecutable(CHROMIUM))
                .as(
                        "Debian's Chromium at %s, which the browser tests drive: run .ci/run as root, or apt-get install chromium",
                        CHROMIUM)
                .isTrue();
        assertThat(PLAYWRIGHT)
                .as("Playwright in web/node_modules, installed by the web module's build (npm ci)")
                .exists();
        this.keycloak = keycloak;
        // a deployment CA for this run, as deploy/pki.sh makes one: the hub trusts it, and the home doctor (伊藤 健一,
        // Practitioner/prac-physician-home) holds a certificate from it, which physician.spec.ts signs with in the
        // browser
        Path pki = Files.createTempDirectory("renkei-browser-pki");
        DeploymentCa ca = DeploymentCa.create(
                pki.resolve("ca"), "Renkei Browser Test CA", Duration.ofDays(30), PKI_PASSWORD.toCharArray());
        Instant now = Instant.now();
        physicianKeystore = ca.issuePractitioner(
                        "prac-physician-home",
                        "伊藤 健一",
                        "いわて在宅ケアセンター",
                        HealthcareRole.Qualification.MEDICAL_DOCTOR,
                        now.minusSeconds(3600),
                        now.plus(Duration.ofDays(10)),
                        PKI_PASSWORD.toCharArray())
                .keystore();
        // a hub of its own (docs/architecture.md §10), trusting the real Keycloak, with the demo data loaded
        hub = new HubInstance(
                Files.createTempDirectory("renkei-browser"),
                "renkei.auth.enabled=true",
                "renkei.auth.issuer=" + keycloak.issuer(),
                "renkei.auth.introspection.client-secret=dev-only-change-me-renkei-hub",
                // documents the app does not sign stay unsigned here (as in every hub test); a signature sent is
                // checked
                "renkei.sign.required=false",
                "renkei.sign.trust-anchors=" + pki.resolve("ca/ca.crt"),
                "renkei.sign.crls=" + pki.resolve("ca/ca.crl"));
        origin = hub.baseUrl().replaceFirst("/fhir$", "");
        keycloak.allowWebOrigin(origin, true);
        originAllowed = true;
        keycloak.loadDemoData(hub);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (originAllowed) {
                keycloak.allowWebOrigin(origin, false);
            }
        } finally {
            if (hub != null) {
                hub.close();
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> theWebAppsFlowsPassInChromium() throws Exception {
        Path out = Files.createDirectories(WEB.resolve("target/e2e"));
        Path report = out.resolve("report.json");
        Path log = out.resolve("playwright.log");
        Files.deleteIfExists(report);
        List<String> command =
                new ArrayList<>(List.of("node", PLAYWRIGHT.toString(), "test", "--config", "e2e/playwright.config.ts"));
        // -Drenkei.e2e.specs="ems.spec.ts visit.spec.ts" runs only those files (a developer's loop); the build runs all
        String only = System.getProperty("renkei.e2e.specs", "").trim();
        if (!only.isEmpty()) {
            command.addAll(List.of(only.split("\\s+")));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(WEB.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("RENKEI_APP_URL", origin + "/app/");
        builder.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        builder.environment().put("FORCE_COLOR", "0");
        builder.environment().put("RENKEI_E2E_PHYSICIAN_P12", physicianKeystore.toString());
        builder.environment().put("RENKEI_E2E_PHYSICIAN_P12_PASSWORD", PKI_PASSWORD);
        Process process = builder.start();
        if (!process.waitFor(RUN_MINUTES, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("Playwright did not finish within %d minutes; its output:%n%s", RUN_MINUTES, tail(log));
        }
        int exit = process.exitValue();
        assertThat(report)
                .as("Playwright's JSON report (exit %d); its output:%n%s", exit, tail(log))
                .exists();
        JsonNode json = mapper.readTree(report.toFile());

        List<Spec> specs = new ArrayList<>();
        json.path("suites").forEach(suite -> collect(suite, "", specs));
        List<String> runErrors = new ArrayList<>();
        json.path("errors")
                .forEach(error -> runErrors.add(plain(error.path("message").asText())));
        List<String> failed =
                specs.stream().filter(s -> !s.ok()).map(Spec::title).toList();

        DynamicTest run = DynamicTest.dynamicTest("the Playwright run", () -> {
            assertThat(specs)
                    .as("specs run by Playwright; its output:%n%s", tail(log))
                    .isNotEmpty();
            assertThat(runErrors).as("errors outside the specs").isEmpty();
            assertThat(failed)
                    .as("failed specs (each is a test below with its errors)")
                    .isEmpty();
            assertThat(exit)
                    .as("Playwright's exit status; its output:%n%s", tail(log))
                    .isZero();
        });
        return Stream.concat(
                Stream.of(run),
                specs.stream()
                        .map(spec -> DynamicTest.dynamicTest(spec.title(), () -> {
                            if (!spec.ok()) {
                                fail(
                                        "%s did not pass in Chromium (Playwright: %s)%n%s",
                                        spec.title(), spec.status(), String.join("\n", spec.errors()));
                            }
                        })));
    }

    /** One spec's outcome: only Playwright's "expected" passes (not "skipped"); it retries nothing (retries: 0). */
    private record Spec(String title, String status, List<String> errors) {
        boolean ok() {
            return status.equals("expected");
        }
    }

    private static void collect(JsonNode suite, String prefix, List<Spec> into) {
        String path = prefix.isEmpty()
                ? suite.path("title").asText()
                : prefix + " › " + suite.path("title").asText();
        for (JsonNode spec : suite.path("specs")) {
            for (JsonNode test : spec.path("tests")) {
                List<String> errors = new ArrayList<>();
                for (JsonNode result : test.path("results")) {
                    result.path("errors")
                            .forEach(error ->
                                    errors.add(plain(error.path("message").asText())));
                }
                into.add(new Spec(
                        path + " › " + spec.path("title").asText(),
                        test.path("status").asText(),
                        errors));
            }
        }
        suite.path("suites").forEach(child -> collect(child, path, into));
    }

    /** Without terminal colour codes. */
    private static String plain(String text) {
        return text.replaceAll("\u001B\\[[0-9;]*m", "");
    }

    private static String tail(Path log) throws Exception {
        if (!Files.exists(log)) {
            return "(none)";
        }
        String output = plain(Files.readString(log, StandardCharsets.UTF_8));
        return output.length() <= 6000 ? output : "…" + output.substring(output.length() - 6000);
    }
}
