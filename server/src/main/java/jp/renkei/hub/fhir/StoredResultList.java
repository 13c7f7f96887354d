package jp.renkei.hub.fhir;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.search.IncludeSpec;
import jp.renkei.hub.store.ResultSnapshots;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * A search or history result as HAPI FHIR pages it: an ordered list of keys (resource ids for a
 * search, {@code id/version} for a history) from which each page's resources are loaded. The first
 * page is served from memory; when there are more pages the list is frozen in {@link ResultSnapshots}
 * and later pages read it from there.
 */
final class StoredResultList implements IBundleProvider {

    static final String SEARCH = "search";
    static final String HISTORY = "history";

    private final ResourceOperations operations;
    private final ResultSnapshots snapshots;
    private final String kind;
    private final String type;
    private final List<IncludeSpec> includes;
    private final int size;
    private final Date published;
    private final List<String> keys;
    private String snapshotId;

    private StoredResultList(ResourceOperations operations, ResultSnapshots snapshots, String kind, String type,
                             List<IncludeSpec> includes, int size, Date published, List<String> keys, String snapshotId) {
        this.operations = operations;
        this.snapshots = snapshots;
        this.kind = kind;
        this.type = type;
        this.includes = includes;
        this.size = size;
        this.published = published;
        this.keys = keys;
        this.snapshotId = snapshotId;
    }

    static StoredResultList fresh(ResourceOperations operations, ResultSnapshots snapshots, String kind, String type,
                                  List<IncludeSpec> includes, List<String> keys) {
        return new StoredResultList(operations, snapshots, kind, type, includes, keys.size(), new Date(), keys, null);
    }

    /**
     * A history from {@code offset} on. HAPI FHIR pages a history by {@code _offset} links ({@code HistoryMethodBinding}
     * is in offset mode), running the history again for each page and taking the page from the list's start; the list
     * still reports the whole history's size, which the links and {@code total} are computed from.
     */
    static StoredResultList history(ResourceOperations operations, ResultSnapshots snapshots, String type, List<String> keys,
                                    Integer offset) {
        int skip = offset == null ? 0 : Math.min(Math.max(offset, 0), keys.size());
        return new StoredResultList(operations, snapshots, HISTORY, type, List.of(), keys.size(), new Date(),
                keys.subList(skip, keys.size()), null);
    }

    static StoredResultList fromSnapshot(ResourceOperations operations, ResultSnapshots snapshots,
                                         ResultSnapshots.Snapshot snapshot) {
        List<IncludeSpec> includes = snapshot.includes().stream().map(StoredResultList::decodeInclude).toList();
        return new StoredResultList(operations, snapshots, snapshot.kind(), snapshot.type(), includes,
                snapshot.total(), new Date(snapshot.created()), null, snapshot.id());
    }

    /** Freezes the list so that {@code next} links can find it; returns its id. */
    String persist() {
        if (snapshotId == null) {
            snapshotId = snapshots.save(kind, type, keys, includes.stream().map(StoredResultList::encodeInclude).toList(),
                    operations.callerKey());
        }
        return snapshotId;
    }

    @Override
    public IPrimitiveType<Date> getPublished() {
        return new InstantType(published);
    }

    @Override
    public List<IBaseResource> getResources(int fromIndex, int toIndex) {
        int to = Math.min(toIndex, keys != null ? keys.size() : size);
        if (fromIndex >= to) {
            return new ArrayList<>();
        }
        List<String> pageKeys = keys != null ? keys.subList(fromIndex, to) : snapshots.keys(snapshotId, fromIndex, to);
        return kind.equals(HISTORY) ? historyPage(pageKeys) : searchPage(pageKeys);
    }

    private List<IBaseResource> historyPage(List<String> pageKeys) {
        List<IBaseResource> out = new ArrayList<>();
        List<StoredResource> versions = operations.store().readVersions(type, pageKeys);
        for (StoredResource version : operations.visible(operations.visibleVersions(type, versions, 'r'), 'r')) {
            Resource resource = served(version, null);
            if (!version.deleted() && !(resource instanceof OperationOutcome)) {
                ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(resource,
                        version.version() == 1 ? BundleEntryTransactionMethodEnum.POST : BundleEntryTransactionMethodEnum.PUT);
            }
            out.add(resource);
        }
        return out;
    }

    private List<IBaseResource> searchPage(List<String> pageKeys) {
        List<IBaseResource> out = new ArrayList<>();
        List<StoredResource> matches = operations.visible(operations.store().readCurrent(type, pageKeys, true), 's');
        Set<String> present = new LinkedHashSet<>();
        for (StoredResource match : matches) {
            if (match.deleted()) {
                continue; // deleted after the search ran
            }
            out.add(served(match, BundleEntrySearchModeEnum.MATCH));
            present.add(type + "/" + match.id());
        }
        out.addAll(included(matches, present));
        return out;
    }

    private List<IBaseResource> included(List<StoredResource> matches, Set<String> present) {
        if (includes.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> idsByType = new LinkedHashMap<>();
        for (StoredResource match : matches) {
            for (IncludeSpec include : includes) {
                for (Object value : match.indexValues(include.param())) {
                    String reference = (String) value;
                    int slash = reference.indexOf('/');
                    if (slash <= 0 || reference.contains(":") || !present.add(reference)) {
                        continue;
                    }
                    String targetType = reference.substring(0, slash);
                    if (include.targetType() == null || include.targetType().equals(targetType)) {
                        idsByType.computeIfAbsent(targetType, t -> new ArrayList<>()).add(reference.substring(slash + 1));
                    }
                }
            }
        }
        List<IBaseResource> out = new ArrayList<>();
        idsByType.forEach((targetType, ids) -> {
            for (StoredResource target : operations.visible(operations.store().readCurrent(targetType, ids, true), 'r')) {
                if (!target.deleted()) {
                    out.add(served(target, BundleEntrySearchModeEnum.INCLUDE));
                }
            }
        });
        return out;
    }

    /**
     * The record as an entry; one the hub refuses to serve (a signed record that failed its integrity check) is
     * replaced by the OperationOutcome saying why, so the rest of the page is still served.
     */
    private Resource served(StoredResource stored, BundleEntrySearchModeEnum mode) {
        Resource resource = operations.toResourceOrRefusal(stored);
        if (mode != null) {
            ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(resource,
                    resource instanceof OperationOutcome ? BundleEntrySearchModeEnum.OUTCOME : mode);
        }
        return resource;
    }

    @Override
    public String getUuid() {
        return snapshotId;
    }

    @Override
    public Integer preferredPageSize() {
        return null;
    }

    @Override
    public Integer size() {
        return size;
    }

    private static String encodeInclude(IncludeSpec include) {
        return include.targetType() == null ? include.param() : include.param() + ":" + include.targetType();
    }

    private static IncludeSpec decodeInclude(String encoded) {
        int colon = encoded.indexOf(':');
        return colon < 0 ? new IncludeSpec(encoded, null) : new IncludeSpec(encoded.substring(0, colon), encoded.substring(colon + 1));
    }
}
