package io.optsync.nifi.processors;

import java.time.Duration;
import java.time.Instant;

/**
 * Adaptive polling for a fetch: while its reads find no change, the time until the next read doubles, from
 * {@link #FIRST} up to a limit; the first read that finds a change brings it back to every run. A limit of zero turns it
 * off. The schedule holds no secret and no watermark: it is kept in memory, so a restart or a new primary node reads on
 * its first run.
 */
final class QuietBackOff {
    /** The first gap after a quiet read. */
    static final Duration FIRST = Duration.ofSeconds(30);
    /** How much earlier than planned a run may come and still read: NiFi's runs do not arrive to the millisecond. */
    private static final Duration SLACK = Duration.ofSeconds(1);

    private final Duration limit;
    private Duration gap = Duration.ZERO;
    /** When the next read is due, or {@code null}: on every run. */
    private Instant next;

    /** @param limit the longest gap; zero: read on every run */
    QuietBackOff(final Duration limit) {
        this.limit = limit;
    }

    /** Whether the run at {@code now} should make no read. */
    synchronized boolean skip(final Instant now) {
        return !limit.isZero() && next != null && now.isBefore(next.minus(SLACK));
    }

    /** Records a read at {@code now} and whether it found a change. */
    synchronized void read(final Instant now, final boolean changed) {
        if (changed || limit.isZero()) {
            gap = Duration.ZERO;
            next = null;
            return;
        }
        gap = gap.isZero() ? min(FIRST, limit) : min(gap.multipliedBy(2), limit);
        next = now.plus(gap);
    }

    /** The gap the next read waits, zero while reads find changes. */
    synchronized Duration gap() {
        return gap;
    }

    private static Duration min(final Duration a, final Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
