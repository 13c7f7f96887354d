package jp.renkei.hub.notify;

import jp.renkei.hub.fhir.CapabilityContribution;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.Extension;

/**
 * How {@code /fhir/metadata} announces Subscriptions as the Backport IG asks: the Subscription resource
 * with the backport profile and, per topic, the {@code capabilitystatement-subscriptiontopic-canonical}
 * extension, so a client discovers which topics it may subscribe to.
 */
final class SubscriptionCapabilities implements CapabilityContribution {

    static final String TOPIC_CANONICAL = SubscriptionSpec.BACKPORT + "capabilitystatement-subscriptiontopic-canonical";

    @Override
    public String resourceType() {
        return "Subscription";
    }

    @Override
    public void contribute(CapabilityStatement statement) {
        CapabilityStatementRestResourceComponent resource = statement.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals("Subscription")).findFirst()
                .orElseGet(() -> statement.getRestFirstRep().addResource().setType("Subscription"));
        resource.addSupportedProfile(SubscriptionSpec.PROFILE);
        resource.setDocumentation("トピック型購読（Subscriptions R5 Backport, R4）: channel websocket のみ。"
                + " 所有者本人だけが読み書きできます (only their owner sees a Subscription).");
        for (Topic topic : Topic.values()) {
            resource.addExtension(new Extension(TOPIC_CANONICAL, new CanonicalType(topic.canonical())));
        }
    }
}
