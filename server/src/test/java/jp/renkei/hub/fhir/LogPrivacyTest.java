package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import jp.renkei.hub.Hub;
import jp.renkei.hub.access.SecuredHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Refused and invalid requests whose messages echo what the client sent leave no patient data in the log. */
@Hub
@ExtendWith(OutputCaptureExtension.class)
class LogPrivacyTest {

    @Test
    void errorsDoNotWritePatientDataToTheLog(SecuredHub world, CapturedOutput output) throws Exception {
        String token = world.issuer
                .token()
                .roles("care-manager")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
        int before = output.length();
        assertThat(world.hub
                        .send("GET", "/Patient?name=岩手花子,", null, null, "Authorization", "Bearer " + token)
                        .statusCode())
                .isEqualTo(400);
        assertThat(world.hub
                        .send("GET", "/Patient?birthdate=1940-13-45", null, null, "Authorization", "Bearer " + token)
                        .statusCode())
                .isEqualTo(400);
        assertThat(world.hub
                        .send("GET", "/Patient/secret-patient-4711", null, null, "Authorization", "Bearer " + token)
                        .statusCode())
                .isEqualTo(404);
        assertThat(world.hub
                        .send(
                                "POST",
                                "/Patient",
                                "application/fhir+json",
                                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"遠野\"}],\"birthDate\":\"1931-02-30x\"}",
                                "Authorization",
                                "Bearer " + token)
                        .statusCode())
                .isEqualTo(400);
        String logged = output.toString().substring(before);
        assertThat(logged).doesNotContain("岩手花子", "1940-13-45", "secret-patient-4711", "遠野", "1931-02-30x");
    }
}
