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
import jp.renkei.hub.context.Permission;
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

    private StoredResultList(
            ResourceOperations operations,
            ResultSnapshots snapshots,
            String kind,
            String type,
            List<IncludeSpec> includes,
            int size,
            Date published,
            List<String> keys,
            String snapshotId) {
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

    static StoredResultList fresh(
            ResourceOperations operations,
            ResultSnapshots snapshots,
            String kind,
            String type,
            List<IncludeSpec> includes,
            List<String> keys) {
        return new StoredResultList(operations, snapshots, kind, type, includes, keys.size(), new Date(), keys, null);
    }

    /**
     * A history from {@code offset} on; {@code type} null for the system history, whose keys are {@code Type/id/version}.
     * Without an offset (the first page) the list is kept with the request, so that when it needs more than one page it is
     * frozen like a search's and its {@code next} link leads into the frozen list ({@link HistoryPages}). With an offset
     * (HAPI FHIR's own {@code _offset} links, which it builds for a history) the history is run again and the page taken
     * from the list's start; the list still reports the whole history's size, which the links and {@code total} are
     * computed from.
     */
    static StoredResultList history(
            ResourceOperations operations,
            ResultSnapshots snapshots,
            String type,
            List<String> keys,
            Integer offset,
            ca.uhn.fhir.rest.api.server.RequestDetails request) {
        int skip = offset == null ? 0 : Math.min(Math.max(offset, 0), keys.size());
        StoredResultList list = new StoredResultList(
                operations,
                snapshots,
                HISTORY,
                type,
                List.of(),
                keys.size(),
                new Date(),
                keys.subList(skip, keys.size()),
                null);
        if (offset == null) {
            HistoryPages.remember(request, list);
        }
        return list;
    }

    static StoredResultList fromSnapshot(
            ResourceOperations operations, ResultSnapshots snapshots, ResultSnapshots.Snapshot snapshot) {
        List<IncludeSpec> includes = snapshot.includes().stream()
                .map(StoredResultList::decodeInclude)
                .toList();
        return new StoredResultList(
                operations,
                snapshots,
                snapshot.kind(),
                snapshot.type(),
                includes,
                snapshot.total(),
                new Date(snapshot.created()),
                null,
                snapshot.id());
    }

    /** Freezes the list so that {@code next} links can find it; returns its id. */
    String persist() {
        if (snapshotId == null) {
            snapshotId = snapshots.save(
                    kind,
                    type,
                    keys,
                    includes.stream().map(StoredResultList::encodeInclude).toList(),
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
        for (StoredResource version : historyVersions(pageKeys)) {
            Resource resource = served(version, null);
            if (!version.deleted() && !(resource instanceof OperationOutcome)) {
                ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(
                        resource,
                        version.version() == 1
                                ? BundleEntryTransactionMethodEnum.POST
                                : BundleEntryTransactionMethodEnum.PUT);
            }
            out.add(resource);
        }
        return out;
    }

    /** The page's versions the caller may still see, in the list's order; the system history's keys name their type. */
    private List<StoredResource> historyVersions(List<String> pageKeys) {
        if (type != null) {
            return operations.visible(
                    operations.visibleVersions(
                            type, operations.records().readVersions(type, pageKeys), Permission.READ),
                    Permission.READ);
        }
        Map<String, List<String>> keysByType = new LinkedHashMap<>();
        for (String key : pageKeys) {
            int slash = key.indexOf('/');
            keysByType
                    .computeIfAbsent(key.substring(0, slash), t -> new ArrayList<>())
                    .add(key.substring(slash + 1));
        }
        Map<String, StoredResource> shown = new java.util.HashMap<>();
        keysByType.forEach((t, keys) -> operations
                .visible(
                        operations.visibleVersions(t, operations.records().readVersions(t, keys), Permission.READ),
                        Permission.READ)
                .forEach(v -> shown.put(t + "/" + v.historyKey(), v)));
        return pageKeys.stream()
                .map(shown::get)
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    private List<IBaseResource> searchPage(List<String> pageKeys) {
        List<IBaseResource> out = new ArrayList<>();
        List<StoredResource> matches =
                operations.visible(operations.records().readCurrent(type, pageKeys, true), Permission.SEARCH);
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
                if (include.reverse()) {
                    continue;
                }
                for (Object value : match.indexValues(include.param())) {
                    String reference = (String) value;
                    int slash = reference.indexOf('/');
                    if (slash <= 0 || reference.contains(":") || !present.add(reference)) {
                        continue;
                    }
                    String targetType = reference.substring(0, slash);
                    if (include.targetType() == null || include.targetType().equals(targetType)) {
                        idsByType
                                .computeIfAbsent(targetType, t -> new ArrayList<>())
                                .add(reference.substring(slash + 1));
                    }
                }
            }
        }
        List<IBaseResource> out = new ArrayList<>();
        idsByType.forEach((targetType, ids) -> {
            for (StoredResource target :
                    operations.visible(operations.records().readCurrent(targetType, ids, true), Permission.READ)) {
                if (!target.deleted()) {
                    out.add(served(target, BundleEntrySearchModeEnum.INCLUDE));
                }
            }
        });
        out.addAll(revIncluded(matches, present));
        return out;
    }

    /** {@code _revinclude}: records that refer to the page's matches, as far as the caller may read them, like {@code _include}. */
    private List<IBaseResource> revIncluded(List<StoredResource> matches, Set<String> present) {
        List<String> references = matches.stream()
                .filter(m -> !m.deleted())
                .map(m -> type + "/" + m.id())
                .toList();
        List<IBaseResource> out = new ArrayList<>();
        for (IncludeSpec include : includes) {
            if (!include.reverse()) {
                continue;
            }
            for (StoredResource referring : operations.referringTo(include.sourceType(), include.param(), references)) {
                if (!referring.deleted() && present.add(referring.type() + "/" + referring.id())) {
                    out.add(served(referring, BundleEntrySearchModeEnum.INCLUDE));
                }
            }
        }
        return out;
    }

    /**
     * The record as an entry; one the hub refuses to serve (a signed record that failed its integrity check) is
     * replaced by the OperationOutcome saying why, so the rest of the page is still served.
     */
    private Resource served(StoredResource stored, BundleEntrySearchModeEnum mode) {
        Resource resource = operations.toResourceOrRefusal(stored);
        if (mode != null) {
            ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(
                    resource, resource instanceof OperationOutcome ? BundleEntrySearchModeEnum.OUTCOME : mode);
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

    /** {@code param}, {@code param:Target}, or {@code <Source:param} for a {@code _revinclude}. */
    private static String encodeInclude(IncludeSpec include) {
        if (include.reverse()) {
            return "<" + include.sourceType() + ":" + include.param();
        }
        return include.targetType() == null ? include.param() : include.param() + ":" + include.targetType();
    }

    private static IncludeSpec decodeInclude(String encoded) {
        if (encoded.startsWith("<")) {
            String[] sourceAndParam = encoded.substring(1).split(":", 2);
            return new IncludeSpec(sourceAndParam[1], null, sourceAndParam[0]);
        }
        int colon = encoded.indexOf(':');
        return colon < 0
                ? new IncludeSpec(encoded, null)
                : new IncludeSpec(encoded.substring(0, colon), encoded.substring(colon + 1));
    }
}
