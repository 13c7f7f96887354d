package jp.renkei.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.UnsignedIntType;
import org.junit.jupiter.api.Test;

/** Reading a Subscription's R4 Backport form: filters, content, heartbeat, and precise refusals. */
class SubscriptionSpecTest {

    private static Subscription subscription(Topic topic, String... filters) {
        Subscription s = new Subscription().setCriteria(topic.canonical());
        for (String filter : filters) {
            s.getCriteriaElement()
                    .addExtension(new Extension(SubscriptionSpec.FILTER_CRITERIA, new StringType(filter)));
        }
        s.getChannel().setType(Subscription.SubscriptionChannelType.WEBSOCKET);
        return s;
    }

    private static SubscriptionSpec read(Subscription s) {
        return SubscriptionSpec.of(s, HubInstance.fhirContext(), 1, 3600);
    }

    private static String refusal(Subscription s) {
        try {
            read(s);
        } catch (UnprocessableEntityException e) {
            OperationOutcome outcome = (OperationOutcome) e.getOperationOutcome();
            return outcome.getIssueFirstRep().getExpression().get(0).getValue() + " | "
                    + outcome.getIssueFirstRep().getDiagnostics();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void valuesOfOneNameAreAlternativesAndCriteriaAllHold() {
        SubscriptionSpec spec = read(subscription(
                Topic.CARE_DOCUMENT,
                "Bundle?patient=1,Patient/2&type=discharge-summary",
                "Composition?patient=Patient/2,3"));
        assertThat(spec.filters())
                .isEqualTo(Map.of("patient", Set.of("Patient/2"), "type", Set.of("discharge-summary")));
        assertThat(spec.passes("patient", List.of("Patient/2"))).isTrue();
        assertThat(spec.passes("patient", List.of("Patient/1"))).isFalse();
        assertThat(spec.passes("organization", List.of("Organization/x"))).isTrue();
        assertThat(spec.content()).isEqualTo(SubscriptionSpec.Content.ID_ONLY);
        assertThat(spec.heartbeatSeconds()).isZero();
    }

    @Test
    void theIgsOtherFilterSpellingsMeanTheSame() {
        SubscriptionSpec spec = read(subscription(Topic.HANDOFF_TASK, "patient=1", "Task.status=requested,received"));
        assertThat(spec.filters())
                .isEqualTo(Map.of("patient", Set.of("Patient/1"), "status", Set.of("requested", "received")));
        Subscription versioned = subscription(Topic.COMMUNICATION);
        versioned.getChannel().setPayload("application/fhir+json; fhirVersion=4.0");
        assertThat(read(versioned).topic()).isEqualTo(Topic.COMMUNICATION);
    }

    @Test
    void contentAndHeartbeatComeFromTheChannelExtensions() {
        Subscription s = subscription(Topic.COMMUNICATION);
        s.getChannel()
                .getPayloadElement()
                .addExtension(new Extension(SubscriptionSpec.PAYLOAD_CONTENT, new CodeType("full-resource")));
        s.getChannel().addExtension(new Extension(SubscriptionSpec.HEARTBEAT_PERIOD, new UnsignedIntType(30)));
        SubscriptionSpec spec = read(s);
        assertThat(spec.content()).isEqualTo(SubscriptionSpec.Content.FULL_RESOURCE);
        assertThat(spec.heartbeatSeconds()).isEqualTo(30);
    }

    @Test
    void eachMistakeIsNamedWhereItIs() {
        assertThat(refusal(subscription(Topic.CARE_DOCUMENT).setCriteria("Observation?code=x")))
                .startsWith("Subscription.criteria | ");
        assertThat(refusal(subscription(Topic.CARE_DOCUMENT, "Observation?patient=1")))
                .contains("backport-filter-criteria")
                .contains("not Observation");
        assertThat(refusal(subscription(Topic.HANDOFF_TASK, "Task?owner=Organization/x")))
                .contains("not owner");
        assertThat(refusal(subscription(Topic.HANDOFF_TASK, "Task?patient="))).contains("name=value");
        assertThat(refusal(subscription(Topic.HANDOFF_TASK, "?patient=1"))).contains("Type?name=value");
        assertThat(refusal(subscription(Topic.HANDOFF_TASK, "Task?patient:missing=true")))
                .contains("modifiers");
        assertThat(refusal(subscription(Topic.HANDOFF_TASK, "Composition.patient=1")))
                .contains("not Composition");
        Subscription heartbeat = subscription(Topic.COMMUNICATION);
        heartbeat.getChannel().addExtension(new Extension(SubscriptionSpec.HEARTBEAT_PERIOD, new UnsignedIntType(0)));
        assertThat(refusal(heartbeat))
                .startsWith("Subscription.channel.extension(")
                .contains("between 1 and 3600");
        Subscription xml = subscription(Topic.COMMUNICATION);
        xml.getChannel().setPayload("application/fhir+xml");
        assertThat(refusal(xml)).startsWith("Subscription.channel.payload | ");
        assertThatThrownBy(() -> read(subscription(Topic.COMMUNICATION)
                        .setChannel(new Subscription.SubscriptionChannelComponent()
                                .setType(Subscription.SubscriptionChannelType.EMAIL))))
                .isInstanceOf(UnprocessableEntityException.class);
    }
}
