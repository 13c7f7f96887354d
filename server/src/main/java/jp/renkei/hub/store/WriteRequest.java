package jp.renkei.hub.store;

import org.hl7.fhir.r4.model.Resource;

/**
 * One resource change inside a write unit. {@code resource} is null for a delete; {@code ifMatch}
 * is the version the client last saw, or null when it did not say; {@code owner} is who is writing
 * ({@link AccessLabels#owner()}), recorded when the write creates the resource and kept after that.
 */
public record WriteRequest(String type, String id, Resource resource, Long ifMatch, String owner) {

    public boolean isDelete() {
        return resource == null;
    }
}
