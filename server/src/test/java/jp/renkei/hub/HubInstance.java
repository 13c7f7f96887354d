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
        String[] properties = new String[extraProperties.length + 3];
        properties[0] = "server.port=0";
        properties[1] = "renkei.store.embedded.data-dir=" + dataDir;
        properties[2] = "renkei.store.uri=";
        System.arraycopy(extraProperties, 0, properties, 3, extraProperties.length);
        this.context = new SpringApplicationBuilder(RenkeiApplication.class).properties(properties).run();
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
