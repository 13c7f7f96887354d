package jp.renkei.hub.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import java.util.ArrayList;
import java.util.List;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.fhir.ServerInterceptor;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits every FHIR interaction except the CapabilityStatement: the access is gathered while the
 * request runs and written as an AuditEvent before the response leaves. If that write fails the
 * request fails with 500 instead of answering (fail closed).
 */
@Interceptor
public final class AuditInterceptor implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);
    private static final String DONE = AuditInterceptor.class.getName() + ".done";

    private final AuditTrail trail;
    private final AccessGuard guard;

    public AuditInterceptor(AuditTrail trail, AccessGuard guard) {
        this.trail = trail;
        this.guard = guard;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void begin(RequestDetails request, RestOperationTypeEnum operation) {
        if (operation != RestOperationTypeEnum.METADATA) {
            request.getUserData().put(AccessRecord.class.getName(), AccessRecord.begin());
        }
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean answered(RequestDetails request, ResponseDetails response) {
        withholdQueries(response.getResponseResource());
        AccessRecord access = (AccessRecord) request.getUserData().get(AccessRecord.class.getName());
        if (access != null && request.getUserData().putIfAbsent(DONE, Boolean.TRUE) == null) {
            try {
                trail.record(request, access, 200);
            } catch (RuntimeException e) {
                log.error(
                        "Audit trail write failed; refusing the response of {} {}",
                        request.getRequestType(),
                        request.getRequestPath(),
                        e);
                throw new InternalErrorException("監査記録を保存できないため応答できません (the audit trail is unavailable)");
            }
        }
        return true;
    }

    /**
     * A search's query may name other people (「佐藤,山田」): the patient and their proxy, who read the
     * events about the patient, see who searched and what was shown, not the query; hub-admin sees all.
     */
    private void withholdQueries(IBaseResource answer) {
        List<AuditEvent> events = new ArrayList<>();
        if (answer instanceof AuditEvent event) {
            events.add(event);
        } else if (answer instanceof Bundle bundle) {
            bundle.getEntry().stream()
                    .filter(e -> e.getResource() instanceof AuditEvent)
                    .forEach(e -> events.add((AuditEvent) e.getResource()));
        }
        if (events.isEmpty() || guard.mayAdministerAudit()) {
            return;
        }
        for (AuditEvent event : events) {
            event.getEntity().stream()
                    .filter(AuditEvent.AuditEventEntityComponent::hasQuery)
                    .forEach(entity -> entity.setQuery(null)
                            .setDescription("検索条件は管理者のみ閲覧できます (the query is shown to hub administrators only)"));
        }
    }

    @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
    public boolean failed(RequestDetails request, BaseServerResponseException error) {
        AccessRecord access = (AccessRecord) request.getUserData().get(AccessRecord.class.getName());
        if (access != null && request.getUserData().putIfAbsent(DONE, Boolean.TRUE) == null) {
            try {
                trail.record(request, access, error.getStatusCode());
            } catch (RuntimeException e) {
                log.error(
                        "Audit trail write failed for a failed {} {}",
                        request.getRequestType(),
                        request.getRequestPath(),
                        e);
            }
        }
        return true;
    }

    @Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
    public void end() {
        AccessRecord.end();
    }
}
