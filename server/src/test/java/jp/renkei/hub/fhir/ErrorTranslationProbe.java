package jp.renkei.hub.fhir;

import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;

/** Drives {@link ErrorTranslation} with a failure no HTTP request can provoke on purpose. */
final class ErrorTranslationProbe {

    private ErrorTranslationProbe() {}

    static BaseServerResponseException translate(Throwable failure) {
        ServletRequestDetails request = new ServletRequestDetails();
        request.setRequestType(RequestTypeEnum.GET);
        request.setRequestPath("Patient/1");
        return new ErrorTranslation().onError(request, failure);
    }
}
