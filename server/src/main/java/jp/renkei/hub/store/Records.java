package jp.renkei.hub.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The one way to read what the hub stores. A stored version ({@link StoredResource}) carries its labels, which decide
 * who may see it, and its JSON, which is not a resource yet: it becomes one only through {@link #resource}, which runs
 * every {@link ReadCheck} first, so a signed document or an AuditEvent changed in the database is refused on every path
 * that would act on it, the hub's own included. Writes go through {@link Writes}.
 */
public final class Records {

    private final ResourceStore store;
    private final FhirContext fhirContext;
    private final ObjectProvider<ReadCheck> checkProvider;
    /** Resolved on first use: the checks themselves read records. */
    private volatile ReadCheck checks;

    Records(ResourceStore store, FhirContext fhirContext, ObjectProvider<ReadCheck> checkProvider) {
        this.store = store;
        this.fhirContext = fhirContext;
        this.checkProvider = checkProvider;
    }

    /** A new resource id: time-ordered, unique across nodes. */
    public static String newId() {
        return ResourceStore.newId();
    }

    /** The current version (possibly a deletion), or null if the resource never existed. */
    public StoredResource read(String type, String id) {
        return store.read(type, id);
    }

    /** One committed version, or null. */
    public StoredResource readVersion(String type, String id, long version) {
        return store.readVersion(type, id, version);
    }

    /** Current versions in the order of {@code ids}; ids that do not exist are left out. */
    public List<StoredResource> readCurrent(String type, List<String> ids, boolean withBody) {
        return store.readCurrent(type, ids, withBody);
    }

    /** Committed versions for history keys ({@code id/version}) in the given order. */
    public List<StoredResource> readVersions(String type, List<String> historyKeys) {
        return store.readVersions(type, historyKeys);
    }

    /** The committed changes of watched types, for those who act on changes (notifications). */
    public ChangeFeed changeFeed() {
        return store.changeFeed();
    }

    /**
     * A stored version as a resource, once it passed every {@link ReadCheck}; a deletion becomes an empty resource
     * marked as a DELETE entry.
     *
     * @throws ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException when the record must not be used
     */
    public Resource resource(StoredResource stored) {
        Resource resource;
        if (stored.deleted()) {
            resource =
                    (Resource) fhirContext.getResourceDefinition(stored.type()).newInstance();
            ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(resource, BundleEntryTransactionMethodEnum.DELETE);
            ResourceMetadataKeyEnum.DELETED_AT.put(resource, new InstantType(new Date(stored.lastUpdated())));
        } else {
            resource = parse(stored);
            checks().check(stored, resource);
        }
        resource.setId(new IdType(stored.type(), stored.id(), Long.toString(stored.version())));
        return resource;
    }

    /** As {@link #resource(StoredResource)}, as the type the caller knows it to be. */
    public <T extends Resource> T resource(StoredResource stored, Class<T> type) {
        return type.cast(resource(stored));
    }

    /**
     * The stored JSON parsed without the {@link ReadCheck}s: only for the checks themselves and for reporting on a
     * record's integrity ({@code $verify}), which must see a changed record to say what changed.
     */
    public Resource unchecked(StoredResource stored) {
        return parse(stored);
    }

    private Resource parse(StoredResource stored) {
        return (Resource) fhirContext.newJsonParser().parseResource(stored.json());
    }

    private ReadCheck checks() {
        ReadCheck resolved = checks;
        if (resolved == null) {
            resolved = ReadCheck.all(checkProvider.orderedStream().toList());
            checks = resolved;
        }
        return resolved;
    }
}
