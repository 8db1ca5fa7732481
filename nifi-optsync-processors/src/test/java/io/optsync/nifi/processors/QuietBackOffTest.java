package io.optsync.nifi.processors;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class QuietBackOffTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void offItNeverSkips() {
        final QuietBackOff off = new QuietBackOff(Duration.ZERO);
        for (int i = 0; i < 10; i++) {
            off.read(T0.plusSeconds(15L * i), false);
            assertThat(off.skip(T0.plusSeconds(15L * i + 15))).isFalse();
        }
    }

    @Test
    void quietReadsDoubleTheGapUpToTheLimitAndAChangeBringsItBack() {
        final QuietBackOff backOff = new QuietBackOff(Duration.ofMinutes(2));
        backOff.read(T0, false);
        assertThat(backOff.gap()).isEqualTo(Duration.ofSeconds(30));
        assertThat(backOff.skip(T0.plusSeconds(15))).isTrue();
        assertThat(backOff.skip(T0.plusSeconds(30))).as("a run due now reads").isFalse();
        assertThat(backOff.skip(T0.plusMillis(29_500))).as("a run a little early reads too").isFalse();
        backOff.read(T0.plusSeconds(30), false);
        assertThat(backOff.gap()).isEqualTo(Duration.ofSeconds(60));
        backOff.read(T0.plusSeconds(90), false);
        backOff.read(T0.plusSeconds(210), false);
        assertThat(backOff.gap()).as("capped").isEqualTo(Duration.ofMinutes(2));
        assertThat(backOff.skip(T0.plusSeconds(300))).isTrue();
        backOff.read(T0.plusSeconds(330), true);
        assertThat(backOff.gap()).isZero();
        assertThat(backOff.skip(T0.plusSeconds(345))).as("the first change: back to every run").isFalse();
    }
}
