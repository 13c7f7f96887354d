package jp.renkei.hub.store;

import java.util.List;
import org.bson.Document;

/**
 * What the access rules need to know of a stored version, kept next to it so that reads, searches
 * and history decide without parsing bodies: the patients it is about ({@code Patient} ids), its
 * care-document, care-topic or medication-status kind (null when its type has none), the owner that
 * wrote it ({@code Organization/<id>}, or {@code user/<subject>} for people without an organisation), the
 * person who wrote it ({@code user/<subject>}: its individual author) and whom it is addressed to
 * ({@code Task.owner}: Organization, PractitionerRole or Practitioner references).
 */
public record AccessLabels(List<String> patients, String kind, String owner, String author, List<String> addressees) {

    public static final AccessLabels NONE = new AccessLabels(List.of(), null, null, null, List.of());

    public AccessLabels(List<String> patients, String kind, String owner) {
        this(patients, kind, owner, null, List.of());
    }

    /**
     * The individual who wrote the record: recorded since authors were kept apart from their
     * organisation; before that, only an owner without an organisation ({@code user/<subject>}) names
     * one, and an organisation's older records have no individual author.
     */
    @Override
    public String author() {
        return author != null ? author : owner != null && owner.startsWith("user/") ? owner : null;
    }

    public AccessLabels withWriter(String newOwner, String newAuthor) {
        return new AccessLabels(patients, kind, newOwner, newAuthor, addressees);
    }

    Document toDocument() {
        Document doc = new Document("p", patients);
        if (kind != null) {
            doc.append("k", kind);
        }
        if (owner != null) {
            doc.append("o", owner);
        }
        if (author != null) {
            doc.append("w", author);
        }
        if (!addressees.isEmpty()) {
            doc.append("a", addressees);
        }
        return doc;
    }

    static AccessLabels fromDocument(Document doc) {
        if (doc == null) {
            return null;
        }
        return new AccessLabels(
                doc.getList("p", String.class, List.of()),
                doc.getString("k"),
                doc.getString("o"),
                doc.getString("w"),
                doc.getList("a", String.class, List.of()));
    }
}
