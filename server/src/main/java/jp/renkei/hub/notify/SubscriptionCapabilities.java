package jp.renkei.hub.notify;

import java.util.Map;
import jp.renkei.hub.fhir.CapabilityContribution;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.Extension;

/**
 * How {@code /fhir/metadata} announces Subscriptions as the Backport IG asks: the Subscription resource
 * with the backport profile, per topic the {@code capabilitystatement-subscriptiontopic-canonical}
 * extension, so a client discovers which topics it may subscribe to, and its operations
 * ({@code $status}, {@code $events}, {@code $get-ws-binding-token}) defined by the IG's OperationDefinitions.
 */
final class SubscriptionCapabilities implements CapabilityContribution {

    static final String TOPIC_CANONICAL = SubscriptionSpec.BACKPORT + "capabilitystatement-subscriptiontopic-canonical";
    private static final String OPERATION_DEFINITION =
            "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/";

    /** The Backport IG's OperationDefinitions of the operations the hub serves, by operation name. */
    private static final Map<String, String> OPERATIONS = Map.of(
            "status", OPERATION_DEFINITION + "backport-subscription-status",
            "events", OPERATION_DEFINITION + "backport-subscription-events",
            "get-ws-binding-token", OPERATION_DEFINITION + "backport-subscription-get-ws-binding-token");

    @Override
    public String resourceType() {
        return "Subscription";
    }

    @Override
    public void contribute(CapabilityStatement statement) {
        CapabilityStatementRestResourceComponent resource = statement.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals("Subscription"))
                .findFirst()
                .orElseGet(() -> statement.getRestFirstRep().addResource().setType("Subscription"));
        resource.addSupportedProfile(SubscriptionSpec.PROFILE);
        resource.setDocumentation("トピック型購読（Subscriptions R5 Backport, R4）: channel websocket のみ。"
                + " 所有者本人だけが読み書きできます (only their owner sees a Subscription).");
        for (Topic topic : Topic.values()) {
            resource.addExtension(new Extension(TOPIC_CANONICAL, new CanonicalType(topic.canonical())));
        }
        // the operations are the IG's, not ones of this server's own making: a client looks them up by these canonicals
        OPERATIONS.forEach((name, canonical) -> resource.getOperation().stream()
                .filter(o -> name.equals(o.getName()))
                .findFirst()
                .orElseGet(() -> resource.addOperation().setName(name))
                .setDefinition(canonical));
    }
}
