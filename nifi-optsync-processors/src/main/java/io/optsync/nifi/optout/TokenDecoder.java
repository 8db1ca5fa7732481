package io.optsync.nifi.optout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A decoder driven by a table of known values. A value is matched by its {@link TextValues#token token} (stripped,
 * lower-cased text; booleans and integral numbers as text), so {@code " True "}, {@code "TRUE"} and {@code true} are
 * the same value. Each entry carries a ready reason, so decoding a known value allocates nothing beyond the token.
 */
final class TokenDecoder implements OptOutDecoder {
    private final String name;
    private final Map<String, Decoding> table;
    private final Decoding absent;
    private final Function<List<?>, Decoding> combiner;

    private TokenDecoder(final Builder builder) {
        this.name = builder.name;
        this.table = Map.copyOf(builder.table);
        this.absent = Decoding.absent(name + ": no value");
        this.combiner = builder.combiner;
    }

    static Builder named(final String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decoding decode(final Object value) {
        if (value == null) {
            return absent;
        }
        if (!TextValues.isScalar(value)) {
            return Decoding.unrecognized(name + " expects a single value but found a " + TextValues.kindOf(value));
        }
        final String token = TextValues.token(value);
        if (token == null) {
            return Decoding.unrecognized(name + " does not know the value " + TextValues.display(value));
        }
        if (token.isEmpty()) {
            return absent;
        }
        final Decoding known = table.get(token);
        if (known == null && combiner != null && token.indexOf(',') > 0) {
            return decodeAll(java.util.Arrays.stream(token.split(",")).map(String::trim).toList()); // one value per list: "2,2"
        }
        return known != null ? known : Decoding.unrecognized(name + " does not know the value " + TextValues.display(value));
    }

    @Override
    public Decoding decodeAll(final List<?> values) {
        return combiner != null ? combiner.apply(values) : OptOutDecoder.super.decodeAll(values);
    }

    /** Whether {@code token} is one of this decoder's known values. */
    boolean knows(final String token) {
        return table.containsKey(token);
    }

    static final class Builder {
        private final String name;
        private final Map<String, Decoding> table = new HashMap<>();
        private Function<List<?>, Decoding> combiner;

        private Builder(final String name) {
            this.name = Objects.requireNonNull(name);
        }

        Builder optedOut(final String... tokens) {
            return add(OptOutStatus.OPTED_OUT, BounceKind.NONE, "opted out", tokens);
        }

        Builder subscribed(final String... tokens) {
            return add(OptOutStatus.SUBSCRIBED, BounceKind.NONE, "subscribed", tokens);
        }

        Builder add(final OptOutStatus status, final BounceKind bounce, final String meaning, final String... tokens) {
            for (final String token : tokens) {
                final String key = TextValues.token(token);
                final Decoding previous = table.put(key, Decoding.decoded(status, bounce, name + " \"" + token + "\": " + meaning));
                if (previous != null) {
                    throw new IllegalArgumentException(name + ": value \"" + token + "\" is listed twice");
                }
            }
            return this;
        }

        Builder combiner(final Function<List<?>, Decoding> combiner) {
            this.combiner = combiner;
            return this;
        }

        TokenDecoder build() {
            return new TokenDecoder(this);
        }
    }
}
