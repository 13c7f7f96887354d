package jp.renkei.hub;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.nio.file.Path;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real hub on a random loopback port with the embedded store in a given directory. Tests that
 * restart the hub start two instances on the same directory, one after the other.
 */
public final class HubInstance implements AutoCloseable {

    private static final FhirContext CLIENT_CONTEXT = FhirContext.forR4();

    static {
        CLIENT_CONTEXT.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        CLIENT_CONTEXT.getRestfulClientFactory().setSocketTimeout(60_000);
    }

    private final ConfigurableApplicationContext context;
    private final String baseUrl;

    public HubInstance(Path dataDir, String... extraProperties) {
        // Command-line arguments outrank application.yml and the environment, so a developer's
        // MONGODB_URI or RENKEI_PORT cannot leak into a test.
        String[] args = new String[extraProperties.length + 3];
        args[0] = "--server.port=0";
        args[1] = "--renkei.store.embedded.data-dir=" + dataDir;
        args[2] = "--renkei.store.uri=";
        for (int i = 0; i < extraProperties.length; i++) {
            args[3 + i] = "--" + extraProperties[i];
        }
        this.context = new SpringApplicationBuilder(RenkeiApplication.class).run(args);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.baseUrl = "http://127.0.0.1:" + port + "/fhir";
    }

    public String baseUrl() {
        return baseUrl;
    }

    public IGenericClient client() {
        return CLIENT_CONTEXT.newRestfulGenericClient(baseUrl);
    }

    public static FhirContext fhirContext() {
        return CLIENT_CONTEXT;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
