package io.optsync.simulators;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that stands still until a test or a measure moves it: time that passes without waiting for it. */
public final class MovingClock extends Clock {
    private volatile Instant now;

    public MovingClock(final Instant start) {
        this.now = start;
    }

    /** Moves the clock on. */
    public void advance(final Duration by) {
        now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
