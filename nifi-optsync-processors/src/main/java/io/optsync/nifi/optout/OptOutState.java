package io.optsync.nifi.optout;

import java.time.Instant;
import java.util.Objects;

/**
 * What one system says about one address at one time.
 *
 * @param status the unsubscribe status
 * @param bounce the bounce kind, kept apart from the status
 * @param changedAt when the system last changed this status ({@code null} when it does not say); for a subscribed
 *                  state this is the time of the consent
 */
public record OptOutState(OptOutStatus status, BounceKind bounce, Instant changedAt) {

    public OptOutState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(bounce, "bounce");
    }

    public static OptOutState of(final OptOutStatus status, final BounceKind bounce, final Instant changedAt) {
        return new OptOutState(status, bounce, changedAt);
    }

    public static OptOutState unknown() {
        return new OptOutState(OptOutStatus.UNKNOWN, BounceKind.NONE, null);
    }
}
