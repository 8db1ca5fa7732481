package io.optsync.nifi.connector;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-12-02T08:49:07Z");

    @Test
    void delaySecondsAreSeconds() {
        assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
    }

    @Test
    void everyHttpDateFormIsTheTimeLeftUntilThatDate() {
        assertThat(RetryAfter.parse("Wed, 02 Dec 2026 08:49:37 GMT", NOW)).as("IMF-fixdate").contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Wednesday, 02-Dec-26 08:50:07 GMT", NOW)).as("RFC 850").contains(Duration.ofSeconds(60));
        assertThat(RetryAfter.parse("Wed Dec  2 08:51:07 2026", NOW)).as("asctime, a day of one digit padded").contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse("wed, 02 dec 2026 08:49:37 gmt", NOW)).as("case-insensitive").contains(Duration.ofSeconds(30));
    }

    @Test
    void aDatePastAsksForNoWait() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).contains(Duration.ZERO);
    }

    @Test
    void anRfc850YearIsWithinFiftyYearsOfNow() {
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).as("1994, not 2094").contains(Duration.ZERO);
    }

    @Test
    void anythingElseLeavesItToTheBackOff() {
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("", NOW)).isEmpty();
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
        assertThat(RetryAfter.parse("-5", NOW)).isEmpty();
        assertThat(RetryAfter.parse("1.5", NOW)).isEmpty();
        assertThat(RetryAfter.parse("99999999999999999999999", NOW)).isEmpty();
    }
}
