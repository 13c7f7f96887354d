package jp.renkei.hub.fhir;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.util.UrlUtil;
import java.util.Date;
import java.util.List;
import java.util.Map;
import jp.renkei.hub.search.SearchParameterRegistry;
import jp.renkei.hub.search.SearchQuery;
import jp.renkei.hub.store.ResultSnapshots;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * The GET entries of a transaction or batch (http.html#transaction): read ({@code Type/id}), vread
 * ({@code Type/id/_history/n}) and search ({@code Type?params}), each answered as the plain GET would be, through
 * {@link ResourceOperations} (access, the patient's consent, the integrity check of signed records, and what the audit
 * trail records as shown). A search answers its first page as a searchset Bundle whose {@code next} link pages on over
 * the frozen result like any search.
 */
@Component
class BundleReads {

    private final ResourceOperations operations;
    private final ResultSnapshots snapshots;
    private final SearchParameterRegistry registry;
    private final FhirProperties properties;

    BundleReads(
            ResourceOperations operations,
            ResultSnapshots snapshots,
            SearchParameterRegistry registry,
            FhirProperties properties) {
        this.operations = operations;
        this.snapshots = snapshots;
        this.registry = registry;
        this.properties = properties;
    }

    /** The response entry of the GET entry {@code index} for {@code url}; a refusal is thrown as over REST. */
    BundleEntryComponent get(int index, String url, String serverBase) {
        String path = url.startsWith("/") ? url.substring(1) : url;
        String query = null;
        if (path.contains("?")) {
            query = path.substring(path.indexOf('?') + 1);
            path = path.substring(0, path.indexOf('?'));
        }
        String[] segments = path.split("/", -1);
        String type = segments[0];
        if (!registry.resourceTypes().contains(type)) {
            throw new InvalidRequestException(
                    "Bundle entry " + index + ": GET " + type + " is not supported in a transaction or batch"
                            + " (resource types: " + String.join(", ", registry.resourceTypes()) + ")");
        }
        if (segments.length == 1) {
            return found(search(type, query == null ? Map.of() : UrlUtil.parseQueryString(query), serverBase, url));
        }
        if (query != null) {
            throw unsupported(index, url);
        }
        if (segments.length == 2) {
            return found(operations.readCurrent(type, segments[1]));
        }
        if (segments.length == 4 && segments[2].equals("_history")) {
            return found(operations.readVersion(type, segments[1], segments[3]));
        }
        throw unsupported(index, url);
    }

    private static InvalidRequestException unsupported(int index, String url) {
        return new InvalidRequestException(
                "Bundle entry " + index + ": GET '" + url + "' is not supported in a transaction or batch;"
                        + " GET entries read (Type/id), vread (Type/id/_history/n) or search (Type?params)");
    }

    private BundleEntryComponent found(StoredResource stored) {
        BundleEntryComponent entry =
                new BundleEntryComponent().setResource(operations.records().resource(stored));
        entry.getResponse()
                .setStatus("200 OK")
                .setEtag("W/\"" + stored.version() + "\"")
                .setLastModified(new Date(stored.lastUpdated()))
                .setLocation(stored.type() + "/" + stored.id() + "/_history/" + stored.version());
        return entry;
    }

    private static BundleEntryComponent found(Bundle searchset) {
        BundleEntryComponent entry = new BundleEntryComponent().setResource(searchset);
        entry.getResponse().setStatus("200 OK");
        return entry;
    }

    private Bundle search(String type, Map<String, String[]> parameters, String serverBase, String url) {
        SearchQuery query = operations.parseQuery(type, parameters);
        List<String> ids = operations.search(query);
        StoredResultList list =
                StoredResultList.fresh(operations, snapshots, StoredResultList.SEARCH, type, query.includes(), ids);
        int count = pageSize(parameters);
        Bundle searchset = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(ids.size());
        searchset
                .addLink()
                .setRelation(Bundle.LINK_SELF)
                .setUrl(serverBase + "/" + (url.startsWith("/") ? url.substring(1) : url));
        for (IBaseResource found : list.getResources(0, count)) {
            Resource resource = (Resource) found;
            BundleEntryComponent entry = searchset.addEntry().setResource(resource);
            if (resource.getIdElement().hasIdPart()) {
                entry.setFullUrl(serverBase + "/" + resource.fhirType() + "/"
                        + resource.getIdElement().getIdPart());
            }
            BundleEntrySearchModeEnum mode = ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.get(resource);
            if (mode != null) {
                entry.getSearch().setMode(Bundle.SearchEntryMode.fromCode(mode.getCode()));
            }
        }
        if (count > 0 && ids.size() > count) {
            searchset
                    .addLink()
                    .setRelation(Bundle.LINK_NEXT)
                    .setUrl(serverBase + "?_getpages=" + list.persist() + "&_getpagesoffset=" + count + "&_count="
                            + count + "&_bundletype=searchset");
        }
        return searchset;
    }

    private int pageSize(Map<String, String[]> parameters) {
        String[] count = parameters.get("_count");
        if (count == null || count.length == 0) {
            return properties.defaultPageSize();
        }
        try {
            int asked = Integer.parseInt(count[0]);
            if (asked < 0) {
                throw new NumberFormatException();
            }
            return Math.min(asked, properties.maxPageSize());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("_count '" + count[0] + "' is not a number of resources per page");
        }
    }
}
