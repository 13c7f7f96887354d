package jp.renkei.hub.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The [low, high] span (epoch milliseconds, both inclusive) of every FHIR date precision. Expected
 * values are written as UTC instants so that the Asia/Tokyo offset (+09:00, no daylight saving)
 * is visible in the test itself.
 */
class DateRangeTest {

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private static final ZoneId UTC = ZoneId.of("UTC");

    private static long at(String isoInstant) {
        return Instant.parse(isoInstant).toEpochMilli();
    }

    /** The last millisecond before the given instant: the inclusive end of a span. */
    private static long before(String isoInstant) {
        return at(isoInstant) - 1;
    }

    private static DateRange tokyo(String value) {
        return DateRange.parse(value, TOKYO);
    }

    // ---- precisions ----------------------------------------------------------------------------

    @Test
    void yearCoversTheWholeJapaneseYear() {
        assertThat(tokyo("2024")).isEqualTo(new DateRange(at("2023-12-31T15:00:00Z"), before("2024-12-31T15:00:00Z")));
    }

    @Test
    void yearMonthCoversTheWholeMonth() {
        assertThat(tokyo("2024-05"))
                .isEqualTo(new DateRange(at("2024-04-30T15:00:00Z"), before("2024-05-31T15:00:00Z")));
        assertThat(tokyo("2024-12"))
                .isEqualTo(new DateRange(at("2024-11-30T15:00:00Z"), before("2024-12-31T15:00:00Z")));
    }

    @Test
    void februaryOfALeapYearHas29Days() {
        assertThat(tokyo("2024-02"))
                .isEqualTo(new DateRange(at("2024-01-31T15:00:00Z"), before("2024-02-29T15:00:00Z")));
        assertThat(tokyo("2023-02"))
                .isEqualTo(new DateRange(at("2023-01-31T15:00:00Z"), before("2023-02-28T15:00:00Z")));
        assertThat(tokyo("2024-02-29"))
                .isEqualTo(new DateRange(at("2024-02-28T15:00:00Z"), before("2024-02-29T15:00:00Z")));
    }

    @Test
    void dateCoversTheJapaneseDay() {
        DateRange may1 = tokyo("2024-05-01");
        assertThat(may1).isEqualTo(new DateRange(at("2024-04-30T15:00:00Z"), before("2024-05-01T15:00:00Z")));
        assertThat(may1.high() - may1.low() + 1).isEqualTo(24L * 60 * 60 * 1000);
    }

    @Test
    void dateTimeToTheSecondWithOffsetCoversThatSecond() {
        assertThat(tokyo("2024-05-01T09:00:00+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00Z"), before("2024-05-01T00:00:01Z")));
    }

    @Test
    void dateTimeWithoutOffsetIsReadInTheHubZone() {
        assertThat(tokyo("2024-05-01T09:00:00")).isEqualTo(tokyo("2024-05-01T09:00:00+09:00"));
        assertThat(DateRange.parse("2024-05-01T09:00:00", UTC))
                .isEqualTo(new DateRange(at("2024-05-01T09:00:00Z"), before("2024-05-01T09:00:01Z")));
    }

    @Test
    void anExplicitOffsetWinsOverTheHubZone() {
        DateRange expected = new DateRange(at("2024-05-01T00:00:00Z"), before("2024-05-01T00:00:01Z"));
        assertThat(tokyo("2024-05-01T00:00:00Z")).isEqualTo(expected);
        assertThat(tokyo("2024-05-01T00:00:00+00:00")).isEqualTo(expected);
        assertThat(tokyo("2024-04-30T19:00:00-05:00")).isEqualTo(expected);
        assertThat(DateRange.parse("2024-05-01T09:00:00+09:00", UTC)).isEqualTo(expected);
    }

    @Test
    void dateTimeToTheMinuteCoversThatMinute() {
        assertThat(tokyo("2024-05-01T09:30+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:30:00Z"), before("2024-05-01T00:31:00Z")));
        assertThat(tokyo("2024-05-01T09:30"))
                .isEqualTo(new DateRange(at("2024-05-01T00:30:00Z"), before("2024-05-01T00:31:00Z")));
    }

    @Test
    void instantWithMillisecondsIsThatMillisecond() {
        long t = at("2024-05-01T00:00:00.123Z");
        assertThat(tokyo("2024-05-01T09:00:00.123+09:00")).isEqualTo(new DateRange(t, t));
        assertThat(tokyo("2024-05-01T00:00:00.123Z")).isEqualTo(new DateRange(t, t));
        assertThat(tokyo("2024-05-01T09:00:00.123")).isEqualTo(new DateRange(t, t));
    }

    @Test
    void aFractionShorterThanMillisecondsIsAsWideAsItsPrecision() {
        // ".5" is a tenth of a second: .500 to .599
        assertThat(tokyo("2024-05-01T09:00:00.5+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00.500Z"), at("2024-05-01T00:00:00.599Z")));
        // ".55" is a hundredth: .550 to .559
        assertThat(tokyo("2024-05-01T09:00:00.55+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00.550Z"), at("2024-05-01T00:00:00.559Z")));
        assertThat(tokyo("2024-05-01T09:00:00.05+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00.050Z"), at("2024-05-01T00:00:00.059Z")));
        assertThat(tokyo("2024-05-01T09:00:00.0+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00.000Z"), at("2024-05-01T00:00:00.099Z")));
        assertThat(tokyo("2024-05-01T09:00:00.9"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00.900Z"), at("2024-05-01T00:00:00.999Z")));
    }

    @Test
    void aFractionOfMillisecondsOrFinerIsOneMillisecond() {
        long t = at("2024-05-01T00:00:00.555Z");
        assertThat(tokyo("2024-05-01T09:00:00.555+09:00")).isEqualTo(new DateRange(t, t));
        // the store keeps milliseconds: finer digits are truncated, not rounded
        assertThat(tokyo("2024-05-01T09:00:00.5555+09:00")).isEqualTo(new DateRange(t, t));
        assertThat(tokyo("2024-05-01T09:00:00.555999999+09:00")).isEqualTo(new DateRange(t, t));
        assertThat(tokyo("2024-05-01T09:00:00.123456789+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00.123Z"), at("2024-05-01T00:00:00.123Z")));
        assertThat(tokyo("2024-05-01T09:00:00.000+09:00"))
                .isEqualTo(new DateRange(at("2024-05-01T00:00:00Z"), at("2024-05-01T00:00:00Z")));
    }

    @Test
    void fractionSpansNestWithinTheirSecond() {
        DateRange second = tokyo("2024-05-01T09:00:00+09:00");
        DateRange tenth = tokyo("2024-05-01T09:00:00.5+09:00");
        DateRange hundredth = tokyo("2024-05-01T09:00:00.55+09:00");
        DateRange milli = tokyo("2024-05-01T09:00:00.555+09:00");
        assertThat(tenth.low()).isGreaterThanOrEqualTo(second.low());
        assertThat(tenth.high()).isLessThanOrEqualTo(second.high());
        assertThat(hundredth.low()).isGreaterThanOrEqualTo(tenth.low());
        assertThat(hundredth.high()).isLessThanOrEqualTo(tenth.high());
        assertThat(milli.low()).isGreaterThanOrEqualTo(hundredth.low());
        assertThat(milli.high()).isLessThanOrEqualTo(hundredth.high());
        // ".9" ends exactly where the second does
        assertThat(tokyo("2024-05-01T09:00:00.9+09:00").high()).isEqualTo(second.high());
    }

    @Test
    void spansNestByPrecision() {
        DateRange year = tokyo("2024");
        DateRange month = tokyo("2024-05");
        DateRange day = tokyo("2024-05-01");
        DateRange minute = tokyo("2024-05-01T09:30");
        DateRange second = tokyo("2024-05-01T09:30:15");
        DateRange milli = tokyo("2024-05-01T09:30:15.250");
        assertThat(year.low()).isLessThan(month.low());
        assertThat(month.low()).isEqualTo(day.low());
        assertThat(day.low()).isLessThan(minute.low());
        assertThat(minute.low()).isLessThan(second.low());
        assertThat(second.low()).isLessThan(milli.low());
        assertThat(milli.high()).isLessThan(second.high());
        assertThat(second.high()).isLessThan(minute.high());
        assertThat(minute.high()).isLessThan(day.high());
        assertThat(day.high()).isLessThan(month.high());
        assertThat(month.high()).isLessThan(year.high());
    }

    @Test
    void theLastMillisecondOfAJapaneseDayIsStillThatDay() {
        DateRange may1 = tokyo("2024-05-01");
        assertThat(tokyo("2024-05-01T23:59:59.999+09:00").high()).isEqualTo(may1.high());
        assertThat(tokyo("2024-05-02T00:00:00.000+09:00").low()).isEqualTo(may1.high() + 1);
        // 2024-05-01T20:00Z is already 2 May in Tokyo (05:00 JST)
        assertThat(tokyo("2024-05-01T20:00:00Z").low()).isGreaterThan(may1.high());
    }

    @Test
    void theYearRollsOverAtJapaneseMidnight() {
        assertThat(tokyo("2024-12-31T23:59:59+09:00").high())
                .isEqualTo(tokyo("2024").high());
        assertThat(tokyo("2024-12-31T15:00:00Z").low()).isEqualTo(tokyo("2025").low());
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(tokyo(" 2024-05-01 ")).isEqualTo(tokyo("2024-05-01"));
    }

    // ---- malformed input -----------------------------------------------------------------------

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                " ",
                "abcd",
                "24",
                "202",
                "20240501",
                "2024/05/01",
                "2024-5-1",
                "2024-05-1",
                "2024-5",
                "2024-05-01T09",
                "2024-05-01T9:00",
                "2024-05-01 09:00:00",
                "2024-05-01T09:00:00+0900",
                "2024-05-01T09:00:00+09",
                "2024-05-01T09:00:00JST",
                "2024-05-01T09:00:00+09:00[Asia/Tokyo]",
                "2024-05-01T09:00:00.",
                "2024-05-01T09:00:00.1234567890",
                "令和6年5月1日",
                "２０２４－０５－０１",
                "ge2024-05-01",
                "2024-05-01Z"
            })
    void valuesThatAreNotFhirDatesAreRejectedNamingTheValue(String value) {
        assertThatThrownBy(() -> tokyo(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining("not a FHIR date");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-13",
                "2024-00",
                "2024-02-30",
                "2023-02-29",
                "2024-04-31",
                "2024-05-00",
                "2024-05-01T24:00:00+09:00",
                "2024-05-01T09:60:00+09:00",
                "2024-05-01T09:00:61+09:00",
                "2024-05-01T09:00:00+25:00"
            })
    void wellFormedButImpossibleDatesAreRejectedNamingTheValue(String value) {
        assertThatThrownBy(() -> tokyo(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining("not a valid date");
    }
}
