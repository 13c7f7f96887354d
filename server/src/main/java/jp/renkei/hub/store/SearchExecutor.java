package jp.renkei.hub.store;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.search.Criterion;
import jp.renkei.hub.search.SearchParameterRegistry;
import jp.renkei.hub.search.SearchQuery;
import jp.renkei.hub.search.SortKey;
import org.bson.Document;

/**
 * Runs searches and history listings against the store and returns the matching keys in result
 * order. A query that names an exact reference, identifier or {@code _id} starts from point
 * lookups (see {@link SearchKeys}); any other query scans the type's current documents without
 * their bodies. Either way every candidate is checked against the full query.
 */
public final class SearchExecutor {

    private final ResourceStore store;
    private final SearchParameterRegistry registry;

    public SearchExecutor(ResourceStore store, SearchParameterRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    /** The current records of a type whose {@code patient} parameter names the patient, with or without bodies. */
    public List<StoredResource> aboutPatient(String type, String patient, boolean withBody) {
        return currentWhere(type, "patient", "Patient/" + patient, withBody);
    }

    /** The current, non-deleted records of a type matching one search parameter value, for the hub's own use. */
    public List<StoredResource> currentWhere(String type, String parameter, String value, boolean withBody) {
        SearchQuery query = SearchQuery.parse(type, Map.of(parameter, new String[] {value}), registry, ZoneOffset.UTC);
        List<StoredResource> found = searchRecords(query);
        if (!withBody) {
            return found;
        }
        return store
                .readCurrent(
                        type,
                        new ArrayList<>(found.stream().map(StoredResource::id).toList()),
                        true)
                .stream()
                .filter(r -> !r.deleted())
                .toList();
    }

    /**
     * The current, non-deleted records of a type matching every one of these search parameters (comma-separated values
     * are alternatives), without bodies, for the hub's own use.
     */
    public List<StoredResource> currentWhere(String type, Map<String, String> parameters) {
        Map<String, String[]> params = new java.util.LinkedHashMap<>();
        parameters.forEach((name, value) -> params.put(name, new String[] {value}));
        return searchRecords(SearchQuery.parse(type, params, registry, ZoneOffset.UTC));
    }

    /**
     * The current records of several types about one patient, without bodies, by type: one key lookup for
     * all the types, then one read per type that has any (what an emergency summary needs at once).
     */
    public Map<String, List<StoredResource>> aboutPatient(List<String> types, String patient) {
        String reference = "Patient/" + patient;
        Map<String, java.util.Set<String>> ids = store.searchKeys().lookupEach(types, "patient", reference);
        Map<String, List<StoredResource>> out = new java.util.HashMap<>();
        for (String type : types) {
            SearchQuery query =
                    SearchQuery.parse(type, Map.of("patient", new String[] {reference}), registry, ZoneOffset.UTC);
            List<StoredResource> matches = new ArrayList<>();
            if (!ids.get(type).isEmpty()) {
                for (StoredResource candidate : store.readCurrent(type, new ArrayList<>(ids.get(type)), false)) {
                    if (!candidate.deleted() && query.matches(candidate)) {
                        matches.add(candidate);
                    }
                }
            }
            out.put(type, matches);
        }
        return out;
    }

    /** Ids of the current, non-deleted resources matching the query, sorted. */
    public List<String> search(SearchQuery query) {
        return searchRecords(query).stream().map(StoredResource::id).toList();
    }

    /** The current, non-deleted resources matching the query, sorted, without their bodies. */
    public List<StoredResource> searchRecords(SearchQuery query) {
        List<StoredResource> matches = new ArrayList<>();
        for (StoredResource candidate : candidates(query)) {
            if (!candidate.deleted() && query.matches(candidate)) {
                matches.add(candidate);
            }
        }
        matches.sort(order(query.sort()));
        return matches;
    }

    private Iterable<StoredResource> candidates(SearchQuery query) {
        String type = query.type();
        Criterion narrowest = query.criteria().stream()
                .filter(c -> c.bucketKeys() != null)
                .min(Comparator.comparing((Criterion c) -> !isId(c))
                        .thenComparingInt(c -> c.bucketKeys().size()))
                .orElse(null);
        if (narrowest == null) {
            List<StoredResource> all = new ArrayList<>();
            for (Document doc : store.scanCurrent(type)) {
                all.add(StoredResource.fromCurrent(type, doc));
            }
            return all;
        }
        Set<String> ids = isId(narrowest)
                ? narrowest.bucketKeys()
                : store.searchKeys().lookup(type, narrowest.param(), narrowest.bucketKeys());
        return store.readCurrent(type, new ArrayList<>(ids), false);
    }

    private static boolean isId(Criterion c) {
        return c.param().equals("_id");
    }

    /** An instance's committed versions, newest first. */
    public List<StoredResource> instanceHistory(String type, String id, long sinceMillis) {
        StoredResource current = store.read(type, id);
        if (current == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (long v = current.version(); v >= 1; v--) {
            keys.add(StoredResource.historyKey(id, v));
        }
        return store.readVersions(type, keys).stream()
                .filter(r -> r.lastUpdated() >= sinceMillis)
                .toList();
    }

    /** Every committed version of a type, newest first, without bodies. */
    public List<StoredResource> typeHistory(String type, long sinceMillis) {
        List<StoredResource> versions = new ArrayList<>();
        for (Document doc : store.scanHistory(type)) {
            StoredResource r = StoredResource.fromHistory(type, doc);
            if (r.lastUpdated() >= sinceMillis && store.committed(type, doc)) {
                versions.add(r);
            }
        }
        versions.sort(Comparator.comparingLong(StoredResource::lastUpdated)
                .reversed()
                .thenComparing(StoredResource::id)
                .thenComparing(Comparator.comparingLong(StoredResource::version).reversed()));
        return versions;
    }

    private static Comparator<StoredResource> order(List<SortKey> sort) {
        Comparator<StoredResource> order = null;
        for (SortKey key : sort) {
            Comparator<StoredResource> next = comparator(key);
            order = order == null ? next : order.thenComparing(next);
        }
        Comparator<StoredResource> byDefault =
                Comparator.comparingLong(StoredResource::lastUpdated).thenComparing(StoredResource::id);
        return order == null ? byDefault : order.thenComparing(byDefault);
    }

    private static Comparator<StoredResource> comparator(SortKey key) {
        if (key.param().equals("_id")) {
            Comparator<StoredResource> byId = Comparator.comparing(StoredResource::id);
            return key.descending() ? byId.reversed() : byId;
        }
        if (key.param().equals("_lastUpdated")) {
            Comparator<StoredResource> byTime = Comparator.comparingLong(StoredResource::lastUpdated);
            return key.descending() ? byTime.reversed() : byTime;
        }
        // Ascending sorts by the earliest start, descending by the latest end; resources without a value go last.
        return Comparator.comparing(
                (StoredResource r) -> dateKey(r, key),
                Comparator.nullsLast(
                        key.descending() ? Comparator.<Long>reverseOrder() : Comparator.<Long>naturalOrder()));
    }

    private static Long dateKey(StoredResource r, SortKey key) {
        Long best = null;
        for (Object value : r.indexValues(key.param())) {
            List<?> range = (List<?>) value;
            long v = ((Number) range.get(key.descending() ? 1 : 0)).longValue();
            if (best == null || (key.descending() ? v > best : v < best)) {
                best = v;
            }
        }
        return best;
    }
}
