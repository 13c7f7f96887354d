package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.search.SearchParamDef;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.bson.Document;

/**
 * Point-lookup index documents the hub maintains on write, one set per exact reference or
 * identifier value ({@code "Observation|patient|Patient/123"}), listing the ids of the resources
 * that carry it. "Everything of this patient" is then a lookup by {@code _id}, which is fast on the
 * embedded store (it has no secondary indexes) and on a real MongoDB alike.
 *
 * <p>The ids live in bounded buckets so no document grows without limit and no update rewrites
 * more than {@link #BUCKET_SIZE} ids (the embedded store re-serialises a whole document on every
 * update). The head {@code _id = key} is only a counter {@code n} of the ids ever added; the id
 * that takes slot {@code n} goes into bucket {@code key#((n-1)/BUCKET_SIZE+1)}. Adding is an atomic
 * increment of the head plus one unordered bulk upsert of the buckets; a lookup reads the heads
 * and then the buckets with one {@code $in}. Every filter is an {@code _id} equality or {@code $in}
 * because the embedded store uses its index only for queries on {@code _id} alone. Removal pulls
 * the id from every bucket of the key; {@code n} is never decremented, so slots freed by removals
 * are not reused (bounded waste, never a wrong answer).
 *
 * <p>The lists may briefly hold ids that no longer match (a crash between the resource write and
 * the key update, or a repeated add during recovery); every candidate is checked against the
 * resource's own index before it is returned, so a stale id costs a lookup, never a wrong result.
 */
final class SearchKeys {

    static final int BUCKET_SIZE = 128;

    private final MongoCollection<Document> keys;
    private final SearchParameterRegistry registry;

    SearchKeys(MongoCollection<Document> keys, SearchParameterRegistry registry) {
        this.keys = keys;
        this.registry = registry;
    }

    Set<String> keysOf(String type, Document index) {
        Set<String> out = new LinkedHashSet<>();
        if (index == null) {
            return out;
        }
        for (SearchParamDef param : registry.indexedParams(type)) {
            if (!param.bucketed()) {
                continue;
            }
            Object values = index.get(param.name());
            if (values instanceof List<?> list) {
                for (Object value : list) {
                    String v = (String) value;
                    if (param.name().equals("identifier") && (v.indexOf('|') <= 0 || v.endsWith("|"))) {
                        continue; // only system|value forms are exact enough to bucket
                    }
                    out.add(key(type, param.name(), v));
                }
            }
        }
        return out;
    }

    static String key(String type, String param, String value) {
        return type + "|" + param + "|" + value;
    }

    void update(String type, String id, Document oldIndex, Document newIndex) {
        Set<String> before = keysOf(type, oldIndex);
        Set<String> after = keysOf(type, newIndex);
        List<String> removed = before.stream().filter(k -> !after.contains(k)).toList();
        List<String> added = after.stream().filter(k -> !before.contains(k)).toList();
        if (!removed.isEmpty()) {
            List<String> buckets = bucketsOf(removed);
            if (!buckets.isEmpty()) {
                keys.updateMany(in("_id", buckets), Updates.pull("ids", id));
            }
        }
        if (!added.isEmpty()) {
            add(added, id);
        }
    }

    /** Ids listed under any of the given values of one parameter. */
    Set<String> lookup(String type, String param, Collection<String> values) {
        List<String> buckets =
                bucketsOf(values.stream().map(v -> key(type, param, v)).toList());
        Set<String> out = new LinkedHashSet<>();
        if (!buckets.isEmpty()) {
            for (Document bucket : keys.find(in("_id", buckets))) {
                List<Object> ids = bucket.getList("ids", Object.class);
                for (Object id : ids) {
                    out.add((String) id);
                }
            }
        }
        return out;
    }

    /**
     * Ids listed under one value of one parameter for each of several types (every type's {@code patient} =
     * {@code Patient/123}), by type: the heads and then the buckets of all the types in one {@code $in} each.
     */
    Map<String, Set<String>> lookupEach(Collection<String> types, String param, String value) {
        Map<String, String> typeOfKey = new HashMap<>();
        types.forEach(type -> typeOfKey.put(key(type, param, value), type));
        Map<String, Set<String>> out = new HashMap<>();
        types.forEach(type -> out.put(type, new LinkedHashSet<>()));
        List<String> buckets = bucketsOf(new ArrayList<>(typeOfKey.keySet()));
        if (!buckets.isEmpty()) {
            for (Document bucket : keys.find(in("_id", buckets))) {
                String bucketId = bucket.getString("_id");
                String type = typeOfKey.get(bucketId.substring(0, bucketId.lastIndexOf('#')));
                for (Object id : bucket.getList("ids", Object.class)) {
                    out.get(type).add((String) id);
                }
            }
        }
        return out;
    }

    private void add(List<String> keyList, String id) {
        List<WriteModel<Document>> additions = new ArrayList<>(keyList.size());
        for (String key : keyList) {
            Document head = keys.findOneAndUpdate(
                    eq("_id", key),
                    Updates.inc("n", 1),
                    new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
            additions.add(new UpdateOneModel<>(
                    eq("_id", bucketOf(key, head.getInteger("n"))),
                    Updates.addToSet("ids", id),
                    new UpdateOptions().upsert(true)));
        }
        keys.bulkWrite(additions, new BulkWriteOptions().ordered(false));
    }

    private List<String> bucketsOf(List<String> heads) {
        List<String> all = new ArrayList<>();
        for (Document head : keys.find(in("_id", heads))) {
            int count = (head.getInteger("n", 0) + BUCKET_SIZE - 1) / BUCKET_SIZE;
            for (int i = 1; i <= count; i++) {
                all.add(head.getString("_id") + "#" + i);
            }
        }
        return all;
    }

    private static String bucketOf(String key, int slot) {
        return key + "#" + ((slot - 1) / BUCKET_SIZE + 1);
    }
}
