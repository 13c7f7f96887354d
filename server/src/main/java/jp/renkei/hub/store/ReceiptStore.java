package jp.renkei.hub.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * Collections {@code notification_receipts} (one per record and person notified of it, keyed
 * {@code <Type>/<id>|<subject>}) and {@code notification_recipients} (each record's list of those people).
 * Every time is set only if earlier than the one stored ({@code $min}) or not yet stored, so writes in any
 * order, or repeated after a crash, keep the first. What counts as delivered or opened is notify.Receipts'.
 */
public final class ReceiptStore {

    /** Whom a notification about a record ({@code Type/id}) was for, and when it was stored. */
    public record Notified(String focus, String subject, String username, String identity, Date at) {}

    /** One person's receipt of one record; null times have not happened yet. */
    public record Receipt(
            String focus,
            String subject,
            String username,
            String identity,
            Date notified,
            Date delivered,
            Date opened) {}

    private final MongoCollection<Document> receipts;
    private final MongoCollection<Document> recipients;

    ReceiptStore(MongoDatabase db) {
        this.receipts = db.getCollection("notification_receipts");
        this.recipients = db.getCollection("notification_recipients");
    }

    /** Writes each receipt's earliest notification time and adds its person to the record's list, in two batches. */
    public void notified(Collection<Notified> notices) {
        List<WriteModel<Document>> receiptWrites = new ArrayList<>();
        List<WriteModel<Document>> listWrites = new ArrayList<>();
        for (Notified n : notices) {
            receiptWrites.add(new UpdateOneModel<>(
                    eq("_id", key(n.focus(), n.subject())),
                    Updates.combine(
                            Updates.set("sub", n.subject()), Updates.min("at", n.at()),
                            Updates.set("user", n.username()), Updates.set("who", n.identity())),
                    new UpdateOptions().upsert(true)));
            listWrites.add(new UpdateOneModel<>(
                    eq("_id", n.focus()), Updates.addToSet("subs", n.subject()), new UpdateOptions().upsert(true)));
        }
        receipts.bulkWrite(receiptWrites);
        recipients.bulkWrite(listWrites);
    }

    /** Sets the delivery time unless an earlier one is stored, creating the receipt if it does not exist yet. */
    public void delivered(String focus, String subject, Date at) {
        receipts.updateOne(
                eq("_id", key(focus, subject)),
                Updates.combine(Updates.set("sub", subject), Updates.min("dlv", at)),
                new UpdateOptions().upsert(true));
    }

    /** Sets the opening time (and the delivery time when {@code alsoDelivered}) of an existing receipt. */
    public void opened(String focus, String subject, Date at, boolean alsoDelivered) {
        receipts.updateOne(
                eq("_id", key(focus, subject)),
                alsoDelivered
                        ? Updates.combine(Updates.set("dlv", at), Updates.set("opn", at))
                        : Updates.set("opn", at));
    }

    /** The receipts of {@code subject} for these records ({@code Type/id}) that exist. */
    public List<Receipt> ofSubject(String subject, Collection<String> focuses) {
        return find(focuses.stream().map(f -> key(f, subject)).toList());
    }

    /** The receipts of everyone on the record's list, in no particular order. */
    public List<Receipt> ofRecord(String focus) {
        Document list = recipients.find(eq("_id", focus)).first();
        if (list == null) {
            return List.of();
        }
        return find(list.getList("subs", String.class, List.of()).stream()
                .map(s -> key(focus, s))
                .toList());
    }

    private List<Receipt> find(List<String> keys) {
        List<Receipt> out = new ArrayList<>();
        if (keys.isEmpty()) {
            return out;
        }
        for (Document doc : receipts.find(in("_id", keys))) {
            String id = doc.getString("_id");
            out.add(new Receipt(
                    id.substring(0, id.indexOf('|')),
                    doc.getString("sub"),
                    doc.getString("user"),
                    doc.getString("who"),
                    doc.getDate("at"),
                    doc.getDate("dlv"),
                    doc.getDate("opn")));
        }
        return out;
    }

    private static String key(String focus, String subject) {
        return focus + "|" + subject;
    }
}
