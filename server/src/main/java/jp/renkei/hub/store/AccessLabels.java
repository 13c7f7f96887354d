package jp.renkei.hub.store;

import java.util.List;
import org.bson.Document;

/**
 * What the access rules need to know of a stored version, kept next to it so that reads, searches
 * and history decide without parsing bodies: the patients it is about ({@code Patient} ids), its
 * care-document or care-topic kind (null when its type has none) and the owner that wrote it
 * ({@code Organization/<id>}, or {@code user/<subject>} for people without an organisation).
 */
public record AccessLabels(List<String> patients, String kind, String owner) {

    public static final AccessLabels NONE = new AccessLabels(List.of(), null, null);

    public AccessLabels withOwner(String newOwner) {
        return new AccessLabels(patients, kind, newOwner);
    }

    Document toDocument() {
        Document doc = new Document("p", patients);
        if (kind != null) {
            doc.append("k", kind);
        }
        if (owner != null) {
            doc.append("o", owner);
        }
        return doc;
    }

    static AccessLabels fromDocument(Document doc) {
        if (doc == null) {
            return null;
        }
        return new AccessLabels(doc.getList("p", String.class, List.of()), doc.getString("k"), doc.getString("o"));
    }
}
