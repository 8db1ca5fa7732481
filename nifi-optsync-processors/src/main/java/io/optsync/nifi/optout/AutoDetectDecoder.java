package io.optsync.nifi.optout;

import java.util.Locale;

/**
 * Reads an opt-out value without being told the vendor, and only where the meaning is certain.
 * <ul>
 * <li>The field's name decides what a yes/no value means. A name that says opt-out ({@code email_opt_out},
 * {@code HasOptedOutOfEmail}, {@code unsubscribed}, {@code do_not_email}) reads {@code true/1/yes/y/on} as opted out and
 * {@code false/0/no/n/off} as subscribed. NetSuite's {@code globalSubscriptionStatus} reads its own ids.</li>
 * <li>Self-describing words decode under any name: Mailchimp statuses ({@code unsubscribed}, {@code subscribed},
 * {@code cleaned}, {@code pending}, ...) and Act-On list names ({@code optout}, {@code hardbounce}, ...).</li>
 * <li>Anything else is unrecognized, with a reason that asks for a named encoding: a {@code 1} in a field called
 * {@code status} is ActiveCampaign's "active" but would be SugarCRM's "opted out" in another field, so guessing could
 * subscribe somebody.</li>
 * </ul>
 */
public final class AutoDetectDecoder implements OptOutDecoder {
    private static final String NAME = "auto-detect";
    private static final TokenDecoder OPT_OUT_FLAG = TokenDecoder.named("auto-detect (opt-out flag)")
            .optedOut("true", "1", "yes", "y", "on")
            .subscribed("false", "0", "no", "n", "off")
            .build();
    private static final TokenDecoder WORDS = TokenDecoder.named("auto-detect (status word)")
            .optedOut("unsubscribed", "opted out", "opted-out", "optout", "opt-out")
            .subscribed("subscribed")
            .add(OptOutStatus.OPTED_OUT, BounceKind.NONE, "spam complaint", "spamcomplaint")
            .add(OptOutStatus.UNKNOWN, BounceKind.HARD, "hard bounce", "cleaned", "hardbounce", "hard-bounce")
            .add(OptOutStatus.UNKNOWN, BounceKind.NONE, "no consent yet", "pending", "transactional", "archived")
            .build();

    private final String fieldName;
    private final OptOutDecoder byName;

    private AutoDetectDecoder(final String fieldName, final OptOutDecoder byName) {
        this.fieldName = fieldName;
        this.byName = byName;
    }

    /**
     * The decoder for values of the named field.
     *
     * @param fieldName the name of the field the values come from; may be {@code null} when unknown
     */
    public static AutoDetectDecoder forField(final String fieldName) {
        final String key = fieldName == null ? "" : fieldName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        final OptOutDecoder byName;
        if (key.contains("globalsubscriptionstatus")) {
            byName = OptOutEncoding.NETSUITE.decoder();
        } else if (saysOptOut(key)) {
            byName = OPT_OUT_FLAG;
        } else {
            byName = null;
        }
        return new AutoDetectDecoder(fieldName, byName);
    }

    private static boolean saysOptOut(final String key) {
        return key.contains("optout") || key.contains("optedout") || key.contains("unsubscribe")
                || key.contains("donotemail") || key.contains("donotmail") || key.contains("emailoptout");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decoding decode(final Object value) {
        if (byName != null) {
            final Decoding decoding = byName.decode(value);
            if (!decoding.isUnrecognized()) {
                return decoding;
            }
        }
        final Decoding word = WORDS.decode(value);
        if (!word.isUnrecognized()) {
            return word;
        }
        if (!TextValues.isScalar(value)) {
            return word;
        }
        return Decoding.unrecognized("auto-detect cannot tell what " + TextValues.display(value) + " means in field '"
                + fieldName + "'; choose the source encoding (vendor or custom value set)");
    }
}
