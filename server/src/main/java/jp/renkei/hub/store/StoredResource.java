package jp.renkei.hub.store;

import java.util.Date;
import java.util.List;
import jp.renkei.hub.search.IndexedRecord;
import org.bson.Document;

/**
 * One version of a resource as stored: the FHIR JSON exactly as the hub wrote it (null for a
 * deletion) and, for current versions, its search index.
 */
public record StoredResource(String type, String id, long version, long lastUpdated, boolean deleted,
                             String json, Document index) implements IndexedRecord {

    static StoredResource fromCurrent(String type, Document doc) {
        return new StoredResource(type, doc.getString("_id"), doc.getLong("v"), doc.getDate("ts").getTime(),
                doc.getBoolean("del", false), doc.getString("body"), doc.get("ix", Document.class));
    }

    static StoredResource fromHistory(String type, Document doc) {
        return new StoredResource(type, doc.getString("rid"), doc.getLong("v"), doc.getDate("ts").getTime(),
                doc.getBoolean("del", false), doc.getString("body"), null);
    }

    Document toCurrent() {
        return new Document("_id", id).append("v", version).append("ts", new Date(lastUpdated))
                .append("del", deleted).append("body", json).append("ix", index == null ? new Document() : index);
    }

    Document toHistory() {
        return new Document("_id", historyKey(id, version)).append("rid", id).append("v", version)
                .append("ts", new Date(lastUpdated)).append("del", deleted).append("body", json);
    }

    static String historyKey(String id, long version) {
        return id + "/" + version;
    }

    @Override
    public List<?> indexValues(String param) {
        Object values = index == null ? null : index.get(param);
        return values instanceof List<?> list ? list : List.of();
    }
}
