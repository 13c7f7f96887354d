package jp.renkei.hub.print;

import ca.uhn.fhir.context.FhirContext;
import jp.renkei.hub.fhir.FhirProperties;
import jp.renkei.hub.fhir.ResourceOperations;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The PDF forms: the font, the page writer, the {@code $pdf} operations and their download name. */
@Configuration(proxyBeanMethods = false)
class PrintConfig {

    static final String DEFAULT_HUB_NAME = "Renkei 在宅医療・介護連携ハブ";

    @Bean
    FontLocator printFont(PrintProperties properties) {
        return new FontLocator(properties.font());
    }

    @Bean
    FormWriter formWriter(FontLocator fonts, PrintProperties properties, FhirProperties fhir) {
        String hubName = properties.hubName() == null || properties.hubName().isBlank()
                ? DEFAULT_HUB_NAME
                : properties.hubName();
        return new FormWriter(fonts, hubName, fhir.timeZone());
    }

    @Bean
    PdfOperations pdfOperations(
            ResourceOperations operations, FhirContext fhirContext, FormWriter writer, FhirProperties fhir) {
        return new PdfOperations(operations, fhirContext, writer, fhir.timeZone());
    }

    @Bean
    FilterRegistrationBean<DownloadName> pdfDownloadName() {
        FilterRegistrationBean<DownloadName> registration = new FilterRegistrationBean<>(new DownloadName());
        registration.addUrlPatterns("/fhir/*");
        return registration;
    }
}
