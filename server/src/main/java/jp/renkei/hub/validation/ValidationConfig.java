package jp.renkei.hub.validation;

import ca.uhn.fhir.context.FhirContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Validation of written resources (a write rule), loaded once at start and warmed before the hub listens. */
@Configuration(proxyBeanMethods = false)
class ValidationConfig {

    @Bean
    ProfileValidation profileValidation(FhirContext fhirContext) {
        return new ProfileValidation(fhirContext);
    }

    @Bean
    ValidationWarmUp validationWarmUp(ProfileValidation profileValidation) {
        return new ValidationWarmUp(profileValidation);
    }
}
