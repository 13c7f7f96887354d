package jp.renkei.hub.notify;

import ca.uhn.fhir.context.FhirContext;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jp.renkei.hub.fhir.Unprocessable;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Subscription;

/**
 * What a Subscription asks for, read from its R4 Subscriptions Backport form and checked: a known
 * topic in {@code criteria}, filters in {@code criteria}'s {@code backport-filter-criteria} extensions
 * ({@code Type?name=value[,value]&…}, names as the topic allows), channel {@code websocket}, payload
 * content in {@code channel.payload}'s {@code backport-payload-content} extension and the heartbeat
 * period in {@code channel}'s {@code backport-heartbeat-period}. Anything else is a 422 naming the element.
 */
record SubscriptionSpec(
        Topic topic, Map<String, Set<String>> filters, Content content, int heartbeatSeconds, Date end) {

    public static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
    public static final String PROFILE = BACKPORT + "backport-subscription";
    static final String FILTER_CRITERIA = BACKPORT + "backport-filter-criteria";
    static final String PAYLOAD_CONTENT = BACKPORT + "backport-payload-content";
    static final String HEARTBEAT_PERIOD = BACKPORT + "backport-heartbeat-period";
    static final String MAX_COUNT = BACKPORT + "backport-max-count";
    static final String TIMEOUT = BACKPORT + "backport-timeout";

    /** How much of the changed resource a notification carries. */
    public enum Content {
        EMPTY("empty"),
        ID_ONLY("id-only"),
        FULL_RESOURCE("full-resource");

        private final String code;

        Content(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        static Content of(String code) {
            for (Content c : values()) {
                if (c.code.equals(code)) {
                    return c;
                }
            }
            return null;
        }
    }

    public static SubscriptionSpec of(
            Subscription subscription, FhirContext fhirContext, int minHeartbeat, int maxHeartbeat) {
        String criteria = subscription.getCriteria();
        Topic topic = Topic.byCanonical(criteria)
                .orElseThrow(() -> Unprocessable.at(
                        fhirContext,
                        "Subscription.criteria",
                        IssueType.NOTSUPPORTED,
                        "購読トピックが不明です: criteria must be one of this hub's SubscriptionTopic canonicals ("
                                + java.util.Arrays.stream(Topic.values())
                                        .map(Topic::canonical)
                                        .collect(Collectors.joining(", "))
                                + "), not " + (criteria == null ? "empty" : "'" + criteria + "'")));

        Map<String, Set<String>> filters = new LinkedHashMap<>();
        List<Extension> filterExtensions = subscription.getCriteriaElement().getExtensionsByUrl(FILTER_CRITERIA);
        for (Extension extension : filterExtensions) {
            parseFilter(extension, topic, filters, fhirContext);
        }

        Subscription.SubscriptionChannelComponent channel = subscription.getChannel();
        if (channel.getType() != Subscription.SubscriptionChannelType.WEBSOCKET) {
            throw Unprocessable.at(
                    fhirContext,
                    "Subscription.channel.type",
                    IssueType.NOTSUPPORTED,
                    "通知チャネルは websocket のみです: channel.type must be websocket, not "
                            + (channel.getType() == null
                                    ? "empty"
                                    : channel.getType().toCode()));
        }
        Content content = Content.ID_ONLY;
        Extension contentExtension = channel.getPayloadElement().getExtensionByUrl(PAYLOAD_CONTENT);
        if (contentExtension != null) {
            String code = contentExtension.getValue() instanceof PrimitiveType<?> p ? p.getValueAsString() : null;
            content = Content.of(code);
            if (content == null) {
                throw Unprocessable.at(
                        fhirContext,
                        "Subscription.channel.payload.extension('" + PAYLOAD_CONTENT + "')",
                        IssueType.CODEINVALID,
                        "payload content must be empty, id-only or full-resource, not " + code);
            }
        }
        // payload may hold only the content extension, without a MIME type
        if (channel.getPayload() != null && !isFhirJsonR4(channel.getPayload())) {
            throw Unprocessable.at(
                    fhirContext,
                    "Subscription.channel.payload",
                    IssueType.NOTSUPPORTED,
                    "notifications are sent as application/fhir+json, not " + channel.getPayload());
        }
        int heartbeat = 0;
        Extension heartbeatExtension = channel.getExtensionByUrl(HEARTBEAT_PERIOD);
        if (heartbeatExtension != null) {
            if (!(heartbeatExtension.getValue() instanceof IntegerType seconds)
                    || seconds.getValue() == null
                    || seconds.getValue() < minHeartbeat
                    || seconds.getValue() > maxHeartbeat) {
                throw Unprocessable.at(
                        fhirContext,
                        "Subscription.channel.extension('" + HEARTBEAT_PERIOD + "')",
                        IssueType.VALUE,
                        "heartbeat period must be an unsignedInt number of seconds between " + minHeartbeat + " and "
                                + maxHeartbeat);
            }
            heartbeat = seconds.getValue();
        }
        return new SubscriptionSpec(topic, filters, content, heartbeat, subscription.getEnd());
    }

    private static void parseFilter(
            Extension extension, Topic topic, Map<String, Set<String>> filters, FhirContext fhirContext) {
        String where = "Subscription.criteria.extension('" + FILTER_CRITERIA + "')";
        String text = extension.getValue() instanceof PrimitiveType<?> p ? p.getValueAsString() : null;
        if (text == null || text.isBlank()) {
            throw Unprocessable.at(fhirContext, where, IssueType.INVALID, "filter criteria must not be empty");
        }
        // the IG writes Type?name=value in its examples and name=value or Type.name=value in its prose
        int question = text.indexOf('?');
        String type = question > 0 ? text.substring(0, question) : null;
        String query = question >= 0 ? text.substring(question + 1) : text;
        if (question == 0 || query.isEmpty()) {
            throw Unprocessable.at(
                    fhirContext,
                    where,
                    IssueType.INVALID,
                    "filter criteria must look like Type?name=value, not '" + text + "'");
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            int dot = name.indexOf('.');
            String pairType = dot > 0 && type == null ? name.substring(0, dot) : type;
            name = dot > 0 && type == null ? name.substring(dot + 1) : name;
            if (pairType != null && !topic.resourceTypes().contains(pairType)) {
                throw Unprocessable.at(
                        fhirContext,
                        where,
                        IssueType.NOTSUPPORTED,
                        "topic " + topic.code() + " reports " + String.join(", ", topic.resourceTypes()) + ", not "
                                + pairType);
            }
            if (name.contains(":")) {
                throw Unprocessable.at(
                        fhirContext,
                        where,
                        IssueType.NOTSUPPORTED,
                        "filter modifiers are not supported: '" + pair + "'");
            }
            if (equals <= 0 || equals == pair.length() - 1) {
                throw Unprocessable.at(
                        fhirContext, where, IssueType.INVALID, "filter '" + pair + "' must be name=value");
            }
            if (!topic.filters().contains(name)) {
                throw Unprocessable.at(
                        fhirContext,
                        where,
                        IssueType.NOTSUPPORTED,
                        "topic " + topic.code() + " can be filtered by " + String.join(", ", topic.filters()) + ", not "
                                + name);
            }
            Set<String> values = new LinkedHashSet<>();
            for (String value : pair.substring(equals + 1).split(",")) {
                values.add(normalise(name, value.trim()));
            }
            // several criteria on one name must all hold: keep only the values every one allows
            filters.merge(name, values, (a, b) -> {
                Set<String> both = new LinkedHashSet<>(a);
                both.retainAll(b);
                return both;
            });
        }
    }

    /** {@code application/fhir+json} (or {@code application/json}), with at most {@code fhirVersion=4.0}. */
    private static boolean isFhirJsonR4(String mime) {
        String[] parts = mime.split(";");
        String base = parts[0].trim();
        if (!base.equals("application/fhir+json") && !base.equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.startsWith("fhirVersion=") && !parameter.equals("fhirVersion=4.0")) {
                return false;
            }
        }
        return true;
    }

    /** References may be given with or without their type: {@code Patient/123} and {@code 123} are the same filter. */
    private static String normalise(String name, String value) {
        return switch (name) {
            case "patient" -> value.startsWith("Patient/") ? value : "Patient/" + value;
            case "organization" -> value.startsWith("Organization/") ? value : "Organization/" + value;
            default -> value;
        };
    }

    /** Whether a filter on {@code name} lets {@code values} through (no filter on it: everything passes). */
    boolean passes(String name, java.util.Collection<String> values) {
        Set<String> allowed = filters.get(name);
        return allowed == null || values.stream().anyMatch(allowed::contains);
    }
}
