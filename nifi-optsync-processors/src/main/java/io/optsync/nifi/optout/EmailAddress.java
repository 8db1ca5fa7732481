package io.optsync.nifi.optout;

import java.util.Locale;

/**
 * An e-mail identity: {@code lower(trim(email))}, validated. Two records with the same {@code EmailAddress} are the
 * same person for opt-out purposes, whatever system they live in.
 * <p>
 * Trimming removes Unicode white space plus the no-break space, zero-width characters and the byte-order mark that
 * exports often carry. Lower-casing is locale-independent ({@link Locale#ROOT}). Validation is the practical subset of
 * RFC 5321/5322 that the vendors accept: one {@code @}; a local part of 1 to 64 characters without quotes, spaces or
 * leading, trailing or doubled dots; a domain of at least two labels, each 1 to 63 letters, digits or hyphens, not
 * starting or ending with a hyphen, and a top-level label that is not all digits; 254 characters at most. Addresses
 * with non-ASCII characters (RFC 6531) are accepted only when the caller allows internationalized addresses.
 */
public final class EmailAddress implements Comparable<EmailAddress> {
    static final int MAX_LENGTH = 254;
    private static final int MAX_LOCAL_LENGTH = 64;
    private static final int MAX_LABEL_LENGTH = 63;
    private static final String LOCAL_SPECIALS = "!#$%&'*+-/=?^_`{|}~.";

    private final String value;

    private EmailAddress(final String value) {
        this.value = value;
    }

    /**
     * Normalizes and validates an address.
     *
     * @param raw the address as a system holds it
     * @param allowInternationalized whether non-ASCII characters (RFC 6531 addresses) are accepted
     * @return the e-mail identity
     * @throws InvalidEmailAddressException when the value is not a usable address; the message gives the reason
     */
    public static EmailAddress parse(final String raw, final boolean allowInternationalized) {
        if (raw == null) {
            throw new InvalidEmailAddressException("e-mail address is absent");
        }
        final String trimmed = TextValues.strip(raw);
        if (trimmed.isEmpty()) {
            throw new InvalidEmailAddressException("e-mail address is empty");
        }
        if (trimmed.length() > MAX_LENGTH) {
            throw new InvalidEmailAddressException("e-mail address is longer than " + MAX_LENGTH + " characters");
        }
        final String lower = trimmed.toLowerCase(Locale.ROOT);
        final String problem = problemOf(lower, allowInternationalized);
        if (problem != null) {
            throw new InvalidEmailAddressException(problem);
        }
        return new EmailAddress(lower);
    }

    /** Same as {@link #parse(String, boolean)} with internationalized addresses accepted. */
    public static EmailAddress parse(final String raw) {
        return parse(raw, true);
    }

    private static String problemOf(final String address, final boolean allowInternationalized) {
        final int at = address.indexOf('@');
        if (at < 0) {
            return "e-mail address has no '@'";
        }
        if (address.indexOf('@', at + 1) >= 0) {
            return "e-mail address has more than one '@'";
        }
        final String local = address.substring(0, at);
        final String domain = address.substring(at + 1);
        final String localProblem = localPartProblem(local, allowInternationalized);
        return localProblem != null ? localProblem : domainProblem(domain, allowInternationalized);
    }

    private static String localPartProblem(final String local, final boolean allowInternationalized) {
        if (local.isEmpty()) {
            return "e-mail address has an empty local part";
        }
        if (local.length() > MAX_LOCAL_LENGTH) {
            return "e-mail local part is longer than " + MAX_LOCAL_LENGTH + " characters";
        }
        if (local.charAt(0) == '.' || local.charAt(local.length() - 1) == '.' || local.contains("..")) {
            return "e-mail local part has a leading, trailing or doubled dot";
        }
        for (int i = 0; i < local.length(); i++) {
            final char c = local.charAt(i);
            if (c < 0x80) {
                if (!(isAsciiLetterOrDigit(c) || LOCAL_SPECIALS.indexOf(c) >= 0)) {
                    return "e-mail local part has a character not allowed there (" + describe(c) + ")";
                }
            } else if (!allowInternationalized) {
                return "e-mail address is internationalized (non-ASCII characters) and such addresses are not accepted";
            } else if (!isInternationalCharacter(local, i)) {
                return "e-mail local part has a character not allowed there (" + describe(c) + ")";
            }
        }
        return null;
    }

    private static String domainProblem(final String domain, final boolean allowInternationalized) {
        if (domain.isEmpty()) {
            return "e-mail address has an empty domain";
        }
        if (domain.charAt(0) == '[') {
            return "e-mail domain is an address literal, which marketing systems do not accept";
        }
        final String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return "e-mail domain has no dot";
        }
        for (final String label : labels) {
            if (label.isEmpty()) {
                return "e-mail domain has an empty label (leading, trailing or doubled dot)";
            }
            if (label.length() > MAX_LABEL_LENGTH) {
                return "e-mail domain has a label longer than " + MAX_LABEL_LENGTH + " characters";
            }
            if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return "e-mail domain has a label that starts or ends with a hyphen";
            }
            for (int i = 0; i < label.length(); i++) {
                final char c = label.charAt(i);
                if (c < 0x80) {
                    if (!(isAsciiLetterOrDigit(c) || c == '-')) {
                        return "e-mail domain has a character not allowed there (" + describe(c) + ")";
                    }
                } else if (!allowInternationalized) {
                    return "e-mail address is internationalized (non-ASCII characters) and such addresses are not accepted";
                } else if (!isInternationalCharacter(label, i)) {
                    return "e-mail domain has a character not allowed there (" + describe(c) + ")";
                }
            }
        }
        final String tld = labels[labels.length - 1];
        if (tld.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return "e-mail domain ends in an all-numeric label";
        }
        return null;
    }

    private static boolean isAsciiLetterOrDigit(final char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** Non-ASCII letters, digits and combining marks are allowed; spaces, controls, symbols and punctuation are not. */
    private static boolean isInternationalCharacter(final String text, final int index) {
        final int codePoint = text.codePointAt(index);
        final int type = Character.getType(codePoint);
        return Character.isLetterOrDigit(codePoint)
                || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || Character.isLowSurrogate(text.charAt(index)); // second half of a letter checked at its first half
    }

    private static String describe(final char c) {
        if (c == ' ') {
            return "space";
        }
        if (Character.isISOControl(c)) {
            return String.format("control character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }

    /** The normalized address, as it is used for matching and written to canonical fields. */
    public String value() {
        return value;
    }

    /** The part after the {@code @}. */
    public String domain() {
        return value.substring(value.indexOf('@') + 1);
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof EmailAddress that && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public int compareTo(final EmailAddress other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
