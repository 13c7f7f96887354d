package jp.renkei.hub.notify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.audit.RecordsShown;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.ReceiptStore;

/**
 * Who was told of a record and what became of it: for each record and each person notified of it,
 * when the first notification was sent, when it first reached their client (the socket took it, or
 * they fetched it with {@code $events}) and when they first opened the record. So a discharge nurse
 * sees that the care manager received and opened the handoff. Kept in {@code notification_receipts}
 * ({@code <Type>/<id>|<subject>}) with a per-record list of the people ({@code notification_recipients}), both
 * store.ReceiptStore's.
 */
class Receipts implements RecordsShown {

    /** One person's receipt of one record; null times have not happened yet. */
    public record Receipt(
            String subject, String username, String identity, Date notified, Date delivered, Date opened) {}

    private static final Set<String> OPENING = Set.of("read", "vread", "update", "$pdf");
    private static final Set<String> WATCHED = Topic.watchedTypes();

    private final ReceiptStore store;
    private final Subscriptions subscriptions;

    public Receipts(ReceiptStore store, Subscriptions subscriptions) {
        this.store = store;
        this.subscriptions = subscriptions;
    }

    /** Notifications about these records were stored for these owners: {@code focus} → owner. */
    void notified(List<Notice> notices) {
        if (notices.isEmpty()) {
            return;
        }
        Map<String, Notice> unique = new LinkedHashMap<>();
        notices.forEach(n -> unique.putIfAbsent(n.focus() + "|" + n.owner().subject(), n));
        // the earliest notification counts, whether this runs first or is caught up after a crash
        store.notified(unique.values().stream()
                .map(n -> new ReceiptStore.Notified(
                        n.focus(),
                        n.owner().subject(),
                        n.owner().username(),
                        n.owner().fhirIdentity() == null ? "" : n.owner().fhirIdentity(),
                        new Date(n.at())))
                .toList());
    }

    /**
     * A notification about {@code focus} reached {@code subject}'s client. The push comes before the receipt
     * of its notification is written, so this may be first: it creates the receipt, and the earliest time counts.
     */
    void delivered(String focus, String subject) {
        store.delivered(focus, subject, new Date());
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
        List<String> focuses = new ArrayList<>();
        for (String record : records) {
            String[] parts = record.split("/");
            if (parts.length >= 2 && WATCHED.contains(parts[0])) {
                focuses.add(parts[0] + "/" + parts[1]);
            }
        }
        if (focuses.isEmpty()) {
            return;
        }
        Date now = new Date();
        for (ReceiptStore.Receipt receipt : store.ofSubject(caller.subject(), focuses)) {
            if (receipt.opened() == null) {
                // opening implies it arrived, whichever way
                store.opened(receipt.focus(), caller.subject(), now, receipt.delivered() == null);
            }
        }
    }

    /** Everyone notified of the record, in the order they were first notified. */
    public List<Receipt> of(String focus) {
        List<Receipt> out = new ArrayList<>();
        for (ReceiptStore.Receipt stored : store.ofRecord(focus)) {
            if (stored.notified() == null) {
                continue; // delivered a moment before its notification's receipt is written
            }
            out.add(new Receipt(
                    stored.subject(),
                    stored.username(),
                    stored.identity(),
                    stored.notified(),
                    stored.delivered(),
                    stored.opened()));
        }
        out.sort(Comparator.comparing(Receipt::notified));
        return out;
    }

    /** One stored notification: its record ({@code Type/id}), whom it was for, and when. */
    record Notice(String focus, Caller owner, long at) {}
}
