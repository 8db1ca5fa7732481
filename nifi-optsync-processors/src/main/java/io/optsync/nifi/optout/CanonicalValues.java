package io.optsync.nifi.optout;

/**
 * Reads back the canonical fields optsync writes: the opted-out flag ({@code true}, {@code false}, empty or
 * {@code null} for unknown; a CSV round trip gives the same as text) and the bounce kind ({@code NONE}, {@code SOFT},
 * {@code HARD}).
 */
public final class CanonicalValues {
    private static final TokenDecoder OPTED_OUT_FLAG = TokenDecoder.named("canonical opted-out flag")
            .optedOut("true")
            .subscribed("false")
            .build();

    private CanonicalValues() {
    }

    /** Decodes the opted-out flag; anything but true, false or nothing is unrecognized. */
    public static Decoding optedOutFlag(final Object value) {
        return OPTED_OUT_FLAG.decode(value);
    }

    /**
     * @return the bounce kind, {@link BounceKind#NONE} when absent, {@code null} when the value is not a bounce kind
     */
    public static BounceKind bounceKind(final Object value) {
        if (value == null) {
            return BounceKind.NONE;
        }
        if (!TextValues.isScalar(value)) {
            return null;
        }
        final String token = TextValues.token(value);
        if (token == null) {
            return null;
        }
        return switch (token) {
            case "", "none" -> BounceKind.NONE;
            case "soft" -> BounceKind.SOFT;
            case "hard" -> BounceKind.HARD;
            default -> null;
        };
    }
}
