package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Errors raised before a request reaches HAPI FHIR are OperationOutcomes too. Spring Security's firewall refuses
 * paths with {@code ..}, {@code //} or an encoded {@code %} or {@code ;}; the servlet container forwards such
 * refusals, and a filter's failure, to {@code /error}, which Spring Boot would answer with JSON of its own.
 */
@Controller
class ErrorPage implements ErrorController {

    private final FhirContext fhirContext;

    ErrorPage(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    @RequestMapping("/error")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code && code >= 400 ? code : 500;
        if (status >= 500) {
            Throwable cause = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
            String diagnostics = ErrorTranslation.incident(request.getMethod() + " "
                    + request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), cause).getMessage();
            OperationOutcomes.write(response, fhirContext, status, IssueType.EXCEPTION, diagnostics);
            return;
        }
        OperationOutcomes.write(response, fhirContext, status, status == 404 ? IssueType.NOTFOUND : IssueType.INVALID,
                switch (status) {
                    case 400 -> "リクエストを処理できません (the request was refused before it reached the FHIR server: its URL"
                            + " is malformed, or contains '..', '//', or an encoded '/', '%', ';' or control character)";
                    case 404 -> "見つかりません (nothing is served at this address; the FHIR API is at /fhir)";
                    default -> "リクエストを処理できません (the request was refused with HTTP status " + status + ")";
                });
    }
}
