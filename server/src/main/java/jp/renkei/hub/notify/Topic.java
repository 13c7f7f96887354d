package jp.renkei.hub.notify;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SubscriptionTopics the hub offers: what changes each one reports, on which resource types, and
 * the filters a Subscription may narrow it by. Who may hear of a change at all is decided per
 * subscriber when it happens ({@link TopicMatcher}, {@code AccessGuard.mayNotify}).
 */
public enum Topic {
    CARE_DOCUMENT(
            "care-document",
            "ケア文書の登録・更新",
            "A care document (discharge handoff, emergency sheet, advance directive, contact form, care plan, …) "
                    + "of a patient the subscriber may see is created or updated",
            Set.of("Composition", "DocumentReference", "Bundle"),
            List.of("patient", "type", "organization")),
    HANDOFF_TASK(
            "handoff-task",
            "引き継ぎタスクの状態変化",
            "A hand-off Task addressed to the subscriber or their organisation, or requested by them, is opened "
                    + "or changes status",
            Set.of("Task"),
            List.of("patient", "status")),
    COMMUNICATION(
            "communication",
            "連絡の受信",
            "A Communication naming the subscriber, their role or their organisation as a recipient is sent",
            Set.of("Communication"),
            List.of("patient", "category")),
    BREAK_GLASS(
            "break-glass",
            "緊急時アクセス（ブレークグラス）",
            "Someone declared an emergency (break-glass) for a patient in whose care team the subscriber is",
            Set.of("Communication"),
            List.of("patient")),
    OVERDUE_HANDOFF(
            "overdue-handoff",
            "引き継ぎの期限超過",
            "A hand-off Task addressed to or requested by the subscriber (or their organisation) passed its "
                    + "deadline undelivered or unanswered",
            Set.of("Task"),
            List.of("patient")),
    FLAGGED_OBSERVATION(
            "flagged-observation",
            "いつもと違う観察",
            "An observation of a patient the subscriber may see was marked as different from usual "
                    + "(Observation.interpretation http://renkei.example.jp/fhir/CodeSystem/observation-flag#unusual)",
            Set.of("Observation"),
            List.of("patient"));

    /** The hub's flag for an observation its author found different from the patient's usual (いつもと違う). */
    public static final String OBSERVATION_FLAG = "http://renkei.example.jp/fhir/CodeSystem/observation-flag";

    public static final String UNUSUAL = "unusual";

    public static final String BASE = "http://renkei.example.jp/fhir/SubscriptionTopic/";

    private final String code;
    private final String title;
    private final String description;
    private final Set<String> resourceTypes;
    private final List<String> filters;

    Topic(String code, String title, String description, Set<String> resourceTypes, List<String> filters) {
        this.code = code;
        this.title = title;
        this.description = description;
        this.resourceTypes = resourceTypes;
        this.filters = filters;
    }

    public String canonical() {
        return BASE + code;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public Set<String> resourceTypes() {
        return resourceTypes;
    }

    /** The filter parameters a Subscription may use with this topic. */
    public List<String> filters() {
        return filters;
    }

    /** Every resource type some topic reports. */
    public static Set<String> watchedTypes() {
        return Arrays.stream(values())
                .flatMap(t -> t.resourceTypes.stream())
                .collect(java.util.stream.Collectors.toSet());
    }

    public static Optional<Topic> byCanonical(String canonical) {
        if (canonical == null) {
            return Optional.empty();
        }
        String bare = canonical.contains("|") ? canonical.substring(0, canonical.indexOf('|')) : canonical;
        return Arrays.stream(values()).filter(t -> t.canonical().equals(bare)).findFirst();
    }
}
