package io.optsync.nifi.optout;

import java.util.Objects;

/**
 * What a decoder made of one opt-out value: the status and bounce kind it says, and how it was read.
 * <ul>
 * <li>{@link Kind#DECODED}: the value is one the encoding knows; its status may still be {@link OptOutStatus#UNKNOWN}
 * (for example Mailchimp's {@code pending}).</li>
 * <li>{@link Kind#ABSENT}: there is no value (null or empty); the status is unknown.</li>
 * <li>{@link Kind#UNRECOGNIZED}: the value is not one the encoding knows; the status is unknown and the value is an
 * error to report, never a reason to treat anybody as subscribed.</li>
 * </ul>
 *
 * @param kind how the value was read
 * @param status the opt-out status it says
 * @param bounce the bounce kind it says
 * @param reason a short explanation naming the encoding and the value, for the canonical reason field and for failures
 */
public record Decoding(Kind kind, OptOutStatus status, BounceKind bounce, String reason) {

    public enum Kind {
        DECODED,
        ABSENT,
        UNRECOGNIZED
    }

    public Decoding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(bounce, "bounce");
        Objects.requireNonNull(reason, "reason");
        if (kind != Kind.DECODED && (status != OptOutStatus.UNKNOWN || bounce != BounceKind.NONE)) {
            throw new IllegalArgumentException("an absent or unrecognized value says nothing: " + kind);
        }
    }

    public static Decoding decoded(final OptOutStatus status, final BounceKind bounce, final String reason) {
        return new Decoding(Kind.DECODED, status, bounce, reason);
    }

    public static Decoding absent(final String reason) {
        return new Decoding(Kind.ABSENT, OptOutStatus.UNKNOWN, BounceKind.NONE, reason);
    }

    public static Decoding unrecognized(final String reason) {
        return new Decoding(Kind.UNRECOGNIZED, OptOutStatus.UNKNOWN, BounceKind.NONE, reason);
    }

    /** Whether the value could not be decoded: such a record is a failure to report, with {@link #reason()}. */
    public boolean isUnrecognized() {
        return kind == Kind.UNRECOGNIZED;
    }
}
