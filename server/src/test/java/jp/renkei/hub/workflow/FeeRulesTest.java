package jp.renkei.hub.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Deadlines from the dated fee-rule sets, in calendar days, across month, year and rule-set boundaries. */
class FeeRulesTest {

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private final FeeRules rules = FeeRules.loadDefault();

    private List<String> due(String handoff, String trigger) {
        return rules.deadlines(handoff, LocalDate.parse(trigger), TOKYO).stream()
                .map(d ->
                        d.ruleSet() + " " + d.label() + " " + d.dueBy().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .toList();
    }

    @ParameterizedTest(name = "admitted {0}: (I) by {1}, (II) by {2} ({3})")
    @CsvSource({
        // the 2018 rules: within 3 / 7 days after admission
        "2019-01-15, 2019-01-18, 2019-01-22, kaigo-2018",
        "2023-01-29, 2023-02-01, 2023-02-05, kaigo-2018", // across a month end
        "2023-02-27, 2023-03-02, 2023-03-06, kaigo-2018", // February of a common year
        "2020-02-27, 2020-03-01, 2020-03-05, kaigo-2018", // a leap year: 29 February counts
        "2023-12-30, 2024-01-02, 2024-01-06, kaigo-2018", // across a year end (New Year holidays count)
        "2024-03-31, 2024-04-03, 2024-04-07, kaigo-2018", // the last day of the 2018 rules
        // the 2024 rules: the day of admission / the next day or the day after
        "2024-04-01, 2024-04-01, 2024-04-03, kaigo-2024", // the first day of the 2024 rules
        "2024-04-30, 2024-04-30, 2024-05-02, kaigo-2024",
        "2024-12-31, 2024-12-31, 2025-01-02, kaigo-2024",
        "2028-02-28, 2028-02-28, 2028-03-01, kaigo-2024",
    })
    void admissionInformationDeadlines(String admitted, String first, String second, String set) {
        assertThat(due("admission-info", admitted))
                .containsExactly(
                        set + " 入院時情報連携加算(I) " + first + "T23:59:59+09:00",
                        set + " 入院時情報連携加算(II) " + second + "T23:59:59+09:00");
    }

    @Test
    void hospitalScreeningAndPlanDeadlines() {
        assertThat(due("discharge-screening", "2025-12-29"))
                .containsExactly(
                        "shinryo-2018 入退院支援加算1 スクリーニング 2026-01-01T23:59:59+09:00",
                        "shinryo-2018 入退院支援加算2 スクリーニング 2026-01-05T23:59:59+09:00");
        assertThat(due("discharge-plan", "2026-02-25"))
                .containsExactly("shinryo-2018 入退院支援加算1 カンファレンス・退院支援計画 2026-03-04T23:59:59+09:00");
    }

    @Test
    void aDischargeHandoffIsDueOnTheDayOfDischarge() {
        // 退院時又は転院時 / 入院又は入所中: by the end of the discharge day, New Year's Eve included
        assertThat(due("discharge-summary", "2026-12-31"))
                .containsExactly(
                        "taiin-2018 地域連携診療計画加算（退院時の文書による情報提供） 2026-12-31T23:59:59+09:00",
                        "taiin-2018 退院・退所加算（入院中の情報提供） 2026-12-31T23:59:59+09:00");
    }

    @Test
    void noDeadlineBeforeTheRulesOrForOtherHandoffs() {
        assertThat(due("admission-info", "2018-03-31")).isEmpty();
        assertThat(due("contact-form", "2026-01-01")).isEmpty();
        assertThat(due("discharge-summary", "2018-03-31")).isEmpty();
    }

    @Test
    void theDeadlineIsTheEndOfTheDayInTheHubsZone() {
        FeeRules.Due first = rules.deadlines("admission-info", LocalDate.parse("2026-05-01"), TOKYO)
                .get(0);
        assertThat(first.dueBy().toInstant().toString()).isEqualTo("2026-05-01T14:59:59Z");
    }

    @Test
    void overlappingRuleSetsForOneKindOfHandoffAreRefused() {
        String yaml = """
                ruleSets:
                  - {id: a, from: 2018-04-01, until: 2024-04-01, deadlines: [{code: x, label: X, handoff: admission-info, days: 3}]}
                  - {id: b, from: 2024-04-01, deadlines: [{code: y, label: Y, handoff: admission-info, days: 0}]}
                """;
        assertThatThrownBy(() -> FeeRules.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("a and b are both in force");
        String negative =
                "ruleSets:\n  - {id: a, from: 2018-04-01, deadlines: [{code: x, label: X, handoff: h, days: -1}]}\n";
        assertThatThrownBy(() -> FeeRules.load(new ByteArrayInputStream(negative.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("must not be negative");
    }
}
