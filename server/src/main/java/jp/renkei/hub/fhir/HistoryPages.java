package jp.renkei.hub.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.api.BundleLinks;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.util.UrlUtil;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Pages a history over a frozen list, as searches are paged (http.html#paging: the pages are those of one result, whatever is
 * written meanwhile). HAPI FHIR pages a history by {@code _offset} links on the history URL ({@code HistoryMethodBinding} is
 * in offset mode), which would run the history again for each page, so a version written between two pages shifts every
 * later one. It also wraps the history's list in its own, so {@link SnapshotPagingProvider} finds the hub's list here, kept
 * with the request, and freezes it; the first page's {@code next} link is then pointed at the same offset of the frozen list
 * ({@code _getpages}), whose pages link on by themselves.
 */
@Interceptor
final class HistoryPages {

    private static final String KEY = HistoryPages.class.getName();

    static void remember(RequestDetails request, StoredResultList list) {
        if (request != null) {
            request.getUserData().put(KEY, list);
        }
    }

    /** The history list of this request, or null when the request is no first page of a history. */
    static StoredResultList of(RequestDetails request) {
        return request.getUserData().get(KEY) instanceof StoredResultList list ? list : null;
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void linkIntoTheFrozenList(RequestDetails request, ResponseDetails response) {
        StoredResultList list = of(request);
        if (list == null || list.getUuid() == null || !(response.getResponseResource() instanceof Bundle bundle)) {
            return;
        }
        Bundle.BundleLinkComponent next = bundle.getLink(Bundle.LINK_NEXT);
        if (next == null || !next.getUrl().contains("?")) {
            return;
        }
        Map<String, String[]> offsetLink =
                UrlUtil.parseQueryString(next.getUrl().substring(next.getUrl().indexOf('?') + 1));
        if (!offsetLink.containsKey("_offset") || !offsetLink.containsKey("_count")) {
            return;
        }
        int offset = Integer.parseInt(offsetLink.get("_offset")[0]);
        int count = Integer.parseInt(offsetLink.get("_count")[0]);
        BundleLinks links = new BundleLinks(
                request.getFhirServerBase(),
                null,
                RestfulServerUtils.prettyPrintResponse(request.getServer(), request),
                BundleTypeEnum.HISTORY);
        next.setUrl(RestfulServerUtils.createPagingLink(
                links, request, list.getUuid(), offset, count, request.getParameters()));
    }
}
