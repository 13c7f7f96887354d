package jp.renkei.hub.store;

import java.util.Date;
import java.util.List;
import jp.renkei.hub.search.IndexedRecord;
import org.bson.Document;

/**
 * One version of a resource as stored: the FHIR JSON exactly as the hub wrote it (null for a
 * deletion), its access labels ({@link AccessLabels#NONE} for data written before labels existed: such a record
 * is about no patient, of no kind and owned by nobody) and, for
 * current versions, its search index.
 */
public record StoredResource(
        String type,
        String id,
        long version,
        long lastUpdated,
        boolean deleted,
        String json,
        Document index,
        AccessLabels labels)
        implements IndexedRecord {

    public StoredResource {
        labels = labels == null ? AccessLabels.NONE : labels;
    }

    static StoredResource fromCurrent(String type, Document doc) {
        return new StoredResource(
                type,
                doc.getString("_id"),
                doc.getLong("v"),
                doc.getDate("ts").getTime(),
                doc.getBoolean("del", false),
                doc.getString("body"),
                doc.get("ix", Document.class),
                AccessLabels.fromDocument(doc.get("lb", Document.class)));
    }

    static StoredResource fromHistory(String type, Document doc) {
        return new StoredResource(
                type,
                doc.getString("rid"),
                doc.getLong("v"),
                doc.getDate("ts").getTime(),
                doc.getBoolean("del", false),
                doc.getString("body"),
                null,
                AccessLabels.fromDocument(doc.get("lb", Document.class)));
    }

    Document toCurrent() {
        return new Document("_id", id)
                .append("v", version)
                .append("ts", new Date(lastUpdated))
                .append("del", deleted)
                .append("body", json)
                .append("ix", index == null ? new Document() : index)
                .append("lb", labelsDocument());
    }

    Document toHistory() {
        return new Document("_id", historyKey(id, version))
                .append("rid", id)
                .append("v", version)
                .append("ts", new Date(lastUpdated))
                .append("del", deleted)
                .append("body", json)
                .append("lb", labelsDocument());
    }

    private Document labelsDocument() {
        return labels.toDocument();
    }

    /** The key of this version in a history listing: {@code id/version}. */
    public String historyKey() {
        return historyKey(id, version);
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
