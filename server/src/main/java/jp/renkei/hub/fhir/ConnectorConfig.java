package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The hub's port below the servlets: every error Tomcat answers itself is an OperationOutcome
 * ({@link OutcomeErrorReportValve}), and Tomcat's request parsing writes nothing of a request to the
 * log ({@link RequestDataLogFilter}). Which characters the query may carry unencoded is
 * {@code server.tomcat.relaxed-query-chars} in application.yml.
 */
@Configuration(proxyBeanMethods = false)
public class ConnectorConfig {

    /** After Spring Boot's own Tomcat customizer (order 0), which adds an HTML ErrorReportValve to the host. */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> outcomeErrorReports(FhirContext fhirContext) {
        return factory -> {
            RequestDataLogFilter.install();
            factory.addContextCustomizers(context -> {
                StandardHost host = (StandardHost) context.getParent();
                Pipeline pipeline = host.getPipeline();
                for (Valve valve : pipeline.getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        pipeline.removeValve(valve);
                    }
                }
                pipeline.addValve(new OutcomeErrorReportValve(fhirContext));
                // Tomcat adds a valve of this class when the host starts unless one is there: ours is.
                host.setErrorReportValveClass(OutcomeErrorReportValve.class.getName());
            });
        };
    }
}
