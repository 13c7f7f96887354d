package jp.renkei.hub.store;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;

/**
 * A check every stored record passes before the hub serves it, whatever the read path (read, vread, search,
 * history, includes, operations): a signed document whose content no longer matches its signature is never
 * served as if it were sound.
 */
public interface ReadCheck {

    /** @throws ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException when the record must not be served */
    void check(StoredResource stored, Resource resource);

    /** Every check in turn (signed documents, AuditEvents), for the read paths that take one. */
    static ReadCheck all(List<ReadCheck> checks) {
        List<ReadCheck> all = List.copyOf(checks);
        return (stored, resource) -> all.forEach(check -> check.check(stored, resource));
    }
}
