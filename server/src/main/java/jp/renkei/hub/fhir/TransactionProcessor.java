package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.PreferReturnEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.util.FhirTerser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleEntryRequestComponent;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Transaction and batch Bundles. A transaction is prepared completely (ids assigned, {@code urn:uuid:}
 * references rewritten, conditions resolved, every entry checked) and then written as one atomic
 * store unit, so a failing entry leaves nothing written. A batch runs each entry on its own and
 * reports each entry's outcome.
 */
@Component
class TransactionProcessor {

    private final FhirContext fhirContext;
    private final ResourceOperations operations;
    private final BundleReads reads;

    public TransactionProcessor(FhirContext fhirContext, ResourceOperations operations, BundleReads reads) {
        this.fhirContext = fhirContext;
        this.operations = operations;
        this.reads = reads;
    }

    /** {@code request} gives the server base for links and the {@code Prefer} header that shapes each write entry. */
    public Bundle process(Bundle bundle, RequestDetails request) {
        Answer answer = new Answer(
                request.getFhirServerBase(),
                RestfulServerUtils.parsePreferHeader(request.getHeader("Prefer"))
                        .getReturn());
        if (bundle.getType() == Bundle.BundleType.TRANSACTION) {
            boolean conditional = bundle.getEntry().stream().anyMatch(TransactionProcessor::conditional);
            return conditional
                    ? operations.conditionally(() -> transaction(bundle, answer))
                    : transaction(bundle, answer);
        }
        if (bundle.getType() == Bundle.BundleType.BATCH) {
            return batch(bundle, answer);
        }
        throw new InvalidRequestException("Bundle.type must be 'transaction' or 'batch' to be processed, not '"
                + (bundle.getType() == null ? "" : bundle.getType().toCode()) + "'");
    }

    /**
     * bdl-7: entries sharing a fullUrl must be different versions of one resource (meta.versionId). In a transaction or
     * batch the version is the hub's to assign, so no two entries may share a fullUrl: references to it would be
     * ambiguous, and both entries would be written. Checked before anything is, for batches too.
     */
    private static void requireUniqueFullUrls(Bundle bundle) {
        Map<String, Integer> seen = new HashMap<>();
        List<BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            if (!entries.get(i).hasFullUrl()) {
                continue;
            }
            Integer first = seen.putIfAbsent(entries.get(i).getFullUrl(), i);
            if (first != null) {
                throw OperationOutcomes.invalid(
                        OperationOutcome.IssueType.INVARIANT,
                        "Bundle.entry[" + i + "].fullUrl",
                        "Bundle の entry " + first + " と " + i + " が同じ fullUrl です (bdl-7: entries " + first + " and " + i
                                + " share one fullUrl; a fullUrl must be unique in a "
                                + bundle.getType().toCode() + ")");
            }
        }
    }

    /**
     * The writes are planned in the Bundle's order (each judged with the entries before it in place) and stored as one
     * unit; the GET entries are then answered, after every write as http.html#transaction orders them, so they read what
     * the transaction wrote. A read changes nothing, so a GET that fails answers in its own entry, as in a batch.
     */
    private Bundle transaction(Bundle bundle, Answer answer) {
        requireUniqueFullUrls(bundle);
        List<BundleEntryComponent> entries = bundle.getEntry();
        Map<String, String> assigned = new HashMap<>();
        List<Planned> plans = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            if (isGet(entries.get(i))) {
                plans.add(null);
                continue;
            }
            Planned plan = plan(i, entries.get(i), assigned);
            if (plan.request() != null
                    && !targets.add(plan.request().type() + "/" + plan.request().id())) {
                throw new InvalidRequestException(
                        "Transaction entry " + i + " changes " + plan.request().type() + "/"
                                + plan.request().id() + ", which another entry of the same transaction also changes");
            }
            plans.add(plan);
        }
        for (Planned plan : plans) {
            if (plan != null && plan.request() != null && !plan.request().isDelete()) {
                rewriteReferences(plan.request().resource(), assigned);
            }
        }
        plans.replaceAll(plan -> plan == null ? null : unlessUnchanged(plan));
        List<WriteRequest> writes = plans.stream()
                .filter(p -> p != null && p.request() != null)
                .map(Planned::request)
                .toList();
        List<StoredResource> written = writes.isEmpty() ? List.of() : operations.writeTransaction(writes);
        Bundle response = new Bundle().setType(Bundle.BundleType.TRANSACTIONRESPONSE);
        int w = 0;
        for (Planned plan : plans) {
            if (plan == null) {
                response.addEntry(); // a GET entry, answered below
                continue;
            }
            StoredResource result = plan.request() != null ? written.get(w++) : plan.existing();
            response.addEntry(responseEntry(plan, result, answer));
        }
        for (int i = 0; i < entries.size(); i++) {
            if (plans.get(i) == null) {
                int index = i;
                response.getEntry()
                        .set(
                                i,
                                answered(
                                        index,
                                        () -> reads.get(
                                                index,
                                                entries.get(index).getRequest().getUrl(),
                                                answer.base())));
            }
        }
        return response;
    }

    private Bundle batch(Bundle bundle, Answer answer) {
        requireUniqueFullUrls(bundle);
        Bundle response = new Bundle().setType(Bundle.BundleType.BATCHRESPONSE);
        List<BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            BundleEntryComponent entry = entries.get(i);
            int index = i;
            Supplier<BundleEntryComponent> run = () -> {
                if (isGet(entry)) {
                    return reads.get(index, entry.getRequest().getUrl(), answer.base());
                }
                Planned plan = unlessUnchanged(plan(index, entry, new HashMap<>()));
                StoredResource result = plan.request() != null ? operations.write(plan.request()) : plan.existing();
                return responseEntry(plan, result, answer);
            };
            response.addEntry(answered(i, conditional(entry) ? () -> operations.conditionally(run) : run));
        }
        return response;
    }

    /** Entries that are found or matched before they are written: conditional creates, and documents (by their identifier). */
    private static boolean conditional(BundleEntryComponent entry) {
        return entry.getRequest().hasIfNoneExist() || ResourceOperations.identifiesItself(entry.getResource());
    }

    /** A write that would restate the current version writes nothing ({@link ResourceOperations#unchanged}). */
    private Planned unlessUnchanged(Planned plan) {
        // a create under a new id restates nothing; one that found its document is pinned to it (If-Match)
        boolean existing = plan.request() != null
                && (plan.outcome() != Outcome.CREATED || plan.request().ifMatch() != null);
        StoredResource unchanged = existing ? operations.unchanged(plan.request()) : null;
        return unchanged == null ? plan : new Planned(Outcome.UNCHANGED, null, unchanged);
    }

    /** One entry's answer, or the status and OperationOutcome of its failure (a batch entry, or a GET entry). */
    private static BundleEntryComponent answered(int index, Supplier<BundleEntryComponent> run) {
        try {
            return run.get();
        } catch (BaseServerResponseException e) {
            return failedEntry(e);
        } catch (RuntimeException e) {
            BaseServerResponseException mapped = ErrorTranslation.translate(e);
            if (mapped instanceof InternalErrorException) {
                mapped = ErrorTranslation.incident("Bundle entry " + index, e);
            }
            return failedEntry(mapped);
        }
    }

    private static boolean isGet(BundleEntryComponent entry) {
        return entry.getRequest().getMethod() == HTTPVerb.GET
                && entry.getRequest().hasUrl();
    }

    /** Works out what one entry will write, without writing anything. */
    private Planned plan(int index, BundleEntryComponent entry, Map<String, String> assigned) {
        BundleEntryRequestComponent request = entry.getRequest();
        if (request.getMethod() == null
                || request.getUrl() == null
                || request.getUrl().isBlank()) {
            throw new InvalidRequestException("Bundle entry " + index + " needs request.method and request.url");
        }
        String url = request.getUrl();
        HTTPVerb method = request.getMethod();
        Resource resource = entry.getResource();
        return switch (method) {
            case POST -> {
                String type = typeOf(index, method, url);
                requireResource(index, resource, type);
                if (request.hasIfNoneExist()) {
                    String existing = operations.matchCondition(type, request.getIfNoneExist(), "If-None-Exist");
                    if (existing != null) {
                        remember(entry, type, existing, assigned);
                        yield new Planned(Outcome.EXISTING, null, operations.readCurrent(type, existing));
                    }
                }
                WriteRequest create = operations.createRequest(type, resource);
                remember(entry, type, create.id(), assigned);
                yield new Planned(Outcome.CREATED, create, null);
            }
            case PUT -> {
                IdType id = new IdType(url);
                if (!id.hasResourceType() || !id.hasIdPart() || url.contains("?")) {
                    throw new InvalidRequestException(
                            "Bundle entry " + index + ": PUT needs a url of the form Type/id, not '" + url + "'");
                }
                requireResource(index, resource, id.getResourceType());
                if (resource.hasIdElement()
                        && !id.getIdPart().equals(resource.getIdElement().getIdPart())
                        && !(entry.hasFullUrl() && entry.getFullUrl().startsWith("urn:"))) {
                    throw new InvalidRequestException("Bundle entry " + index + ": resource id '"
                            + resource.getIdElement().getIdPart() + "' does not match the url '" + url + "'");
                }
                remember(entry, id.getResourceType(), id.getIdPart(), assigned);
                if (request.hasIfNoneMatch()) {
                    operations.requireAbsent(id.getResourceType(), id.getIdPart(), request.getIfNoneMatch());
                }
                Long ifMatch = ResourceOperations.ifMatchVersion(request.getIfMatch(), "Bundle entry " + index + ": ");
                yield new Planned(
                        Outcome.UPDATED,
                        operations.updateRequest(id.getResourceType(), id.getIdPart(), resource, ifMatch),
                        null);
            }
            case DELETE -> {
                Long ifMatch = ResourceOperations.ifMatchVersion(request.getIfMatch(), "Bundle entry " + index + ": ");
                if (url.contains("?")) {
                    // conditional delete, as over REST: nothing matched is a 204 that deletes nothing
                    yield new Planned(
                            Outcome.DELETED,
                            operations.conditionalDeleteRequest(typeOf(index, method, url), url, ifMatch),
                            null);
                }
                IdType id = new IdType(url);
                if (!id.hasResourceType() || !id.hasIdPart()) {
                    throw new InvalidRequestException("Bundle entry " + index
                            + ": DELETE needs a url of the form Type/id" + " or Type?search, not '" + url + "'");
                }
                yield new Planned(
                        Outcome.DELETED, operations.deleteRequest(id.getResourceType(), id.getIdPart(), ifMatch), null);
            }
            default ->
                throw new InvalidRequestException("Bundle entry " + index + ": method " + method.toCode()
                        + " is not supported in a transaction or batch (use GET, POST, PUT or DELETE)");
        };
    }

    private String typeOf(int index, HTTPVerb method, String url) {
        String type = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        if (type.contains("/")) {
            throw new InvalidRequestException("Bundle entry " + index + ": " + method.toCode()
                    + " url must be a resource type" + (method == HTTPVerb.POST ? "" : " followed by search parameters")
                    + ", not '" + url + "'");
        }
        return type;
    }

    private void requireResource(int index, Resource resource, String type) {
        if (resource == null) {
            throw new InvalidRequestException("Bundle entry " + index + " has no resource");
        }
        if (!resource.fhirType().equals(type)) {
            throw new InvalidRequestException(
                    "Bundle entry " + index + ": resource is a " + resource.fhirType() + " but the url names " + type);
        }
    }

    private static void remember(BundleEntryComponent entry, String type, String id, Map<String, String> assigned) {
        if (entry.hasFullUrl()) {
            assigned.put(entry.getFullUrl(), type + "/" + id);
        }
    }

    /** Points references to other entries ({@code urn:uuid:...} full URLs) at the ids they were given. */
    private void rewriteReferences(Resource resource, Map<String, String> assigned) {
        FhirTerser terser = fhirContext.newTerser();
        for (IBaseReference reference : terser.getAllPopulatedChildElementsOfType(resource, IBaseReference.class)) {
            Reference ref = (Reference) reference;
            String target = ref.getReference();
            if (target == null) {
                continue;
            }
            String replacement = assigned.get(target);
            if (replacement != null) {
                ref.setReference(replacement);
            } else if (target.startsWith("urn:uuid:") || target.startsWith("urn:oid:")) {
                throw new InvalidRequestException("Reference '" + target + "' in " + resource.fhirType()
                        + " does not match the fullUrl of any entry in this transaction");
            }
        }
    }

    /**
     * A write entry's answer; {@code Prefer} (http.html#ops) adds the resource as written ({@code return=representation}) or
     * an OperationOutcome saying what was done ({@code return=OperationOutcome}); without it, or with
     * {@code return=minimal}, the entry carries its status, location and version only.
     */
    private BundleEntryComponent responseEntry(Planned plan, StoredResource result, Answer answer) {
        BundleEntryComponent entry = new BundleEntryComponent();
        String status = switch (plan.outcome()) {
            // a document sent again under its identifier is its next version
            case CREATED, UPDATED -> result.version() == 1 ? "201 Created" : "200 OK";
            case EXISTING, UNCHANGED -> "200 OK";
            case DELETED -> "204 No Content";
        };
        entry.getResponse().setStatus(status);
        if (plan.outcome() == Outcome.UNCHANGED) {
            // whatever Prefer asks: a 200 alone does not tell a record left as it was from one updated
            entry.getResponse()
                    .setOutcome(OperationOutcomes.information(ResourceOperations.Done.UNCHANGED.told(result)));
        }
        if (result != null) {
            entry.getResponse().setLocation(result.type() + "/" + result.id() + "/_history/" + result.version());
            entry.getResponse().setEtag("W/\"" + result.version() + "\"");
            entry.getResponse().setLastModified(new java.util.Date(result.lastUpdated()));
        }
        if (answer.prefer() == PreferReturnEnum.REPRESENTATION && result != null && !result.deleted()) {
            entry.setResource(operations.records().resource(result));
        } else if (answer.prefer() == PreferReturnEnum.OPERATION_OUTCOME) {
            ResourceOperations.Done done = switch (plan.outcome()) {
                case CREATED, UPDATED ->
                    result.version() == 1 ? ResourceOperations.Done.CREATED : ResourceOperations.Done.UPDATED;
                case EXISTING -> ResourceOperations.Done.MATCHED;
                case UNCHANGED -> ResourceOperations.Done.UNCHANGED;
                case DELETED -> ResourceOperations.Done.DELETED;
            };
            entry.getResponse()
                    .setOutcome(OperationOutcomes.information(
                            result != null
                                    ? done.told(result)
                                    : "条件に一致するものはありません。何も削除していません (no match; nothing was deleted)"));
        }
        return entry;
    }

    private static BundleEntryComponent failedEntry(BaseServerResponseException error) {
        BundleEntryComponent entry = new BundleEntryComponent();
        entry.getResponse().setStatus(Integer.toString(error.getStatusCode())).setOutcome(OperationOutcomes.of(error));
        return entry;
    }

    private enum Outcome {
        CREATED,
        UPDATED,
        EXISTING,
        UNCHANGED,
        DELETED
    }

    /** How the response is written: the base for links, and what {@code Prefer: return=} asks for (null: not said). */
    private record Answer(String base, PreferReturnEnum prefer) {}

    private record Planned(Outcome outcome, WriteRequest request, StoredResource existing) {}
}
