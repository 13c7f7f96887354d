package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.search.SearchParamDef;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.bson.Document;

/**
 * Point-lookup index documents the hub maintains on write: one document per exact reference or
 * identifier value ({@code "Observation|patient|Patient/123"}) listing the ids of the resources that
 * carry it. "Everything of this patient" is then one lookup by {@code _id}, which is fast on the
 * embedded store (it has no secondary indexes) and on a real MongoDB alike.
 *
 * <p>The lists may briefly hold ids that no longer match (a crash between the resource write and
 * the key update); every candidate is checked against the resource's own index before it is
 * returned, so a stale key costs a lookup, never a wrong result.
 */
final class SearchKeys {

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
        List<WriteModel<Document>> changes = new ArrayList<>();
        for (String key : before) {
            if (!after.contains(key)) {
                changes.add(new UpdateOneModel<>(eq("_id", key), Updates.pull("ids", id)));
            }
        }
        for (String key : after) {
            if (!before.contains(key)) {
                changes.add(new UpdateOneModel<>(eq("_id", key), Updates.addToSet("ids", id), new UpdateOptions().upsert(true)));
            }
        }
        if (!changes.isEmpty()) {
            keys.bulkWrite(changes);
        }
    }

    /** Ids listed under any of the given keys. */
    Set<String> lookup(String type, String param, Collection<String> values) {
        List<String> ids = values.stream().map(v -> key(type, param, v)).toList();
        Set<String> out = new LinkedHashSet<>();
        for (Document doc : keys.find(in("_id", ids))) {
            for (Object id : doc.getList("ids", Object.class)) {
                out.add((String) id);
            }
        }
        return out;
    }
}
