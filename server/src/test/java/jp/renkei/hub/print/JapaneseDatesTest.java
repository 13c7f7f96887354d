package jp.renkei.hub.print;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneId;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.junit.jupiter.api.Test;

/** 和暦: era boundaries, 元年, and FHIR dates at their precision. */
class JapaneseDatesTest {

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    @Test
    void heiseiEndsAndReiwaBeginsOnTheFirstOfMay2019() {
        assertThat(JapaneseDates.wareki(LocalDate.of(2019, 4, 30))).isEqualTo("平成31年4月30日");
        assertThat(JapaneseDates.wareki(LocalDate.of(2019, 5, 1))).isEqualTo("令和元年5月1日");
        assertThat(JapaneseDates.wareki(LocalDate.of(2020, 1, 1))).isEqualTo("令和2年1月1日");
    }

    @Test
    void showaEndsAndHeiseiBeginsOnTheEighthOfJanuary1989() {
        assertThat(JapaneseDates.wareki(LocalDate.of(1989, 1, 7))).isEqualTo("昭和64年1月7日");
        assertThat(JapaneseDates.wareki(LocalDate.of(1989, 1, 8))).isEqualTo("平成元年1月8日");
    }

    @Test
    void birthDatesOfTodaysElderly() {
        assertThat(JapaneseDates.wareki(LocalDate.of(1944, 5, 3))).isEqualTo("昭和19年5月3日");
        assertThat(JapaneseDates.wareki(LocalDate.of(1926, 12, 25))).isEqualTo("昭和元年12月25日");
        assertThat(JapaneseDates.wareki(LocalDate.of(1926, 12, 24))).isEqualTo("大正15年12月24日");
        assertThat(JapaneseDates.wareki(LocalDate.of(1912, 7, 30))).isEqualTo("大正元年7月30日");
        assertThat(JapaneseDates.wareki(LocalDate.of(1912, 7, 29))).isEqualTo("明治45年7月29日");
        assertThat(JapaneseDates.wareki(LocalDate.of(1872, 12, 31))).isNull();
    }

    @Test
    void fhirDatesPrintAtTheirPrecisionWithTheWarekiBeside() {
        assertThat(JapaneseDates.date(new DateType("1944-05-03"), TOKYO)).isEqualTo("1944年5月3日（昭和19年5月3日）");
        assertThat(JapaneseDates.date(new DateType("1944-05"), TOKYO)).isEqualTo("1944年5月（昭和19年5月）");
        assertThat(JapaneseDates.date(new DateType("1944"), TOKYO)).isEqualTo("1944年（昭和19年）");
        assertThat(JapaneseDates.dateTime(new DateTimeType("2019-04-30T15:30:00Z"), TOKYO))
                .isEqualTo("2019年5月1日 00:30（令和元年5月1日）");
    }
}
