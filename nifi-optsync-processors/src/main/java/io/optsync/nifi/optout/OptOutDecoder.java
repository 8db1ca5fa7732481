package io.optsync.nifi.optout;

import java.util.List;

/**
 * Reads one system's opt-out value. Implementations never return {@link OptOutStatus#SUBSCRIBED} for a value they do
 * not know: such a value is {@link Decoding.Kind#UNRECOGNIZED}.
 */
public interface OptOutDecoder {

    /** A short name for reasons, such as {@code "SugarCRM v4_1"}. */
    String name();

    /**
     * Decodes one value: a string, number, boolean, or {@code null} for an absent value.
     *
     * @param value the value as the record holds it
     * @return what the value says; never {@code null}
     */
    Decoding decode(Object value);

    /**
     * Decodes the several values one record holds for one person (for example ActiveCampaign's list memberships, or a
     * RecordPath that selects more than one field). By default the values must agree: conflicting values are
     * unrecognized, because one record cannot be both opted out and subscribed. Encodings with a rule of their own
     * override this.
     *
     * @param values the values; empty means absent
     * @return what they say together
     */
    default Decoding decodeAll(final List<?> values) {
        if (values.isEmpty()) {
            return decode(null);
        }
        Decoding agreed = null;
        for (final Object value : values) {
            final Decoding decoding = decode(value);
            if (decoding.isUnrecognized()) {
                return decoding;
            }
            if (decoding.kind() == Decoding.Kind.ABSENT) {
                continue;
            }
            if (agreed == null) {
                agreed = decoding;
            } else if (agreed.status() != decoding.status() || agreed.bounce() != decoding.bounce()) {
                return Decoding.unrecognized(name() + " values conflict (" + values.size() + " values: "
                        + agreed.reason() + " / " + decoding.reason() + "); select a single value");
            }
        }
        return agreed != null ? agreed : decode(null);
    }
}
