package io.optsync.nifi.optout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A user's own true/false encoding, for a custom field such as {@code Do_Not_Email__c = "Y"}: the values that mean
 * opted out and the values that mean subscribed. Matching ignores case and surrounding spaces. A value in neither set
 * is unrecognized; a value in both sets is refused when the set is built.
 */
public final class CustomValueSet {
    private final List<String> optedOutValues;
    private final List<String> subscribedValues;
    private final OptOutDecoder decoder;

    private CustomValueSet(final List<String> optedOutValues, final List<String> subscribedValues) {
        this.optedOutValues = List.copyOf(optedOutValues);
        this.subscribedValues = List.copyOf(subscribedValues);
        this.decoder = TokenDecoder.named("custom value set")
                .optedOut(optedOutValues.toArray(String[]::new))
                .subscribed(subscribedValues.toArray(String[]::new))
                .build();
    }

    /**
     * Builds a value set.
     *
     * @param optedOutValues values that mean opted out; at least one
     * @param subscribedValues values that mean subscribed; may be empty (then nothing decodes as subscribed)
     * @throws IllegalArgumentException when there is no opt-out value, a value is blank, or a value is in both sets
     */
    public static CustomValueSet of(final Collection<String> optedOutValues, final Collection<String> subscribedValues) {
        final List<String> out = clean(optedOutValues, "opted-out");
        final List<String> in = clean(subscribedValues, "subscribed");
        if (out.isEmpty()) {
            throw new IllegalArgumentException("at least one opted-out value is needed");
        }
        final Set<String> outTokens = new LinkedHashSet<>();
        out.forEach(v -> outTokens.add(TextValues.token(v)));
        for (final String value : in) {
            if (outTokens.contains(TextValues.token(value))) {
                throw new IllegalArgumentException("value \"" + value + "\" is both an opted-out and a subscribed value");
            }
        }
        return new CustomValueSet(out, in);
    }

    /** Parses a comma-separated list, such as a NiFi property value; blank entries are skipped. */
    public static List<String> splitList(final String commaSeparated) {
        final List<String> values = new ArrayList<>();
        if (commaSeparated == null) {
            return values;
        }
        for (final String part : commaSeparated.split(",")) {
            final String value = TextValues.strip(part);
            if (!value.isEmpty()) {
                values.add(value);
            }
        }
        return values;
    }

    private static List<String> clean(final Collection<String> values, final String what) {
        final Set<String> seen = new LinkedHashSet<>();
        final List<String> cleaned = new ArrayList<>();
        for (final String value : values) {
            final String stripped = value == null ? "" : TextValues.strip(value);
            if (stripped.isEmpty()) {
                throw new IllegalArgumentException("a blank " + what + " value is not allowed: an empty field means no value");
            }
            if (stripped.length() > TextValues.MAX_TOKEN_LENGTH) {
                throw new IllegalArgumentException("the " + what + " value is longer than " + TextValues.MAX_TOKEN_LENGTH + " characters");
            }
            if (seen.add(TextValues.token(stripped))) {
                cleaned.add(stripped);
            }
        }
        return cleaned;
    }

    public OptOutDecoder decoder() {
        return decoder;
    }

    /** The value written for the status: the first value of the matching set. */
    public Object encode(final boolean optedOut) {
        if (optedOut) {
            return optedOutValues.getFirst();
        }
        if (subscribedValues.isEmpty()) {
            throw new IllegalStateException("this value set has no subscribed value to write");
        }
        return subscribedValues.getFirst();
    }

    public List<String> optedOutValues() {
        return optedOutValues;
    }

    public List<String> subscribedValues() {
        return subscribedValues;
    }
}
