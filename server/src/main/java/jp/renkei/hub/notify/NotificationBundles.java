package jp.renkei.hub.notify;

import ca.uhn.fhir.context.FhirContext;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * Notification Bundles in the R4 form of the Subscriptions Backport IG: a {@code history} Bundle whose
 * first entry is the SubscriptionStatus as a {@code Parameters} resource (profile
 * {@code backport-subscription-status-r4}), followed by the resources of {@code full-resource} events.
 */
final class NotificationBundles {

    static final String STATUS_PROFILE = SubscriptionSpec.BACKPORT + "backport-subscription-status-r4";

    /** What a notification is: the IG's notification types. */
    enum Type {
        HANDSHAKE("handshake"),
        HEARTBEAT("heartbeat"),
        EVENT_NOTIFICATION("event-notification"),
        QUERY_STATUS("query-status"),
        QUERY_EVENT("query-event");

        final String code;

        Type(String code) {
            this.code = code;
        }
    }

    /**
     * One event as shown to its subscriber: {@code focus} is null when they get no reference (content
     * {@code empty}, or they may no longer read it), {@code resource} only for {@code full-resource}.
     */
    record Shown(long number, long at, String focus, Resource resource, boolean created) {}

    private final FhirContext fhirContext;

    NotificationBundles(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    /** {@code base} is the FHIR base the subscriber uses ({@code https://hub/fhir}), for absolute URLs. */
    String json(
            Subscriptions.Entry subscription,
            Type type,
            long eventsSinceStart,
            List<Shown> events,
            String base,
            Bundle.BundleType bundleType) {
        return fhirContext
                .newJsonParser()
                .encodeResourceToString(bundle(subscription, type, eventsSinceStart, events, base, bundleType));
    }

    Bundle bundle(
            Subscriptions.Entry subscription,
            Type type,
            long eventsSinceStart,
            List<Shown> events,
            String base,
            Bundle.BundleType bundleType) {
        Parameters status = new Parameters();
        status.setId(UUID.randomUUID().toString());
        status.getMeta().addProfile(STATUS_PROFILE);
        status.addParameter()
                .setName("subscription")
                .setValue(new Reference(base + "/Subscription/" + subscription.id()));
        status.addParameter()
                .setName("topic")
                .setValue(new CanonicalType(subscription.spec().topic().canonical()));
        status.addParameter()
                .setName("status")
                .setValue(new CodeType(subscription.active(new Date()) ? "active" : "off"));
        status.addParameter().setName("type").setValue(new CodeType(type.code));
        status.addParameter()
                .setName("events-since-subscription-start")
                .setValue(new StringType(Long.toString(eventsSinceStart)));
        for (Shown event : events) {
            Parameters.ParametersParameterComponent notification =
                    status.addParameter().setName("notification-event");
            notification.addPart().setName("event-number").setValue(new StringType(Long.toString(event.number())));
            notification.addPart().setName("timestamp").setValue(new InstantType(new Date(event.at())));
            if (event.focus() != null) {
                notification.addPart().setName("focus").setValue(new Reference(base + "/" + event.focus()));
            }
        }

        Bundle bundle = new Bundle().setType(bundleType).setTimestamp(new Date());
        bundle.setId(UUID.randomUUID().toString());
        Bundle.BundleEntryComponent first = bundle.addEntry()
                .setFullUrl("urn:uuid:" + status.getIdElement().getIdPart())
                .setResource(status);
        if (bundleType == Bundle.BundleType.HISTORY) {
            first.getRequest()
                    .setMethod(Bundle.HTTPVerb.GET)
                    .setUrl(base + "/Subscription/" + subscription.id() + "/$status");
            first.getResponse().setStatus("200");
        } else {
            // a searchset entry has no request or response (Bundle invariants bdl-3, bdl-4)
            first.getSearch().setMode(Bundle.SearchEntryMode.MATCH);
        }
        for (Shown event : events) {
            if (event.resource() != null) {
                Bundle.BundleEntryComponent entry =
                        bundle.addEntry().setFullUrl(base + "/" + event.focus()).setResource(event.resource());
                entry.getRequest()
                        .setMethod(event.created() ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT)
                        .setUrl(
                                event.created()
                                        ? event.focus()
                                                .substring(0, event.focus().indexOf('/'))
                                        : event.focus());
                entry.getResponse().setStatus(event.created() ? "201" : "200");
            }
        }
        return bundle;
    }
}
