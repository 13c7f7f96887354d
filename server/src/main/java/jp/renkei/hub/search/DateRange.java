package jp.renkei.hub.search;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The span of time a FHIR date, dateTime or instant covers at its precision, as epoch
 * milliseconds [low, high], both inclusive. "2024-05" covers the whole of May. Values without a
 * zone are read in the hub's zone (Asia/Tokyo by default) so that stored data and queries agree.
 */
record DateRange(long low, long high) {

    private static final Pattern FHIR_DATE = Pattern.compile(
            "(\\d{4})(?:-(\\d{2})(?:-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?)?)?)?");

    public static final long MIN = Long.MIN_VALUE;
    public static final long MAX = Long.MAX_VALUE;

    /** @throws IllegalArgumentException with a message naming the value when it is not a FHIR date. */
    public static DateRange parse(String value, ZoneId zone) {
        Matcher m = FHIR_DATE.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + value
                            + "' is not a FHIR date (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]][Z|+hh:mm])");
        }
        try {
            int year = Integer.parseInt(m.group(1));
            if (m.group(2) == null) {
                return days(LocalDate.of(year, 1, 1), LocalDate.of(year + 1, 1, 1), zone);
            }
            YearMonth month = YearMonth.of(year, Integer.parseInt(m.group(2)));
            if (m.group(3) == null) {
                return days(month.atDay(1), month.plusMonths(1).atDay(1), zone);
            }
            LocalDate day = month.atDay(Integer.parseInt(m.group(3)));
            if (m.group(4) == null) {
                return days(day, day.plusDays(1), zone);
            }
            int hour = Integer.parseInt(m.group(4));
            int minute = Integer.parseInt(m.group(5));
            int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
            String fraction = m.group(7);
            LocalDateTime local = day.atTime(hour, minute, second);
            ZoneId offset = m.group(8) == null ? zone : ZoneId.of(m.group(8));
            long start = local.atZone(offset).toInstant().toEpochMilli();
            if (fraction != null) {
                // ".5" is a tenth of a second wide, ".50" a hundredth; beyond milliseconds the store has no precision.
                String digits = fraction.substring(1);
                int precision = Math.min(digits.length(), 3);
                long ms = start + Integer.parseInt((digits + "00").substring(0, 3));
                long width = precision == 1 ? 100 : precision == 2 ? 10 : 1;
                return new DateRange(ms, ms + width - 1);
            }
            long width = m.group(6) == null ? 60_000 : 1_000;
            return new DateRange(start, start + width - 1);
        } catch (java.time.DateTimeException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a valid date: " + e.getMessage());
        }
    }

    private static DateRange days(LocalDate from, LocalDate toExclusive, ZoneId zone) {
        return new DateRange(
                from.atStartOfDay(zone).toInstant().toEpochMilli(),
                toExclusive.atStartOfDay(zone).toInstant().toEpochMilli() - 1);
    }
}
