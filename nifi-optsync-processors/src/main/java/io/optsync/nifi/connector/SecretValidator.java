package io.optsync.nifi.connector;

import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.Validator;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The validator of a sensitive property: its result never holds the value. NiFi shows a result as "'Subject' validated
 * against 'input' is invalid because ..." in the UI, in bulletins and in the log, so a stock validator given a
 * mistyped key would print the key; this one leaves the input out and says only what was expected.
 */
public final class SecretValidator implements Validator {
    /** Any value that is not blank. */
    public static final Validator NON_BLANK = new SecretValidator(value -> !value.isBlank(), "blank");

    private final Predicate<String> valid;
    private final String whyNot;

    private SecretValidator(final Predicate<String> valid, final String whyNot) {
        this.valid = valid;
        this.whyNot = whyNot;
    }

    /**
     * A value that matches {@code pattern} whole.
     *
     * @param expected what such a value looks like, for the explanation ("a Mailchimp API key, ending in -us19 or the like")
     */
    public static Validator matching(final Pattern pattern, final String expected) {
        return new SecretValidator(value -> pattern.matcher(value).matches(), "not " + expected);
    }

    @Override
    public ValidationResult validate(final String subject, final String input, final ValidationContext context) {
        final boolean ok = input != null && valid.test(input);
        return new ValidationResult.Builder().subject(subject).valid(ok)
                .explanation(ok ? null : "the value is " + whyNot + " (it is sensitive, so it is not shown)").build();
    }
}
