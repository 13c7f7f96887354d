package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.StrictErrorHandler;
import jp.renkei.hub.search.IndexExtractor;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers HAPI FHIR's plain RestfulServer at {@code /fhir} and the pieces it is built from. */
@Configuration(proxyBeanMethods = false)
class FhirConfig {

    @Bean
    FhirContext fhirContext() {
        FhirContext context = FhirContext.forR4();
        // Unknown elements or invalid values are an error, not silently dropped data.
        context.setParserErrorHandler(new StrictErrorHandler());
        // A versioned reference (Observation/1/_history/2) means that version; keep it as written.
        context.getParserOptions().setStripVersionsFromReferences(false);
        return context;
    }

    @Bean
    SearchParameterRegistry searchParameterRegistry(FhirContext fhirContext) {
        return new SearchParameterRegistry(fhirContext);
    }

    @Bean
    IndexExtractor indexExtractor(
            FhirContext fhirContext, SearchParameterRegistry registry, FhirProperties properties) {
        return new IndexExtractor(fhirContext, registry, properties.timeZone());
    }

    @Bean
    ServletRegistrationBean<RenkeiFhirServer> fhirServlet(RenkeiFhirServer server) {
        ServletRegistrationBean<RenkeiFhirServer> registration = new ServletRegistrationBean<>(server, "/fhir/*");
        registration.setLoadOnStartup(1);
        return registration;
    }

    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimit(
            FhirProperties properties, FhirContext fhirContext) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.maxRequestSize().toBytes(), fhirContext));
        registration.addUrlPatterns("/fhir/*");
        return registration;
    }
}
