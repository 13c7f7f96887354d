package jp.renkei.hub.notify;

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
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.audit.RecordsShown;
import org.bson.Document;

/**
 * Who was told of a record and what became of it: for each record and each person notified of it,
 * when the first notification was sent, when it first reached their client (the socket took it, or
 * they fetched it with {@code $events}) and when they first opened the record. So a discharge nurse
 * sees that the care manager received and opened the handoff. Kept in {@code notification_receipts}
 * ({@code <Type>/<id>|<subject>}) with a per-record list of the people ({@code notification_recipients}).
 */
class Receipts implements RecordsShown {

    /** One person's receipt of one record; null times have not happened yet. */
    public record Receipt(String subject, String username, String identity, Date notified, Date delivered, Date opened) {
    }

    private static final Set<String> OPENING = Set.of("read", "vread", "update", "$pdf");
    private static final Set<String> WATCHED = Topic.watchedTypes();

    private final MongoCollection<Document> receipts;
    private final MongoCollection<Document> recipients;
    private final Subscriptions subscriptions;

    public Receipts(MongoDatabase db, Subscriptions subscriptions) {
        this.receipts = db.getCollection("notification_receipts");
        this.recipients = db.getCollection("notification_recipients");
        this.subscriptions = subscriptions;
    }

    /** Notifications about these records were stored for these owners: {@code focus} → owner. */
    void notified(List<Notice> notices) {
        if (notices.isEmpty()) {
            return;
        }
        Map<String, Notice> unique = new LinkedHashMap<>();
        notices.forEach(n -> unique.putIfAbsent(key(n.focus(), n.owner().subject()), n));
        List<WriteModel<Document>> receiptWrites = new ArrayList<>();
        List<WriteModel<Document>> listWrites = new ArrayList<>();
        for (Map.Entry<String, Notice> e : unique.entrySet()) {
            Notice n = e.getValue();
            // $min: the earliest notification counts, whether this runs first or is caught up after a crash
            receiptWrites.add(new UpdateOneModel<>(eq("_id", e.getKey()), Updates.combine(
                    Updates.set("sub", n.owner().subject()), Updates.min("at", new Date(n.at())),
                    Updates.set("user", n.owner().username()),
                    Updates.set("who", n.owner().fhirIdentity() == null ? "" : n.owner().fhirIdentity())),
                    new UpdateOptions().upsert(true)));
            listWrites.add(new UpdateOneModel<>(eq("_id", n.focus()), Updates.addToSet("subs", n.owner().subject()),
                    new UpdateOptions().upsert(true)));
        }
        receipts.bulkWrite(receiptWrites);
        recipients.bulkWrite(listWrites);
    }

    /**
     * A notification about {@code focus} reached {@code subject}'s client. The push comes before the receipt
     * of its notification is written, so this may be first: it creates the receipt, and the earliest time counts.
     */
    void delivered(String focus, String subject) {
        receipts.updateOne(eq("_id", key(focus, subject)),
                Updates.combine(Updates.set("sub", subject), Updates.min("dlv", new Date())), new UpdateOptions().upsert(true));
    }

    /**
     * Reading one record (read, vread, printing it) or answering it (update) is opening it; appearing in a
     * search result is not. The first time counts. One lookup per request, writes only the first time.
     */
    @Override
    public void shown(Caller caller, String interaction, Collection<String> records) {
        if (!OPENING.contains(interaction) || caller.unrestricted() || !subscriptions.hasOwner(caller.subject())) {
            return;
        }
        List<String> keys = new ArrayList<>();
        for (String record : records) {
            String[] parts = record.split("/");
            if (parts.length >= 2 && WATCHED.contains(parts[0])) {
                keys.add(key(parts[0] + "/" + parts[1], caller.subject()));
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        Date now = new Date();
        for (Document doc : receipts.find(in("_id", keys))) {
            if (doc.get("opn") == null) {
                // opening implies it arrived, whichever way
                receipts.updateOne(eq("_id", doc.getString("_id")), doc.get("dlv") == null
                        ? Updates.combine(Updates.set("dlv", now), Updates.set("opn", now)) : Updates.set("opn", now));
            }
        }
    }

    /** Everyone notified of the record, in the order they were first notified. */
    public List<Receipt> of(String focus) {
        Document list = recipients.find(eq("_id", focus)).first();
        if (list == null) {
            return List.of();
        }
        List<String> keys = list.getList("subs", String.class, List.of()).stream().map(s -> key(focus, s)).toList();
        List<Receipt> out = new ArrayList<>();
        for (Document doc : receipts.find(in("_id", keys))) {
            if (doc.getDate("at") == null) {
                continue; // delivered a moment before its notification's receipt is written
            }
            out.add(new Receipt(doc.getString("sub"), doc.getString("user"), doc.getString("who"), doc.getDate("at"),
                    doc.getDate("dlv"), doc.getDate("opn")));
        }
        out.sort(Comparator.comparing(Receipt::notified));
        return out;
    }

    private static String key(String focus, String subject) {
        return focus + "|" + subject;
    }

    /** One stored notification: its record ({@code Type/id}), whom it was for, and when. */
    record Notice(String focus, Caller owner, long at) {
    }
}
