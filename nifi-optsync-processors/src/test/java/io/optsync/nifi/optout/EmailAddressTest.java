package io.optsync.nifi.optout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmailAddressTest {

    @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "Ann@Example.com|ann@example.com",
        "~  ann@example.com  ~|ann@example.com",
        "~\tANN@EXAMPLE.COM\n~|ann@example.com",
        "\u00A0ann@example.com\u00A0|ann@example.com",
        "\uFEFFann@example.com\u200B|ann@example.com",
        "o'brien+news@sub.example.co.uk|o'brien+news@sub.example.co.uk",
        "first.last@xn--bcher-kva.de|first.last@xn--bcher-kva.de",
        "user_1@a-b.example|user_1@a-b.example",
        "x@example.io|x@example.io"
    })
    void normalizesToLowerTrim(final String raw, final String expected) {
        assertThat(EmailAddress.parse(raw).value()).isEqualTo(expected);
    }

    @Test
    void sameAddressInDifferentFormsIsOneIdentity() {
        assertThat(EmailAddress.parse(" Ann@Example.COM")).isEqualTo(EmailAddress.parse("ann@example.com "))
                .hasSameHashCodeAs(EmailAddress.parse("ANN@EXAMPLE.COM"));
        assertThat(EmailAddress.parse("Ann@Example.com").domain()).isEqualTo("example.com");
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' is invalid: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "~~|empty",
        "~   ~|empty",
        "annexample.com|no '@'",
        "ann@@example.com|more than one '@'",
        "ann@b@example.com|more than one '@'",
        "@example.com|empty local part",
        "ann@|empty domain",
        "ann@localhost|no dot",
        "ann@example|no dot",
        ".ann@example.com|dot",
        "ann.@example.com|dot",
        "an..n@example.com|dot",
        "ann@example..com|empty label",
        "ann@.example.com|empty label",
        "ann@example.com.|empty label",
        "ann@-example.com|hyphen",
        "ann@example-.com|hyphen",
        "a nn@example.com|space",
        "\"ann\"@example.com|not allowed",
        "ann@exa_mple.com|not allowed",
        "ann@[192.168.0.1]|address literal",
        "ann@example.123|all-numeric",
        "Ann Example <ann@example.com>|not allowed",
        "mailto:ann@example.com|not allowed",
        "ann@exam ple.com|not allowed",
        "ann\u0000@example.com|control character"
    })
    void rejectsInvalidAddressesWithAReason(final String raw, final String reasonPart) {
        assertThatThrownBy(() -> EmailAddress.parse(raw))
                .isInstanceOf(InvalidEmailAddressException.class)
                .hasMessageContaining(reasonPart);
    }

    @Test
    void rejectsAbsentAndOverlongAddresses() {
        assertThatThrownBy(() -> EmailAddress.parse(null)).hasMessageContaining("absent");
        assertThatThrownBy(() -> EmailAddress.parse("a".repeat(65) + "@example.com")).hasMessageContaining("local part is longer");
        assertThatThrownBy(() -> EmailAddress.parse("a@" + "b".repeat(64) + ".com")).hasMessageContaining("label longer");
        final String longDomain = ("d".repeat(60) + ".").repeat(5) + "com";
        assertThatThrownBy(() -> EmailAddress.parse("a@" + longDomain)).hasMessageContaining("longer than 254");
        assertThatThrownBy(() -> EmailAddress.parse("x".repeat(1_000_000))).hasMessageContaining("longer than 254");
    }

    @ParameterizedTest
    @ValueSource(strings = {"José@Example.com", "用户@例子.广告", "ann@bücher.de", "δοκιμή@παράδειγμα.δοκιμή", "𝒶@example.com"})
    void internationalizedAddressesAreAcceptedWhenAllowedAndRejectedOtherwise(final String raw) {
        assertThat(EmailAddress.parse(raw, true).value()).isEqualTo(raw.toLowerCase(java.util.Locale.ROOT));
        assertThatThrownBy(() -> EmailAddress.parse(raw, false))
                .isInstanceOf(InvalidEmailAddressException.class)
                .hasMessageContaining("internationalized");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ann☃@example.com", "ann@exa☃mple.com", "ann\u2028x@example.com"})
    void internationalizedSymbolsAreNotLetters(final String raw) {
        assertThatThrownBy(() -> EmailAddress.parse(raw, true)).hasMessageContaining("not allowed");
    }
}
