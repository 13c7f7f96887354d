package jp.renkei.hub.notify;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.access.ActiveTokens;
import jp.renkei.hub.context.AccessRecord;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.fhir.Unprocessable;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.UrlType;

/**
 * {@code /fhir/Subscription}: create, read, update, delete and search of the caller's own
 * Subscriptions (anyone else's answer 404, as if absent), and the Backport IG operations
 * {@code $get-ws-binding-token}, {@code $status} (of one Subscription, or at the type level of several) and
 * {@code $events}. Replayed events are judged
 * again for the caller now: one they may no longer read comes back without its focus.
 */
public class SubscriptionProvider implements IResourceProvider, OperationProvider {

    private final Subscriptions subscriptions;
    private final EventLog events;
    private final BindingTokens tokens;
    private final NotificationBundles bundles;
    private final NotificationDispatcher dispatcher;
    private final NotificationSocket socket;
    private final Receipts receipts;
    private final AccessGuard guard;
    private final Records records;
    private final NotifyProperties properties;
    private final FhirContext fhirContext;
    private final ActiveTokens activeTokens;

    SubscriptionProvider(
            Subscriptions subscriptions,
            EventLog events,
            BindingTokens tokens,
            NotificationBundles bundles,
            NotificationDispatcher dispatcher,
            NotificationSocket socket,
            Receipts receipts,
            AccessGuard guard,
            Records records,
            NotifyProperties properties,
            FhirContext fhirContext,
            ActiveTokens activeTokens) {
        this.subscriptions = subscriptions;
        this.events = events;
        this.tokens = tokens;
        this.bundles = bundles;
        this.dispatcher = dispatcher;
        this.socket = socket;
        this.receipts = receipts;
        this.guard = guard;
        this.records = records;
        this.properties = properties;
        this.fhirContext = fhirContext;
        this.activeTokens = activeTokens;
    }

    @Override
    public Class<Subscription> getResourceType() {
        return Subscription.class;
    }

    // ---- the resource ------------------------------------------------------------------------

    @Create
    public MethodOutcome create(@ResourceParam Subscription subscription) {
        Caller caller = subscriber();
        SubscriptionSpec spec = spec(subscription);
        Subscriptions.Entry saved =
                subscriptions.save(Records.newId(), 0, caller.subject(), subscription, spec, guard.callerClaims());
        touched(saved);
        return new MethodOutcome(new IdType("Subscription", saved.id(), Long.toString(saved.version())), true)
                .setResource(parse(saved));
    }

    @Read
    public Subscription read(@IdParam IdType id) {
        Subscriptions.Entry entry = own(id.getIdPart());
        touched(entry);
        return parse(entry);
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Subscription subscription) {
        Subscriptions.Entry entry = own(id.getIdPart());
        if (subscription.hasIdElement()
                && subscription.getIdElement().hasIdPart()
                && !subscription.getIdElement().getIdPart().equals(id.getIdPart())) {
            throw new InvalidRequestException(
                    "The id in the body (" + subscription.getIdElement().getIdPart()
                            + ") differs from the id in the URL (" + id.getIdPart() + ")");
        }
        SubscriptionSpec spec = spec(subscription);
        if (spec.topic() != entry.spec().topic()) {
            // event numbers count one topic's events; another topic is another Subscription
            throw Unprocessable.at(
                    fhirContext,
                    "Subscription.criteria",
                    IssueType.BUSINESSRULE,
                    "a Subscription's topic cannot change; create a new Subscription for "
                            + spec.topic().canonical());
        }
        long expected = id.hasVersionIdPart() ? id.getVersionIdPartAsLong() : entry.version();
        Subscriptions.Entry saved =
                subscriptions.save(entry.id(), expected, entry.owner(), subscription, spec, guard.callerClaims());
        touched(saved);
        return new MethodOutcome(new IdType("Subscription", saved.id(), Long.toString(saved.version())), false)
                .setResource(parse(saved));
    }

    @Delete
    public MethodOutcome delete(@IdParam IdType id) {
        Subscriptions.Entry entry = own(id.getIdPart());
        subscriptions.delete(entry.id());
        socket.forget(entry.id());
        events.forget(entry.id());
        touched(entry);
        return new MethodOutcome();
    }

    /** The caller's own Subscriptions; nobody lists anyone else's. */
    @Search
    public List<Subscription> search() {
        Caller caller = subscriber();
        List<Subscription> out = new ArrayList<>();
        for (Subscriptions.Entry entry : subscriptions.ofOwner(caller.subject())) {
            touched(entry);
            out.add(parse(entry));
        }
        return out;
    }

    // ---- Backport IG operations --------------------------------------------------------------

    @Operation(name = "$get-ws-binding-token", type = Subscription.class, idempotent = false)
    public Parameters bindingToken(@OperationParam(name = "id") List<IdType> ids, RequestDetails request) {
        Caller caller = subscriber();
        List<String> chosen = new ArrayList<>();
        if (ids == null || ids.isEmpty()) {
            subscriptions.ofOwner(caller.subject()).forEach(e -> chosen.add(e.id()));
        } else {
            for (IdType id : ids) {
                chosen.add(own(id.getIdPart()).id());
            }
        }
        if (chosen.isEmpty()) {
            throw Unprocessable.at(
                    fhirContext,
                    "Parameters.parameter('id')",
                    IssueType.NOTFOUND,
                    "購読がありません: the caller has no Subscription to bind; create one first");
        }
        return token(caller, chosen, request);
    }

    @Operation(name = "$get-ws-binding-token", type = Subscription.class, idempotent = false)
    public Parameters bindingToken(@IdParam IdType id, RequestDetails request) {
        Caller caller = subscriber();
        return token(caller, List.of(own(id.getIdPart()).id()), request);
    }

    private Parameters token(Caller caller, List<String> ids, RequestDetails request) {
        Instant expires = Instant.now().plus(properties.tokenLifetime());
        Instant tokenExpiry = guard.callerTokenExpiry();
        if (tokenExpiry != null && tokenExpiry.isBefore(expires)) {
            // the socket lives no longer than the authentication it was opened with
            expires = tokenExpiry;
        }
        String base = base(request);
        String token = tokens.issue(new BindingTokens.Binding(
                caller.subject(), guard.callerClaims(), List.copyOf(ids), expires, base, activeTokens.current()));
        Parameters out = new Parameters();
        out.addParameter().setName("token").setValue(new StringType(token));
        out.addParameter().setName("expiration").setValue(new DateTimeType(Date.from(expires)));
        ids.forEach(id ->
                out.addParameter().setName("subscription").setValue(new StringType(base + "/Subscription/" + id)));
        out.addParameter().setName("websocket-url").setValue(new UrlType(websocketUrl(base)));
        return out;
    }

    @Operation(name = "$status", type = Subscription.class, idempotent = true)
    public Bundle status(@IdParam IdType id, RequestDetails request) {
        Subscriptions.Entry entry = own(id.getIdPart());
        touched(entry);
        Bundle out = bundles.bundle(
                entry,
                NotificationBundles.Type.QUERY_STATUS,
                events.count(entry.id()),
                List.of(),
                base(request),
                Bundle.BundleType.SEARCHSET);
        keepAbsoluteReferences(request);
        return out;
    }

    /**
     * The Backport IG's {@code $status} at the type level: the status of each of the caller's Subscriptions named by
     * {@code id} (none: all of them), narrowed to those whose status is one of {@code status} when given. A Subscription
     * of someone else, or none by that id, is left out, as a search leaves out what the caller may not see.
     */
    @Operation(name = "$status", type = Subscription.class, idempotent = true)
    public Bundle statuses(
            @OperationParam(name = "id") List<IdType> ids,
            @OperationParam(name = "status") List<CodeType> statuses,
            RequestDetails request) {
        Caller caller = subscriber();
        Map<String, Subscriptions.Entry> chosen = new LinkedHashMap<>();
        if (ids == null || ids.isEmpty()) {
            subscriptions.ofOwner(caller.subject()).forEach(e -> chosen.put(e.id(), e));
        } else {
            for (IdType id : ids) {
                Subscriptions.Entry entry = id.hasIdPart() ? subscriptions.get(id.getIdPart()) : null;
                if (entry != null && (caller.unrestricted() || entry.owner().equals(caller.subject()))) {
                    chosen.put(entry.id(), entry);
                }
            }
        }
        Set<String> wanted = statuses == null
                ? Set.of()
                : statuses.stream()
                        .map(CodeType::getValue)
                        .filter(Objects::nonNull)
                        .collect(Collectors.toSet());
        Date now = new Date();
        String base = base(request);
        Bundle out = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTimestamp(now);
        out.setId(UUID.randomUUID().toString());
        for (Subscriptions.Entry entry : chosen.values()) {
            if (!wanted.isEmpty() && !wanted.contains(entry.active(now) ? "active" : "off")) {
                continue;
            }
            touched(entry);
            out.addEntry(bundles.bundle(
                            entry,
                            NotificationBundles.Type.QUERY_STATUS,
                            events.count(entry.id()),
                            List.of(),
                            base,
                            Bundle.BundleType.SEARCHSET)
                    .getEntryFirstRep());
        }
        out.setTotal(out.getEntry().size());
        keepAbsoluteReferences(request);
        return out;
    }

    /**
     * Events from {@code eventsSinceNumber} to {@code eventsUntilNumber} (both inclusive, as far as
     * stored), at most {@code renkei.notify.max-events-page}; {@code content} may ask for less than the
     * Subscription's content, never more.
     */
    @Operation(name = "$events", type = Subscription.class, idempotent = true)
    public Bundle events(
            @IdParam IdType id,
            @OperationParam(name = "eventsSinceNumber", max = 1) StringType since,
            @OperationParam(name = "eventsUntilNumber", max = 1) StringType until,
            @OperationParam(name = "content", max = 1) CodeType content,
            RequestDetails request) {
        Subscriptions.Entry entry = own(id.getIdPart());
        long count = events.count(entry.id());
        long from = number(since, "eventsSinceNumber", 1);
        long to = Math.min(number(until, "eventsUntilNumber", count), count);
        if (to - from + 1 > properties.maxEventsPage()) {
            to = from + properties.maxEventsPage() - 1;
        }
        Subscriptions.Entry shownAs = withContent(entry, content);
        Caller caller = guard.caller();
        List<NotificationBundles.Shown> shown = new ArrayList<>();
        for (EventLog.Event event : events.range(entry.id(), from, to)) {
            StoredResource stored = records.readVersion(event.focusType(), event.focusId(), event.focusVersion());
            boolean readable = stored != null && guard.mayNotify(caller, stored);
            if (readable) {
                receipts.delivered(event.focus(), entry.owner());
            }
            if (readable && shownAs.spec().content() != SubscriptionSpec.Content.EMPTY) {
                AccessRecord.touched(
                        stored.type(),
                        stored.id(),
                        stored.version(),
                        stored.labels().patients());
            }
            shown.add(dispatcher.show(shownAs, event, readable ? stored : null, event.focusVersion() == 1));
        }
        touched(entry);
        Bundle out = bundles.bundle(
                entry, NotificationBundles.Type.QUERY_EVENT, count, shown, base(request), Bundle.BundleType.HISTORY);
        keepAbsoluteReferences(request);
        return out;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private Caller subscriber() {
        Caller caller = guard.caller();
        if (!caller.unrestricted() && caller.roles().isEmpty()) {
            throw new ForbiddenOperationException("購読には Renkei の役割が必要です (a Renkei role is needed to subscribe)");
        }
        return caller;
    }

    /** The caller's own Subscription, else 404 as for one that does not exist. */
    private Subscriptions.Entry own(String id) {
        Caller caller = subscriber();
        Subscriptions.Entry entry = subscriptions.get(id);
        if (entry == null || (!caller.unrestricted() && !entry.owner().equals(caller.subject()))) {
            if (entry != null) {
                AccessRecord.refused(List.of());
            }
            throw new ResourceNotFoundException("Subscription/" + id + " is not known");
        }
        return entry;
    }

    private SubscriptionSpec spec(Subscription subscription) {
        return SubscriptionSpec.of(subscription, fhirContext, properties.minHeartbeat(), properties.maxHeartbeat());
    }

    private Subscription parse(Subscriptions.Entry entry) {
        Subscription subscription = fhirContext.newJsonParser().parseResource(Subscription.class, entry.json());
        if (!entry.active(new Date())) {
            subscription.setStatus(Subscription.SubscriptionStatus.OFF);
        }
        subscription.setId(new IdType("Subscription", entry.id(), Long.toString(entry.version())));
        return subscription;
    }

    private static void touched(Subscriptions.Entry entry) {
        AccessRecord.touched("Subscription", entry.id(), entry.version(), List.of());
    }

    private Subscriptions.Entry withContent(Subscriptions.Entry entry, CodeType content) {
        if (content == null || content.getValue() == null) {
            return entry;
        }
        SubscriptionSpec.Content asked = SubscriptionSpec.Content.of(content.getValue());
        if (asked == null) {
            throw new InvalidRequestException(
                    "content must be empty, id-only or full-resource, not " + content.getValue());
        }
        SubscriptionSpec.Content allowed =
                asked.ordinal() <= entry.spec().content().ordinal()
                        ? asked
                        : entry.spec().content();
        SubscriptionSpec spec = new SubscriptionSpec(
                entry.spec().topic(),
                entry.spec().filters(),
                allowed,
                entry.spec().heartbeatSeconds(),
                entry.spec().end());
        return new Subscriptions.Entry(entry.id(), entry.version(), entry.owner(), spec, entry.claims(), entry.json());
    }

    private static long number(StringType value, String name, long otherwise) {
        if (value == null || value.getValue() == null || value.getValue().isBlank()) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(value.getValue().trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " must be a non-negative event number, not " + value.getValue());
        }
    }

    /**
     * Notification Bundles name the Subscription and each focus by absolute URL, as the socket pushes them and as the
     * IG's examples write them. HAPI's response parser shortens a reference under the server's own base to a relative
     * one, so the response is written without that base; called last, once nothing else needs it.
     */
    private static void keepAbsoluteReferences(RequestDetails request) {
        request.setFhirServerBase("");
    }

    private static String base(RequestDetails request) {
        String base = request.getFhirServerBase();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** ws(s)://host:port/notifications for the FHIR base http(s)://host:port/fhir. */
    static String websocketUrl(String base) {
        String root = base.endsWith("/fhir") ? base.substring(0, base.length() - "/fhir".length()) : base;
        return root.replaceFirst("^http", "ws") + "/notifications";
    }
}
