package jp.renkei.hub.print;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.chrono.JapaneseDate;
import java.time.chrono.JapaneseEra;
import java.util.Date;
import java.util.Map;
import org.hl7.fhir.r4.model.BaseDateTimeType;

/**
 * Dates as Japanese forms print them: 西暦 with 年月日 and the 和暦 (Japanese era) beside it, e.g.
 * 1944年5月3日（昭和19年5月3日）. The first year of an era is written 元年 (令和元年5月1日). Dates before
 * the Gregorian calendar was adopted in Japan (明治6年, 1873) have no 和暦 here.
 */
final class JapaneseDates {

    private static final LocalDate FIRST_WAREKI_DAY = LocalDate.of(1873, 1, 1);
    private static final Map<JapaneseEra, String> ERA_NAMES = Map.of(
            JapaneseEra.MEIJI,
            "明治",
            JapaneseEra.TAISHO,
            "大正",
            JapaneseEra.SHOWA,
            "昭和",
            JapaneseEra.HEISEI,
            "平成",
            JapaneseEra.REIWA,
            "令和");

    private JapaneseDates() {}

    /** The 和暦 of a day, e.g. 平成31年4月30日, 令和元年5月1日; null before 1873 or for an era this JDK does not name. */
    public static String wareki(LocalDate date) {
        String year = warekiYear(date);
        return year == null ? null : year + date.getMonthValue() + "月" + date.getDayOfMonth() + "日";
    }

    /** The 和暦 year of a day, e.g. 昭和19年. */
    static String warekiYear(LocalDate date) {
        if (date.isBefore(FIRST_WAREKI_DAY)) {
            return null;
        }
        JapaneseDate japanese = JapaneseDate.from(date);
        String era = ERA_NAMES.get(japanese.getEra());
        if (era == null) {
            return null;
        }
        int year = japanese.get(java.time.temporal.ChronoField.YEAR_OF_ERA);
        return era + (year == 1 ? "元" : Integer.toString(year)) + "年";
    }

    /** A FHIR date (birth date, onset) at its own precision, with the 和暦: 1944年5月3日（昭和19年5月3日）. */
    public static String date(BaseDateTimeType value, ZoneId zone) {
        if (value == null || value.getValue() == null) {
            return "";
        }
        TemporalPrecisionEnum precision = value.getPrecision();
        LocalDate day;
        if (precision.ordinal() <= TemporalPrecisionEnum.DAY.ordinal()) {
            // date-only values carry no zone: take their fields as written
            day = LocalDate.of(
                    value.getYear(),
                    precision == TemporalPrecisionEnum.YEAR ? 1 : value.getMonth() + 1,
                    precision == TemporalPrecisionEnum.DAY ? value.getDay() : 1);
        } else {
            day = value.getValue().toInstant().atZone(zone).toLocalDate();
        }
        return switch (precision) {
            case YEAR -> day.getYear() + "年" + paren(warekiYear(day));
            case MONTH ->
                day.getYear() + "年" + day.getMonthValue() + "月"
                        + paren(warekiYear(day) == null ? null : warekiYear(day) + day.getMonthValue() + "月");
            default -> day.getYear() + "年" + day.getMonthValue() + "月" + day.getDayOfMonth() + "日" + paren(wareki(day));
        };
    }

    /** A FHIR dateTime with its time when it has one, in the hub's zone: 2026年10月15日 14:00（令和8年10月15日）. */
    public static String dateTime(BaseDateTimeType value, ZoneId zone) {
        if (value == null || value.getValue() == null) {
            return "";
        }
        if (value.getPrecision().ordinal() <= TemporalPrecisionEnum.DAY.ordinal()) {
            return date(value, zone);
        }
        return dateTime(value.getValue(), zone);
    }

    /** An instant in the hub's zone: 2026年10月15日 14:00（令和8年10月15日）. */
    public static String dateTime(Date instant, ZoneId zone) {
        ZonedDateTime at = instant.toInstant().atZone(zone);
        LocalDate day = at.toLocalDate();
        return day.getYear() + "年" + day.getMonthValue() + "月" + day.getDayOfMonth() + "日 "
                + String.format("%02d:%02d", at.getHour(), at.getMinute()) + paren(wareki(day));
    }

    private static String paren(String wareki) {
        return wareki == null ? "" : "（" + wareki + "）";
    }
}
