package io.optsync.nifi.optout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/** Turns the scalar values records hold into the text that decoders match, and values into safe display text. */
public final class TextValues {
    /** Longest text a decoder looks at; a longer value is unrecognized without being copied or lower-cased. */
    static final int MAX_TOKEN_LENGTH = 64;
    /** Longest excerpt of a value put into a reason, an attribute or a log line. */
    public static final int MAX_DISPLAY_LENGTH = 120;

    private TextValues() {
    }

    /**
     * {@link String#strip()} that also removes the no-break space (U+00A0, U+2007, U+202F), zero-width characters
     * (U+200B..U+200D, U+2060) and the byte-order mark (U+FEFF), which exports and spreadsheets leave around values.
     */
    public static String strip(final String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isBlank(text.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(text.charAt(end - 1))) {
            end--;
        }
        return start == 0 && end == text.length() ? text : text.substring(start, end);
    }

    private static boolean isBlank(final char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == '\uFEFF';
    }

    /** Whether the value is one a decoder can read: text, a number, a boolean or a character. */
    public static boolean isScalar(final Object value) {
        return value instanceof CharSequence || value instanceof Number || value instanceof Boolean || value instanceof Character;
    }

    /**
     * The matching key of a scalar value: stripped, lower-cased text; {@code true}/{@code false} for booleans; integral
     * numbers without a fraction ({@code 1.0} gives {@code "1"}). Returns {@code null} for a value longer than
     * {@link #MAX_TOKEN_LENGTH}, which no decoder knows.
     */
    static String token(final Object value) {
        if (value instanceof Boolean bool) {
            return bool ? "true" : "false";
        }
        if (value instanceof Number number) {
            return numberToken(number);
        }
        final String text = strip(value.toString());
        if (text.length() > MAX_TOKEN_LENGTH) {
            return null;
        }
        return text.toLowerCase(Locale.ROOT);
    }

    private static String numberToken(final Number number) {
        if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte
                || number instanceof BigInteger) {
            return number.toString();
        }
        if (number instanceof Double || number instanceof Float) {
            final double d = number.doubleValue();
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
            return number.toString();
        }
        if (number instanceof BigDecimal decimal) {
            final BigDecimal stripped = decimal.stripTrailingZeros();
            return stripped.scale() <= 0 ? stripped.toBigInteger().toString() : stripped.toPlainString();
        }
        return number.toString();
    }

    /** A value as it may appear in a reason or attribute: quoted if text, cut to {@link #MAX_DISPLAY_LENGTH}. */
    public static String display(final Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof CharSequence text) {
            final String s = text.toString();
            if (s.length() > MAX_DISPLAY_LENGTH) {
                return '"' + escape(s.substring(0, MAX_DISPLAY_LENGTH)) + "\"... (" + s.length() + " characters)";
            }
            return '"' + escape(s) + '"';
        }
        if (!isScalar(value)) {
            return "a " + kindOf(value);
        }
        return value.toString();
    }

    /** Names what kind of value a non-scalar is, for reasons such as "a list where a single value was expected". */
    public static String kindOf(final Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Object[] || value instanceof Iterable<?>) {
            return "list";
        }
        if (value instanceof java.util.Map<?, ?>) {
            return "map";
        }
        if (isScalar(value)) {
            return "scalar";
        }
        final String name = value.getClass().getSimpleName();
        return name.endsWith("Record") ? "record" : name;
    }

    private static String escape(final String s) {
        final StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
