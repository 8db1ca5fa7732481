package io.optsync.nifi.optout;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class AutoDetectDecoderTest {

    @ParameterizedTest(name = "[{index}] {0}={1} -> {2}/{3}")
    @CsvSource(delimiter = '|', value = {
        "email_opt_out|1|OPTED_OUT|NONE",
        "email_opt_out|True|OPTED_OUT|NONE",
        "email_opt_out|0|SUBSCRIBED|NONE",
        "HasOptedOutOfEmail|true|OPTED_OUT|NONE",
        "PersonHasOptedOutOfEmail|false|SUBSCRIBED|NONE",
        "opt_out|yes|OPTED_OUT|NONE",
        "Do_Not_Email__c|Y|OPTED_OUT|NONE",
        "unsubscribed|N|SUBSCRIBED|NONE",
        "globalSubscriptionStatus|2|OPTED_OUT|NONE",
        "globalsubscriptionstatus|Soft Opt-In|SUBSCRIBED|NONE",
        "status|unsubscribed|OPTED_OUT|NONE",
        "status|subscribed|SUBSCRIBED|NONE",
        "status|cleaned|UNKNOWN|HARD",
        "status|pending|UNKNOWN|NONE",
        "list|optout|OPTED_OUT|NONE",
        "list|hardbounce|UNKNOWN|HARD",
        "email_opt_out|unsubscribed|OPTED_OUT|NONE"
    })
    void decodesWhatIsCertain(final String field, final String value, final OptOutStatus status, final BounceKind bounce) {
        final Decoding decoding = AutoDetectDecoder.forField(field).decode(value);
        assertThat(decoding.kind()).isEqualTo(Decoding.Kind.DECODED);
        assertThat(decoding.status()).isEqualTo(status);
        assertThat(decoding.bounce()).isEqualTo(bounce);
    }

    @ParameterizedTest(name = "[{index}] {0}={1} is not guessed")
    @CsvSource(delimiter = '|', value = {
        "status|1",
        "status|2",
        "status|0",
        "flag|true",
        "subscribed|true",
        "email_opt_out|2",
        "email_opt_out|maybe",
        "globalSubscriptionStatus|7"
    })
    void refusesToGuessAmbiguousValues(final String field, final String value) {
        final Decoding decoding = AutoDetectDecoder.forField(field).decode(value);
        assertThat(decoding.isUnrecognized()).isTrue();
        assertThat(decoding.status()).isEqualTo(OptOutStatus.UNKNOWN);
    }

    @ParameterizedTest
    @CsvSource({"status", "email_opt_out"})
    void absentIsAbsentAndTheReasonAsksForAnEncoding(final String field) {
        assertThat(AutoDetectDecoder.forField(field).decode(null).kind()).isEqualTo(Decoding.Kind.ABSENT);
        assertThat(AutoDetectDecoder.forField(field).decode("???").reason()).contains("choose the source encoding");
    }
}
