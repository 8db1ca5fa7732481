package io.optsync.nifi.optout;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TextValuesTest {

    @Test
    void tokensIgnoreFormButNotMeaning() {
        assertThat(TextValues.token(" TRUE\u00A0")).isEqualTo("true");
        assertThat(TextValues.token(Boolean.FALSE)).isEqualTo("false");
        assertThat(TextValues.token(1.0d)).isEqualTo("1");
        assertThat(TextValues.token(1.5f)).isEqualTo("1.5");
        assertThat(TextValues.token(new BigDecimal("2.000"))).isEqualTo("2");
        assertThat(TextValues.token(BigInteger.TEN)).isEqualTo("10");
        assertThat(TextValues.token(Double.NaN)).isEqualTo("NaN");
        assertThat(TextValues.token("x".repeat(65))).isNull();
        assertThat(TextValues.token('Y')).isEqualTo("y");
    }

    @Test
    void displayQuotesEscapesAndCuts() {
        assertThat(TextValues.display("a\"b\n")).isEqualTo("\"a\\\"b\\n\"");
        assertThat(TextValues.display(null)).isEqualTo("null");
        assertThat(TextValues.display(12)).isEqualTo("12");
        assertThat(TextValues.display(List.of(1))).isEqualTo("a list");
        final String huge = TextValues.display("z".repeat(1_000_000));
        assertThat(huge).hasSizeLessThan(200).endsWith("(1000000 characters)");
        assertThat(TextValues.display("\u0001")).isEqualTo("\"\\u0001\"");
    }

    @Test
    void stripRemovesInvisibleWhitespace() {
        assertThat(TextValues.strip("\uFEFF\u200B a \u202F\u2007")).isEqualTo("a");
        final String clean = "clean";
        assertThat(TextValues.strip(clean)).isSameAs(clean);
    }
}
