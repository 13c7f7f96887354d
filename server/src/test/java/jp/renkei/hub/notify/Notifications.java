package jp.renkei.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Predicate;
import jp.renkei.hub.Await;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.UnsignedIntType;

/** Writing Subscriptions and reading notification Bundles (R4 Backport form) in tests. */
public final class Notifications {

    static final IParser JSON = HubInstance.fhirContext().newJsonParser();

    private Notifications() {}

    /** A Subscription in the R4 Backport form, channel websocket, as a client following the IG writes it. */
    public static Subscription subscription(Topic topic, String content, int heartbeat, String... filters) {
        Subscription s = new Subscription()
                .setStatus(Subscription.SubscriptionStatus.REQUESTED)
                .setReason("テスト")
                .setCriteria(topic.canonical());
        for (String filter : filters) {
            s.getCriteriaElement()
                    .addExtension(new Extension(SubscriptionSpec.FILTER_CRITERIA, new StringType(filter)));
        }
        s.getChannel()
                .setType(Subscription.SubscriptionChannelType.WEBSOCKET)
                .setPayload("application/fhir+json")
                .getPayloadElement()
                .addExtension(new Extension(SubscriptionSpec.PAYLOAD_CONTENT, new CodeType(content)));
        if (heartbeat > 0) {
            s.getChannel()
                    .addExtension(new Extension(SubscriptionSpec.HEARTBEAT_PERIOD, new UnsignedIntType(heartbeat)));
        }
        return s;
    }

    public static Parameters status(Bundle bundle) {
        return (Parameters) bundle.getEntryFirstRep().getResource();
    }

    public static String type(Bundle bundle) {
        return value(status(bundle), "type");
    }

    static long eventsSinceStart(Bundle bundle) {
        return Long.parseLong(value(status(bundle), "events-since-subscription-start"));
    }

    /** The id of the Subscription the notification is for. */
    static String subscriptionId(Bundle bundle) {
        return ((Reference) status(bundle).getParameter("subscription").getValue())
                .getReferenceElement()
                .getIdPart();
    }

    public static String value(Parameters parameters, String name) {
        return ((PrimitiveType<?>) parameters.getParameter(name).getValue()).getValueAsString();
    }

    /**
     * The Subscription's stored events ({@code $events}) once {@code enough} holds for them (as {@link #events}
     * lists them; numbering follows the acknowledged write), or the last answer after 20 s.
     */
    public static Bundle replayUntil(HubInstance hub, String token, String subscription, Predicate<List<String>> enough)
            throws InterruptedException {
        return Await.atMost(
                Await.DEFAULT,
                () -> {
                    HttpResponse<String> response = hub.send(
                            "GET",
                            "/Subscription/" + subscription + "/$events",
                            null,
                            null,
                            "Authorization",
                            "Bearer " + token);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    return JSON.parseResource(Bundle.class, response.body());
                },
                replay -> enough.test(events(replay)));
    }

    /** Event number and focus (Type/id, or null) of each notification-event, in order. */
    public static List<String> events(Bundle bundle) {
        return status(bundle).getParameter().stream()
                .filter(p -> p.getName().equals("notification-event"))
                .map(p -> {
                    String number = p.getPart().stream()
                            .filter(x -> x.getName().equals("event-number"))
                            .map(x -> ((PrimitiveType<?>) x.getValue()).getValueAsString())
                            .findFirst()
                            .orElseThrow();
                    String focus = p.getPart().stream()
                            .filter(x -> x.getName().equals("focus"))
                            .map(x -> ((Reference) x.getValue())
                                    .getReferenceElement()
                                    .toUnqualifiedVersionless()
                                    .getValue())
                            .findFirst()
                            .orElse(null);
                    return number + " " + focus;
                })
                .toList();
    }
}
