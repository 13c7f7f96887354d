package jp.renkei.hub.validation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.Resource;

/** The example instances of the profiles package, as a client would send them anew (without their id). */
final class ProfileExamples {

    private ProfileExamples() {}

    static <T extends Resource> T load(Class<T> type, String file) {
        try (InputStream in = ProfileExamples.class.getClassLoader().getResourceAsStream("renkei/profiles/" + file)) {
            T resource = HubInstance.fhirContext()
                    .newJsonParser()
                    .parseResource(type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            resource.setId((String) null);
            return resource;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
