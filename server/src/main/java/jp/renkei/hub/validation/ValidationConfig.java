package jp.renkei.hub.validation;

import ca.uhn.fhir.context.FhirContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Profile validation of written resources (a write rule), loaded once at start. */
@Configuration(proxyBeanMethods = false)
public class ValidationConfig {

    @Bean
    ProfileValidation profileValidation(FhirContext fhirContext) {
        return new ProfileValidation(fhirContext);
    }
}
