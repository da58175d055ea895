package io.taskmeter.core.metadata;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Timestamps as orchestrators write them, read tolerantly: {@code 2024-05-01T10:00:00Z}, {@code +02:00} and
 * {@code +0200} offsets, a space instead of {@code T}, 0 to 9 fraction digits, no zone at all (read as UTC, which
 * is what Airflow and Prefect store), or epoch seconds/milliseconds as numbers. Anything else is null, never an
 * exception: one odd field must not lose the rest of a record.
 */
public final class Times {
    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2).optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter();

    private Times() {
    }

    /** Epoch milliseconds, or null when absent or unreadable. */
    public static Long parseMs(String s) {
        if (s == null) {
            return null;
        }
        String v = s.strip();
        if (v.isEmpty() || v.equalsIgnoreCase("null") || v.equalsIgnoreCase("none")) {
            return null;
        }
        if (v.matches("-?\\d+(\\.\\d+)?")) {
            double n = Double.parseDouble(v);
            // Seconds until the year 5138, milliseconds after.
            return n < 1e11 ? (long) (n * 1000) : (long) n;
        }
        if (v.endsWith("UTC")) {
            v = v.substring(0, v.length() - 3).strip() + "Z";
        }
        try {
            var parsed = LENIENT.parseBest(v, OffsetDateTime::from, LocalDateTime::from);
            if (parsed instanceof OffsetDateTime odt) {
                return odt.toInstant().toEpochMilli();
            }
            return ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    public static String iso(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms).toString();
    }
}
