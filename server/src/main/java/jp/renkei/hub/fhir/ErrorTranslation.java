package jp.renkei.hub.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.util.UUID;
import jp.renkei.hub.store.VersionConflictException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last word on every error answer. Known failures keep their status and message; anything
 * unexpected becomes a 500 whose OperationOutcome carries only an incident id, never a stack trace
 * or data, while the log keeps the details (request method and path, never bodies or query strings).
 */
@Interceptor
public final class ErrorTranslation {

    private static final Logger log = LoggerFactory.getLogger(ErrorTranslation.class);

    /** How HAPI FHIR begins the 400 for a body its parser refused (it keeps no cause to tell it by). */
    private static final String UNPARSABLE_BODY = ca.uhn.fhir.i18n.Msg.code(450);

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException onError(RequestDetails request, Throwable error) {
        BaseServerResponseException translated = translate(error);
        if (translated instanceof InternalErrorException) {
            translated = incident(request.getRequestType() + " " + request.getRequestPath(), error);
        }
        if (translated.getStatusCode() >= 400) {
            // HAPI FHIR would answer an error without an outcome with the generic code "processing"
            translated.setOperationOutcome(OperationOutcomes.of(translated));
        }
        return translated;
    }

    /** Logs an unexpected failure under a new incident id and returns the 500 that names only that id. */
    static InternalErrorException incident(String where, Throwable error) {
        String incident = UUID.randomUUID().toString();
        log.error("Incident {} on {}", incident, where, error);
        return new InternalErrorException("内部エラーが発生しました (internal error; incident " + incident + ")");
    }

    static BaseServerResponseException translate(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof VersionConflictException conflict) {
                return conflict.preconditionFailed()
                        ? new PreconditionFailedException(conflict.getMessage())
                        : new ResourceVersionConflictException(conflict.getMessage());
            }
            if (t instanceof DataFormatException format) {
                // the body does not parse, or names an element or value FHIR does not have
                return OperationOutcomes.invalid(
                        OperationOutcome.IssueType.STRUCTURE, null, "Invalid resource: " + format.getMessage());
            }
            if (t instanceof InvalidRequestException unparsable
                    && unparsable.getOperationOutcome() == null
                    && unparsable.getMessage() != null
                    && unparsable.getMessage().startsWith(UNPARSABLE_BODY)) {
                return OperationOutcomes.invalid(OperationOutcome.IssueType.STRUCTURE, null, unparsable.getMessage());
            }
            if (t instanceof BaseServerResponseException known && !(t instanceof InternalErrorException)) {
                return known;
            }
        }
        return error instanceof BaseServerResponseException known ? known : new InternalErrorException("unexpected");
    }
}
