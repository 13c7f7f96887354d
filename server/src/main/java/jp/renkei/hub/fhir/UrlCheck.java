package jp.renkei.hub.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import jakarta.servlet.http.HttpServletRequest;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * URLs that HAPI FHIR or a provider would otherwise fail on with a 500, refused with the 4xx they deserve before
 * anything runs: a blank id segment ({@code /Patient/%20/_history/1}), a negative {@code _count} or page offset,
 * and an update or delete that names no resource where the hub offers no conditional form for it.
 */
@Interceptor
public final class UrlCheck {

    private final SearchParameterRegistry registry;

    public UrlCheck(SearchParameterRegistry registry) {
        this.registry = registry;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
    public boolean requireNoBlankSegment(HttpServletRequest request) {
        String path = request.getPathInfo();
        if (path != null) {
            for (String segment : path.split("/")) {
                if (!segment.isEmpty() && segment.isBlank()) {
                    throw OperationOutcomes.invalid(
                            IssueType.INVALID,
                            null,
                            "URL のパスに空白だけの部分があります (a segment of the URL path is blank; ids are 1-64 of A-Z a-z 0-9 - .)");
                }
            }
        }
        return true;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public void requireNonNegativePaging(RequestDetails request) {
        for (String name : new String[] {"_count", "_getpagesoffset", "_offset"}) {
            String[] values = request.getParameters().get(name);
            if (values == null) {
                continue;
            }
            for (String value : values) {
                if (value.trim().startsWith("-")) {
                    throw OperationOutcomes.invalid(
                            IssueType.INVALID,
                            null,
                            name + " は 0 以上の整数です (" + name + " must be a whole number of 0 or more)");
                }
            }
        }
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void requireTarget(RequestDetails request, RestOperationTypeEnum operation) {
        if (request.getId() != null && request.getId().hasIdPart()) {
            return;
        }
        String type = request.getResourceName();
        boolean conditional =
                request.getCompleteUrl() != null && request.getCompleteUrl().contains("?");
        if (operation == RestOperationTypeEnum.UPDATE) {
            if (conditional) {
                throw new MethodNotAllowedException("Conditional update (PUT " + type + "?...) is not supported;"
                        + " update by id (PUT " + type + "/[id])");
            }
            throw new InvalidRequestException("PUT needs the id of the resource (PUT " + type + "/[id])");
        }
        // ResourceProvider implements conditional delete where the CapabilityStatement input declares it
        if (operation == RestOperationTypeEnum.DELETE && !registry.conditionalDelete(type)) {
            throw new MethodNotAllowedException("DELETE needs the id of the resource (DELETE " + type + "/[id]);"
                    + " conditional delete is not supported for " + type);
        }
    }
}
