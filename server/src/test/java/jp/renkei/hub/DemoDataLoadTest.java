package jp.renkei.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jp.renkei.hub.access.SecuredHub;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.StoredResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code deploy/load-demo.sh} as a user runs it after {@code deploy/up.sh}, twice, against a hub that trusts a test
 * issuer (the script takes the hub administrator's token from {@code RENKEI_TOKEN} instead of signing in at Keycloak):
 * the second run succeeds and changes nothing, and the administrator still reads none of the Consents it loaded.
 */
@Hub(own = "it loads the demo data, whose fixed ids and counts (37 created) need a store without them")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoDataLoadTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private SecuredHub world;
    private String admin;

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        // one administrator, the same person on both runs (as the demo user hub-admin of the realm is)
        admin = world.issuer
                .token()
                .roles("hub-admin")
                .subject("demo-hub-admin")
                .claim("preferred_username", "hub-admin")
                .sign();
    }

    private record Run(int exit, String output) {}

    private Run loadDemo() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        "bash", ROOT.resolve("deploy/load-demo.sh").toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("RENKEI_PORT", Integer.toString(URI.create(world.hub.baseUrl()).getPort()));
        env.put("RENKEI_TOKEN", admin);
        env.put("RENKEI_AUTH_ISSUER", world.issuer.issuer());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as("deploy/load-demo.sh finished")
                .isTrue();
        return new Run(process.exitValue(), output);
    }

    /** Type/id → current version of every record of the demo file. */
    private Map<String, Long> versions() throws Exception {
        JsonNode demo = new ObjectMapper().readTree(Files.readString(ROOT.resolve("keycloak/demo-fhir.json")));
        StoreFixtures store = world.store;
        Map<String, Long> versions = new LinkedHashMap<>();
        for (JsonNode entry : demo.get("entry")) {
            String url = entry.get("request").get("url").asText();
            StoredResource stored = store.read(url.substring(0, url.indexOf('/')), url.substring(url.indexOf('/') + 1));
            versions.put(url, stored == null ? null : stored.version());
        }
        return versions;
    }

    @Test
    void loadingTheDemoDataTwiceChangesNothingTheSecondTime() throws Exception {
        Run first = loadDemo();
        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(first.output()).contains("37 created");
        Map<String, Long> loaded = versions();
        assertThat(loaded)
                .hasSize(37)
                .allSatisfy((url, version) -> assertThat(version).as(url).isEqualTo(1L));

        // the directory, patients and care teams are written again as they are (nothing stored); the Consents, which
        // the
        // administrator may not read, are left as they are (created only: If-None-Match: *)
        Run second = loadDemo();
        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(second.output()).contains("0 created, 0 updated, 34 unchanged, 3 kept as they were");
        assertThat(versions()).isEqualTo(loaded);

        // loading did not let the administrator read, or replace, what it loaded about the patients' sharing
        String consent = world.hub
                .send("GET", "/Consent/consent-yamada", null, null, "Authorization", "Bearer " + admin)
                .body();
        assertThat(world.hub
                        .send("GET", "/Consent/consent-yamada", null, null, "Authorization", "Bearer " + admin)
                        .statusCode())
                .as(consent)
                .isEqualTo(403);
        String sameConsent = new ObjectMapper()
                        .readTree(Files.readString(ROOT.resolve("keycloak/demo-fhir.json")))
                        .get("entry")
                        .findValues("resource")
                        .stream()
                        .filter(r -> r.get("id").asText().equals("consent-yamada"))
                        .findFirst()
                        .orElseThrow()
                        .toString();
        assertThat(put("/Consent/consent-yamada", sameConsent, "If-None-Match", "*")
                        .statusCode())
                .isEqualTo(412);
        assertThat(put("/Consent/consent-yamada", sameConsent).statusCode()).isEqualTo(403);
        // and to a role that does not choose ids, create-only says no more than any unknown id does
        String careWorker = world.issuer
                .token()
                .roles("care-worker")
                .claim("practitioner_role", "role-care-worker")
                .claim("organization", "org-homecare")
                .sign();
        assertThat(world.hub
                        .send(
                                "PUT",
                                "/Consent/consent-yamada",
                                "application/fhir+json",
                                sameConsent,
                                "Authorization",
                                "Bearer " + careWorker,
                                "If-None-Match",
                                "*")
                        .statusCode())
                .isEqualTo(405);
        assertThat(versions()).isEqualTo(loaded);
    }

    private java.net.http.HttpResponse<String> put(String path, String body, String... headers) {
        String[] all = java.util.stream.Stream.concat(
                        java.util.stream.Stream.of("Authorization", "Bearer " + admin),
                        java.util.Arrays.stream(headers))
                .toArray(String[]::new);
        return world.hub.send("PUT", path, "application/fhir+json", body, all);
    }
}
