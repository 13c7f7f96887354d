package jp.renkei.hub.fhir;

import jp.renkei.hub.access.Caller;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;

/**
 * What a resource must satisfy, and what the hub adds to it, whenever a client writes it: after the
 * access decision, before anything is stored, for REST, transaction and batch writes alike. A rule
 * may complete {@code request.resource()} (e.g. stamp who recorded it) or refuse the write with an
 * {@code UnprocessableEntityException} naming the element at fault; a refused transaction stores nothing.
 */
public interface WriteRule {

    /** @param before the version being replaced, or null (or a deletion) when the write creates the resource */
    void apply(WriteRequest request, StoredResource before, Caller caller);
}
