package jp.renkei.hub.workflow;

import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The dated fee-rule sets of {@code fee-rules.yml}: for a kind of hand-off and the day that starts its
 * clock (a hospital admission), the deadlines of the rule set in force on that day, each with the
 * add-on it earns. Calendar days, the trigger day being day 0; a deadline is the last second of its
 * day in the hub's time zone.
 */
final class FeeRules {

    public static final String RESOURCE = "fee-rules.yml";

    /** One deadline: by {@code dueBy} the hand-off earns the add-on {@code label}. */
    public record Due(String code, String label, String ruleSet, ZonedDateTime dueBy) {}

    record Deadline(String code, String label, String handoff, int days) {}

    record RuleSet(String id, String label, LocalDate from, LocalDate until, String source, List<Deadline> deadlines) {

        boolean inForceOn(LocalDate day) {
            return !day.isBefore(from) && (until == null || !day.isAfter(until));
        }

        boolean covers(String handoff) {
            return deadlines.stream().anyMatch(d -> d.handoff().equals(handoff));
        }
    }

    private final List<RuleSet> sets;

    private FeeRules(List<RuleSet> sets) {
        this.sets = List.copyOf(sets);
    }

    public static FeeRules loadDefault() {
        try (InputStream in = FeeRules.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return load(in);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + RESOURCE, e);
        }
    }

    @SuppressWarnings("unchecked")
    static FeeRules load(InputStream in) {
        Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        List<RuleSet> sets = new ArrayList<>();
        for (Map<String, Object> def : (List<Map<String, Object>>) root.get("ruleSets")) {
            String id = require(def.get("id"), "ruleSets[].id").toString();
            List<Deadline> deadlines = new ArrayList<>();
            for (Map<String, Object> d : (List<Map<String, Object>>) require(def.get("deadlines"), id + ".deadlines")) {
                int days = ((Number) require(d.get("days"), id + ".deadlines[].days")).intValue();
                if (days < 0) {
                    throw new IllegalArgumentException(RESOURCE + ": " + id + ": days must not be negative");
                }
                deadlines.add(new Deadline(
                        require(d.get("code"), id + ".code").toString(),
                        require(d.get("label"), id + ".label").toString(),
                        require(d.get("handoff"), id + ".handoff").toString(),
                        days));
            }
            sets.add(new RuleSet(
                    id,
                    (String) def.get("label"),
                    date(require(def.get("from"), id + ".from")),
                    def.get("until") == null ? null : date(def.get("until")),
                    (String) def.get("source"),
                    List.copyOf(deadlines)));
        }
        for (int i = 0; i < sets.size(); i++) {
            for (int j = i + 1; j < sets.size(); j++) {
                RuleSet a = sets.get(i);
                RuleSet b = sets.get(j);
                boolean shareKind = a.deadlines().stream().anyMatch(d -> b.covers(d.handoff()));
                if (shareKind && overlap(a, b)) {
                    throw new IllegalArgumentException(RESOURCE + ": rule sets " + a.id() + " and " + b.id()
                            + " are both in force on some day for the same kind of hand-off");
                }
            }
        }
        return new FeeRules(sets);
    }

    /**
     * The deadlines of a kind of hand-off whose clock starts on {@code trigger}, earliest first; empty
     * when no rule set in force that day has any.
     */
    public List<Due> deadlines(String handoff, LocalDate trigger, ZoneId zone) {
        for (RuleSet set : sets) {
            if (set.inForceOn(trigger) && set.covers(handoff)) {
                return set.deadlines().stream()
                        .filter(d -> d.handoff().equals(handoff))
                        .map(d -> new Due(
                                d.code(),
                                d.label(),
                                set.id(),
                                trigger.plusDays(d.days())
                                        .atTime(LocalTime.of(23, 59, 59))
                                        .atZone(zone)))
                        .sorted(Comparator.comparing(Due::dueBy))
                        .toList();
            }
        }
        return List.of();
    }

    private static boolean overlap(RuleSet a, RuleSet b) {
        LocalDate aEnd = a.until() == null ? LocalDate.MAX : a.until();
        LocalDate bEnd = b.until() == null ? LocalDate.MAX : b.until();
        return !a.from().isAfter(bEnd) && !b.from().isAfter(aEnd);
    }

    private static LocalDate date(Object value) {
        if (value instanceof java.util.Date d) {
            return d.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate();
        }
        return LocalDate.parse(value.toString());
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(RESOURCE + ": " + what + " is missing");
        }
        return value;
    }
}
