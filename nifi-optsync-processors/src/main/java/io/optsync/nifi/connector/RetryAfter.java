package io.optsync.nifi.connector;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An HTTP {@code Retry-After} header (RFC 9110 section 10.2.3): either delay-seconds or an HTTP-date, and an HTTP-date
 * in any of the three forms a recipient must accept (section 5.6.7): IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37
 * GMT}), the obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and asctime ({@code Sun Nov  6 08:49:37
 * 1994}). A date already past asks for no wait.
 */
public final class RetryAfter {
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("EEE MMM ppd HH:mm:ss yyyy").toFormatter(Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private RetryAfter() {
    }

    /**
     * How long the header asks to wait from {@code now}; empty when there is no header or it is neither form (the
     * caller's own back-off decides then).
     */
    public static Optional<Duration> parse(final String header, final Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        final String value = header.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (final NumberFormatException tooLong) {
                return Optional.empty();
            }
        }
        for (final DateTimeFormatter format : formats(now)) {
            try {
                final Instant when = ZonedDateTime.parse(value, format).toInstant();
                return Optional.of(when.isAfter(now) ? Duration.between(now, when) : Duration.ZERO);
            } catch (final DateTimeParseException notThisForm) {
                // the next form
            }
        }
        return Optional.empty();
    }

    /** The three forms; an RFC 850 two-digit year is read as within 50 years of {@code now}, as section 5.6.7 requires. */
    private static List<DateTimeFormatter> formats(final Instant now) {
        final DateTimeFormatter rfc850 = new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern("EEEE, dd-MMM-")
                .appendValueReduced(ChronoField.YEAR, 2, 2, now.atZone(ZoneOffset.UTC).getYear() - 49).appendPattern(" HH:mm:ss 'GMT'")
                .toFormatter(Locale.ENGLISH).withZone(ZoneOffset.UTC);
        return List.of(DateTimeFormatter.RFC_1123_DATE_TIME, rfc850, ASCTIME);
    }
}
