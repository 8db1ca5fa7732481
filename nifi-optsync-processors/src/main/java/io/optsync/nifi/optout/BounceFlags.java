package io.optsync.nifi.optout;

/**
 * Reads a bounce indicator such as Salesforce's {@code IsEmailBounced}, SugarCRM's {@code invalid_email} or
 * ActiveCampaign's {@code bounced_hard} count: {@code true/1/yes/y/on} or a count above zero is a bounce;
 * {@code false/0/no/n/off}, empty or absent is none; anything else is not understood.
 */
public final class BounceFlags {
    private static final TokenDecoder FLAG = TokenDecoder.named("bounce flag")
            .optedOut("true", "1", "yes", "y", "on")
            .subscribed("false", "0", "no", "n", "off")
            .build();

    private BounceFlags() {
    }

    /**
     * @param value the indicator's value
     * @return {@code TRUE} for a bounce, {@code FALSE} for none, {@code null} when the value is not understood
     */
    public static Boolean isBounced(final Object value) {
        final Decoding decoding = FLAG.decode(value);
        switch (decoding.kind()) {
            case ABSENT:
                return Boolean.FALSE;
            case DECODED:
                return decoding.status() == OptOutStatus.OPTED_OUT;
            default:
                if (value instanceof Number number && number.doubleValue() > 0 && number.doubleValue() == Math.rint(number.doubleValue())) {
                    return Boolean.TRUE;
                }
                final String token = TextValues.isScalar(value) ? TextValues.token(value) : null;
                if (token != null && token.matches("[1-9][0-9]{0,9}")) {
                    return Boolean.TRUE;
                }
                return null;
        }
    }

    /** The stronger of two bounce kinds. */
    public static BounceKind strongest(final BounceKind a, final BounceKind b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
