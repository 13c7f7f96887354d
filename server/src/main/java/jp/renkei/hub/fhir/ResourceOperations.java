package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.util.UrlUtil;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.context.Permission;
import jp.renkei.hub.search.SearchParameterRegistry;
import jp.renkei.hub.search.SearchQuery;
import jp.renkei.hub.store.AccessLabels;
import jp.renkei.hub.store.Labeler;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.VersionConflictException;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.WriteRule;
import jp.renkei.hub.store.Writes;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * The FHIR meaning of each interaction, shared by the REST providers and by transaction and batch
 * Bundles so both behave identically: what 404 and 410 mean, how conditional create matches, which
 * ids a client may choose, and how a stored version becomes a resource again. Every read, search,
 * history and write passes through {@link AccessGuard} here.
 */
@Component
public class ResourceOperations {

    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    private final FhirContext fhirContext;
    private final Records records;
    private final Writes writes;
    private final SearchExecutor searchExecutor;
    private final SearchParameterRegistry registry;
    private final FhirProperties properties;
    private final AccessGuard guard;
    private final List<SearchExpansion> expansions;
    private final Labeler labeler;
    private final ReentrantLock conditionalCreates = new ReentrantLock();

    public ResourceOperations(
            FhirContext fhirContext,
            Records records,
            Writes writes,
            SearchExecutor searchExecutor,
            SearchParameterRegistry registry,
            FhirProperties properties,
            AccessGuard guard,
            List<SearchExpansion> expansions,
            Labeler labeler) {
        this.fhirContext = fhirContext;
        this.records = records;
        this.writes = writes;
        this.searchExecutor = searchExecutor;
        this.registry = registry;
        this.properties = properties;
        this.guard = guard;
        this.expansions = List.copyOf(expansions);
        this.labeler = labeler;
    }

    /** The write rules in the order they run ({@link WriteRule#inOrder}). */
    List<WriteRule> writeRules() {
        return writes.rules();
    }

    /** What the hub stores, for the result pages and operations that read it themselves and then ask {@link #visible}. */
    public Records records() {
        return records;
    }

    /** The current version; 404 if it never existed or the caller may not know of it, 410 if it was deleted. */
    public StoredResource readCurrent(String type, String id) {
        StoredResource current = readCurrentOrDeleted(type, id);
        if (current.deleted()) {
            throw new ResourceGoneException(type + "/" + id + " was deleted (version " + current.version() + ")");
        }
        return current;
    }

    /** The current state, deleted or not; 404 only if it never existed. */
    public StoredResource readCurrentOrDeleted(String type, String id) {
        StoredResource current = records.read(type, id);
        if (current == null) {
            throw new ResourceNotFoundException(notKnown(type, id));
        }
        guard.checkRead(current, notKnown(type, id));
        touched(current);
        return current;
    }

    /** Tells the audit trail that the caller saw or wrote this version. */
    private static void touched(StoredResource stored) {
        if (stored != null) {
            AccessRecord.touched(
                    stored.type(),
                    stored.id(),
                    stored.version(),
                    stored.labels().patients());
        }
    }

    private static String notKnown(String type, String id) {
        return type + "/" + id + " is not known";
    }

    public StoredResource readVersion(String type, String id, String version) {
        long v;
        try {
            v = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Version '" + version + "' is not a number");
        }
        StoredResource stored = records.readVersion(type, id, v);
        String notKnown = type + "/" + id + "/_history/" + version + " is not known";
        if (stored == null) {
            throw new ResourceNotFoundException(notKnown);
        }
        // The record as it is now must be visible too: moving it to another patient closes its past.
        StoredResource current = records.read(type, id);
        if (current != null && current.version() != stored.version()) {
            guard.checkRead(current, notKnown);
        }
        guard.checkRead(stored, notKnown);
        touched(stored);
        if (stored.deleted()) {
            throw new ResourceGoneException(type + "/" + id + "/_history/" + version + " is a deletion");
        }
        return stored;
    }

    /**
     * As {@link Records#resource}, but a record the hub refuses to serve (it failed its integrity check) becomes the
     * OperationOutcome saying why, for answers that list several records and must not fail for one.
     */
    public Resource toResourceOrRefusal(StoredResource stored) {
        try {
            return records.resource(stored);
        } catch (BaseServerResponseException refused) {
            return (OperationOutcome) refused.getOperationOutcome();
        }
    }

    public SearchQuery parseQuery(String type, Map<String, String[]> parameters) {
        Map<String, String[]> expanded = parameters;
        for (SearchExpansion expansion : expansions) {
            expanded = expansion.expand(type, expanded);
        }
        return SearchQuery.parse(type, expanded, registry, properties.timeZone());
    }

    /** Ids of the matches the caller may see; 403 when they may read no record of the type. */
    public List<String> search(SearchQuery query) {
        guard.checkSearch(query.type());
        return guard.visible(searchExecutor.searchRecords(query), Permission.SEARCH).stream()
                .map(StoredResource::id)
                .toList();
    }

    /** Who is asking, for binding their result lists to them: the token's issuer-unique subject. */
    public String callerKey() {
        return guard.caller().subject();
    }

    /** History keys ({@code id/version}) of the versions of one resource the caller may see, newest first. */
    public List<String> instanceHistory(String type, String id, long sinceMillis) {
        readCurrentOrDeleted(type, id);
        return historyKeys(guard.visible(searchExecutor.instanceHistory(type, id, sinceMillis), Permission.READ));
    }

    /** History keys of the versions of a type the caller may see, newest first. */
    public List<String> typeHistory(String type, long sinceMillis) {
        guard.checkSearch(type);
        return historyKeys(visibleVersions(type, searchExecutor.typeHistory(type, sinceMillis), Permission.SEARCH));
    }

    /**
     * History keys ({@code Type/id/version}) of the versions of every type the caller may see, newest first (the system
     * history); types the caller may never read are left out rather than refused.
     */
    public List<String> systemHistory(long sinceMillis) {
        List<StoredResource> versions = new ArrayList<>();
        for (String type : registry.resourceTypes()) {
            if (guard.maySearch(type)) {
                versions.addAll(
                        visibleVersions(type, searchExecutor.typeHistory(type, sinceMillis), Permission.SEARCH));
            }
        }
        versions.sort(java.util.Comparator.comparingLong(StoredResource::lastUpdated)
                .reversed()
                .thenComparing(StoredResource::type)
                .thenComparing(StoredResource::id)
                .thenComparing(java.util.Comparator.comparingLong(StoredResource::version)
                        .reversed()));
        return versions.stream().map(v -> v.type() + "/" + v.historyKey()).toList();
    }

    /**
     * Current records of {@code source} whose reference parameter {@code param} names one of {@code references}
     * ({@code Type/id}) and that the caller may read ({@code _revinclude}); none when the caller may never read the type.
     */
    public List<StoredResource> referringTo(String source, String param, List<String> references) {
        if (references.isEmpty() || !guard.maySearch(source)) {
            return List.of();
        }
        SearchQuery query = parseQuery(source, Map.of(param, new String[] {String.join(",", references)}));
        List<String> ids = guard.visible(searchExecutor.searchRecords(query), Permission.READ).stream()
                .map(StoredResource::id)
                .toList();
        return visible(records.readCurrent(source, new ArrayList<>(ids), true), Permission.READ);
    }

    /** Current records the caller may read, for the hub's own operations; nothing is recorded as shown yet. */
    public List<StoredResource> readable(List<StoredResource> current, Permission permission) {
        return guard.visible(current, permission);
    }

    /**
     * Versions the caller may see: each by its own labels and by the labels of its record as it is
     * now, so a record moved to another patient (or to a kind the caller may not read) takes its past
     * with it, as instance history and vread do.
     */
    public List<StoredResource> visibleVersions(String type, List<StoredResource> versions, Permission permission) {
        List<StoredResource> shown = guard.visible(versions, permission);
        if (shown.isEmpty()) {
            return shown;
        }
        List<String> ids = shown.stream().map(StoredResource::id).distinct().toList();
        Set<String> visibleNow =
                guard.visible(records.readCurrent(type, new ArrayList<>(ids), false), permission).stream()
                        .map(StoredResource::id)
                        .collect(Collectors.toSet());
        return shown.stream().filter(v -> visibleNow.contains(v.id())).toList();
    }

    private static List<String> historyKeys(List<StoredResource> versions) {
        return versions.stream().map(StoredResource::historyKey).toList();
    }

    /**
     * The records of a result page the caller may still see: a page is checked again when it is
     * served, so a care team change takes effect on the next page too.
     */
    public List<StoredResource> visible(List<StoredResource> records, Permission permission) {
        List<StoredResource> shown = guard.visible(records, permission);
        shown.forEach(ResourceOperations::touched);
        return shown;
    }

    /**
     * The id a condition ({@code If-None-Exist}, or the search of a conditional delete, named by {@code what})
     * matches among the records the caller may see, or null when nothing matches. Several matches are a 412,
     * as the specification requires.
     */
    public String matchCondition(String type, String condition, String what) {
        String query = condition.contains("?") ? condition.substring(condition.indexOf('?') + 1) : condition;
        SearchQuery parsed = parseQuery(type, UrlUtil.parseQueryString(query));
        if (parsed.criteria().isEmpty()) {
            // _count or _sort alone select every record: the condition would match whatever happens to be there
            throw new InvalidRequestException(what + " '" + condition + "' has no search parameters");
        }
        List<String> ids = search(parsed);
        if (ids.size() > 1) {
            throw new PreconditionFailedException(
                    what + " '" + condition + "' matches " + ids.size() + " resources; it must match at most one");
        }
        return ids.isEmpty() ? null : ids.get(0);
    }

    /**
     * A create; a document the caller's side already sent under the same {@code Bundle.identifier} is that record
     * again: restated ({@link #unchanged}) or, changed, its next version, pinned to the version found.
     */
    public WriteRequest createRequest(String type, Resource resource) {
        requireWritable(type);
        StoredResource sent = resource instanceof Bundle document ? sentBefore(document) : null;
        if (sent != null) {
            return new WriteRequest(type, sent.id(), resource, sent.version(), guard.owner(), guard.author());
        }
        return new WriteRequest(type, Records.newId(), resource, null, guard.owner(), guard.author());
    }

    /** Whether a create names what it is (a document its identifier): run it like a conditional create ({@link #conditionally}). */
    public static boolean identifiesItself(Resource resource) {
        return resource instanceof Bundle bundle
                && bundle.getType() == Bundle.BundleType.DOCUMENT
                && bundle.getIdentifier().hasSystem()
                && bundle.getIdentifier().hasValue();
    }

    /**
     * The current document with this {@code Bundle.identifier} that the caller's organisation wrote and the caller may
     * read, or null: a document is known by its identifier (FHIR's bdl-9), so sending it again is sending the same
     * record. Nobody else's documents count, so the lookup reveals nothing of them.
     */
    private StoredResource sentBefore(Bundle document) {
        if (!identifiesItself(document)) {
            return null;
        }
        Identifier identifier = document.getIdentifier();
        String token = (identifier.getSystem() + "|" + identifier.getValue())
                .replace(",", "\\,")
                .replace("$", "\\$");
        SearchQuery query = SearchQuery.parse(
                "Bundle",
                Map.of("identifier", new String[] {token}, "type", new String[] {"document"}),
                registry,
                properties.timeZone());
        String owner = guard.owner();
        List<StoredResource> same = guard.visible(searchExecutor.searchRecords(query), Permission.READ).stream()
                .filter(r -> Objects.equals(owner, r.labels().owner()))
                .toList();
        if (same.size() > 1) {
            throw new PreconditionFailedException(
                    "Bundle.identifier " + identifier.getSystem() + "|" + identifier.getValue() + " は " + same.size()
                            + " 件の文書に一致します (matches " + same.size() + " documents; it must identify one)");
        }
        return same.isEmpty() ? null : same.get(0);
    }

    /**
     * The current version when writing {@code request} would restate it, else null: a write that says what the
     * record already says stores nothing (no new version, no notification). It is refused exactly as the update
     * would be (by the policy and the rules that judge content), so only those who may read and change the record learn
     * that it is unchanged, and invalid content is refused even when it is what is stored. What a record says is
     * its content without {@code id}, {@code meta} and the hub's stamps ({@link WriteRule#stamps}); a document's
     * signature counts only when the writer sends one (a resend without it is the same document, sealed or not). A
     * write that would label the record anew (its kind under a changed mapping) is a write.
     */
    public StoredResource unchanged(WriteRequest request) {
        if (request.isDelete()) {
            return null;
        }
        StoredResource current = records.read(request.type(), request.id());
        if (current == null
                || current.deleted()
                || (request.ifMatch() != null && request.ifMatch() != current.version())
                || !sameLabels(request, current)
                || !sameContent(request.resource(), current)) {
            return null;
        }
        guard.checkUpdate(current, request.type(), request.id(), request.resource());
        writes.judgeContent(request, current, guard.caller());
        touched(current);
        return current;
    }

    /** The patients, kind and addressees the record would be labelled with are its current ones (a changed mapping relabels). */
    private boolean sameLabels(WriteRequest request, StoredResource current) {
        AccessLabels now = current.labels();
        AccessLabels would = labeler.label(request.id(), request.resource());
        return now != null
                && now.patients().equals(would.patients())
                && Objects.equals(now.kind(), would.kind())
                && now.addressees().equals(would.addressees());
    }

    private boolean sameContent(Resource proposed, StoredResource current) {
        if (!proposed.fhirType().equals(current.type())) {
            return false;
        }
        var parser = fhirContext.newJsonParser();
        Resource now = records.resource(current);
        boolean signed = proposed instanceof Bundle bundle && bundle.hasSignature();
        return parser.encodeResourceToString(content(proposed, signed))
                .equals(parser.encodeResourceToString(content(now, signed)));
    }

    private Resource content(Resource resource, boolean withSignature) {
        Resource copy = resource.copy();
        copy.setIdElement(null);
        copy.setMeta(null);
        if (copy instanceof DomainResource record) {
            record.getExtension().removeIf(e -> writes.stamps().contains(e.getUrl()));
        }
        if (copy instanceof Bundle bundle && !withSignature) {
            bundle.setSignature(null);
        }
        return copy;
    }

    /**
     * {@code If-None-Match: *} on an update: create only. 412 when the record exists, whatever it says, so that a data
     * load run again leaves what it finds, including records its loader may neither read nor change (the Consents the
     * hub administrator recorded). Only roles that choose ids create this way; anyone else gets the 405 of any PUT to an id they may not create.
     */
    public void requireAbsent(String type, String id, String ifNoneMatch) {
        if (!"*".equals(ifNoneMatch.trim())) {
            throw new InvalidRequestException(
                    "If-None-Match on an update takes only * (create only), not '" + ifNoneMatch + "'");
        }
        StoredResource current = records.read(type, id);
        if (current != null && !current.deleted()) {
            guard.checkClientAssignedId(type, id);
            throw new PreconditionFailedException(type + "/" + id + " は既にあります。If-None-Match: * は新規作成だけを行います (" + type
                    + "/" + id + " already exists; an update with If-None-Match: * only creates)");
        }
    }

    public WriteRequest updateRequest(String type, String id, Resource resource, Long ifMatch) {
        requireWritable(type);
        requireValidId(id);
        if (records.read(type, id) == null) {
            guard.checkClientAssignedId(type, id);
        }
        return new WriteRequest(type, id, resource, ifMatch, guard.owner(), guard.author());
    }

    /** 404 when there is nothing to delete; deleting a deleted resource is allowed and writes nothing. */
    public WriteRequest deleteRequest(String type, String id, Long ifMatch) {
        requireWritable(type);
        readCurrentOrDeleted(type, id);
        return new WriteRequest(type, id, null, ifMatch, guard.owner(), guard.author());
    }

    /**
     * A conditional delete ({@code DELETE Type?params}, REST or Bundle entry): the delete of the one record its search
     * matches among those the caller may see, or null when nothing matches (nothing is deleted; a record hidden from the
     * caller is neither deleted nor revealed). Several matches are a 412, since the hub deletes one resource at a time
     * ({@code conditionalDelete: single}). Without an {@code If-Match} the version that matched is the one deleted, so a
     * change in between answers 412 instead of deleting what may no longer match.
     */
    public WriteRequest conditionalDeleteRequest(String type, String condition, Long ifMatch) {
        requireWritable(type);
        if (!registry.conditionalDelete(type)) {
            throw new MethodNotAllowedException(
                    "Conditional delete is not supported for " + type + "; delete by id (DELETE " + type + "/[id])");
        }
        String match = matchCondition(type, condition, "Conditional delete");
        if (match == null) {
            return null;
        }
        StoredResource current = readCurrentOrDeleted(type, match);
        return current.deleted()
                ? null
                : new WriteRequest(type, match, null, ifMatch != null ? ifMatch : current.version(), guard.owner());
    }

    /**
     * Judges a write exactly as {@link #write} would (access, consent, validation, every {@link WriteRule}) and writes
     * nothing: what the caller is told before sending, such as a document's print preview.
     */
    public void judge(WriteRequest request) {
        authorize(request);
    }

    /** Writes one create, update or delete the caller is allowed to make, once the {@link WriteRule}s pass. */
    public StoredResource write(WriteRequest request) {
        StoredResource before = authorize(request);
        List<StoredResource> written =
                writes.commit(List.of(request), Collections.singletonList(before), guard.caller());
        written.forEach(ResourceOperations::touched);
        return written.get(0);
    }

    /**
     * Writes a transaction's entries as one unit once every entry is allowed. Each entry is judged
     * with the entries before it in place, so registering a patient and their care team, and
     * writing records about them, can be one transaction.
     */
    public List<StoredResource> writeTransaction(List<WriteRequest> requests) {
        List<StoredResource> befores = new ArrayList<>();
        for (WriteRequest request : requests) {
            befores.add(authorize(request));
            guard.stage(request);
        }
        List<StoredResource> written = writes.commit(requests, befores, guard.caller());
        written.forEach(ResourceOperations::touched);
        return written.subList(0, requests.size());
    }

    /** Checks the write against the policy, then has it judged ({@link Writes#judge}); returns the record as it was before. */
    private StoredResource authorize(WriteRequest request) {
        StoredResource before = records.read(request.type(), request.id());
        if (request.isDelete()) {
            if (before != null) {
                guard.checkDelete(before);
            }
        } else {
            guard.checkUpdate(before, request.type(), request.id(), request.resource());
            requireNamedVersion(request, before);
            writes.judge(request, before, guard.caller());
        }
        return before;
    }

    /**
     * {@code If-Match} is judged before what the write would do (RFC 9110 §13.2.2): a writer that read an older version
     * is told so (412) rather than why its change would not apply to that version, which it never saw. The store checks
     * the version again when it writes.
     */
    private static void requireNamedVersion(WriteRequest request, StoredResource before) {
        if (request.ifMatch() != null && before != null && before.version() != request.ifMatch()) {
            throw new VersionConflictException(
                    request.type() + "/" + request.id() + " は別の版に変わっています (If-Match names version " + request.ifMatch()
                            + " but the current version is " + before.version() + ")",
                    true);
        }
    }

    public void requireWritable(String type) {
        if (!registry.resourceTypes().contains(type)) {
            throw new InvalidRequestException("Resource type '" + type + "' is not supported by this server");
        }
        if (registry.isReadOnly(type)) {
            throw new InvalidRequestException(type + " resources are written by the hub itself and cannot be created,"
                    + " changed or deleted through the API");
        }
    }

    private static void requireValidId(String id) {
        if (id == null || !FHIR_ID.matcher(id).matches()) {
            throw new InvalidRequestException("'" + id + "' is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .)");
        }
    }

    /**
     * Runs a conditional create (search, then create if nothing matched) so that two concurrent ones
     * with the same condition cannot both create. The embedded store has no unique secondary indexes
     * to lean on, so this serialises conditional creates within this hub process (they are rare:
     * integrations that must not duplicate a patient or an organisation). Hubs sharing one MongoDB
     * are not covered; see docs/architecture.md.
     */
    public <T> T conditionally(Supplier<T> searchThenCreate) {
        conditionalCreates.lock();
        try {
            return searchThenCreate.get();
        } finally {
            conditionalCreates.unlock();
        }
    }

    /** What a write did, as an information issue tells it ({@code Prefer: return=OperationOutcome}). */
    public enum Done {
        CREATED("を作成しました", "created"),
        UPDATED("を更新しました", "updated"),
        MATCHED("が If-None-Exist に一致しました。何も作成していません", "matched If-None-Exist; nothing was created"),
        UNCHANGED("は既にこの内容です。何も書き込んでいません", "unchanged: it already says this; nothing was written"),
        DELETED("を削除しました", "deleted");

        private final String japanese;
        private final String english;

        Done(String japanese, String english) {
            this.japanese = japanese;
            this.english = english;
        }

        public String told(StoredResource stored) {
            return stored.type() + "/" + stored.id() + " " + japanese + " (" + english + "; version " + stored.version()
                    + ")";
        }
    }

    /** The version an {@code If-Match} ETag ({@code W/"3"} or {@code "3"}) names, or null without one. */
    public static Long ifMatchVersion(String etag, String where) {
        if (etag == null || etag.isBlank()) {
            return null;
        }
        String v = etag.trim().replaceFirst("^W/", "").replace("\"", "").trim();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(where + "If-Match '" + etag + "' is not a version ETag such as W/\"3\"");
        }
    }

    public static Long version(IdType id) {
        if (id == null || !id.hasVersionIdPart()) {
            return null;
        }
        try {
            return Long.parseLong(id.getVersionIdPart());
        } catch (NumberFormatException e) {
            throw new PreconditionFailedException(
                    "If-Match version '" + id.getVersionIdPart() + "' is not a version of this server");
        }
    }
}
