package jp.renkei.hub.store;

import org.hl7.fhir.r4.model.Resource;

/**
 * One resource change inside a write unit. {@code resource} is null for a delete; {@code ifMatch}
 * is the version the client last saw, or null when it did not say; {@code owner} and {@code author}
 * are who is writing ({@link AccessLabels#owner()}: their organisation; {@link AccessLabels#author()}:
 * themself), recorded when the write creates the resource and kept after that. The hub's own changes to
 * existing records name neither.
 */
public record WriteRequest(String type, String id, Resource resource, Long ifMatch, String owner, String author) {

    /** A change by the hub itself, or by a writer known only by their owner key (test fixtures, data loads). */
    public WriteRequest(String type, String id, Resource resource, Long ifMatch, String owner) {
        this(type, id, resource, ifMatch, owner, null);
    }

    public boolean isDelete() {
        return resource == null;
    }
}
