package jp.renkei.hub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Renkei (連携): the care-information hub shared by hospitals, care managers, visiting nurses,
 * pharmacists and home doctors. Spring's own Mongo auto-configuration is off because the hub
 * decides between the embedded store and {@code MONGODB_URI} itself (see {@code store}). Spring's
 * {@code /error} page is off too: errors no FHIR endpoint answers are OperationOutcomes written by
 * Tomcat's error valve ({@code fhir.ConnectorConfig}), including those refused before any servlet.
 */
@SpringBootApplication(exclude = {MongoAutoConfiguration.class, ErrorMvcAutoConfiguration.class})
@ConfigurationPropertiesScan
public class RenkeiApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("pki")) {
            // the deployment CA's command line (deploy/pki.sh): no hub is started
            jp.renkei.hub.sign.PkiCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SpringApplication.run(RenkeiApplication.class, args);
    }
}
