package jp.renkei.hub.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;

/**
 * A body must say it is FHIR JSON or XML (415 otherwise), so that a form post or plain text is never
 * guessed at. Binary may carry any content type: that is how documents and scans are uploaded.
 */
@Interceptor
public final class ContentTypeCheck {

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public void requireFhirContentType(RequestDetails request) {
        RequestTypeEnum method = request.getRequestType();
        if (method != RequestTypeEnum.POST && method != RequestTypeEnum.PUT && method != RequestTypeEnum.PATCH) {
            return;
        }
        if ("Binary".equals(request.getResourceName())) {
            return;
        }
        if (method == RequestTypeEnum.POST && "_search".equals(request.getOperation())) {
            return; // search parameters as a form body (application/x-www-form-urlencoded)
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || contentType.isBlank()) {
            if (request.loadRequestContents().length == 0) {
                return;
            }
            throw new UnclassifiedServerFailureException(
                    415,
                    "The request has a body but no Content-Type; use application/fhir+json or application/fhir+xml");
        }
        if (EncodingEnum.forContentTypeStrict(contentType) == null) {
            throw new UnclassifiedServerFailureException(
                    415,
                    "Content-Type '" + contentType
                            + "' is not a FHIR format; use application/fhir+json or application/fhir+xml");
        }
    }
}
