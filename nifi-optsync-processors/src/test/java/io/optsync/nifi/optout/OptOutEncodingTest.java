package io.optsync.nifi.optout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.optsync.nifi.optout.BounceKind.HARD;
import static io.optsync.nifi.optout.BounceKind.NONE;
import static io.optsync.nifi.optout.OptOutEncoding.ACTIVECAMPAIGN;
import static io.optsync.nifi.optout.OptOutEncoding.ACT_ON;
import static io.optsync.nifi.optout.OptOutEncoding.MAILCHIMP;
import static io.optsync.nifi.optout.OptOutEncoding.NETSUITE;
import static io.optsync.nifi.optout.OptOutEncoding.SALESFORCE;
import static io.optsync.nifi.optout.OptOutEncoding.SUGARCRM_V10;
import static io.optsync.nifi.optout.OptOutEncoding.SUGARCRM_V4_1;
import static io.optsync.nifi.optout.OptOutStatus.OPTED_OUT;
import static io.optsync.nifi.optout.OptOutStatus.SUBSCRIBED;
import static io.optsync.nifi.optout.OptOutStatus.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

/** Every encoding of vendor-apis.md section 1, with the harmless variants real data holds. */
class OptOutEncodingTest {

    static Stream<Arguments> knownValues() {
        return Stream.of(
                // SugarCRM v4_1: "0"/"1" strings; numbers, booleans, case and spaces are the same value
                Arguments.of(SUGARCRM_V4_1, "1", OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, " 1 ", OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, 1, OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, 1L, OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, 1.0d, OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, new BigDecimal("1.00"), OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, true, OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, "True", OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, "TRUE", OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V4_1, "0", SUBSCRIBED, NONE),
                Arguments.of(SUGARCRM_V4_1, 0, SUBSCRIBED, NONE),
                Arguments.of(SUGARCRM_V4_1, false, SUBSCRIBED, NONE),
                Arguments.of(SUGARCRM_V4_1, "\u00A0False ", SUBSCRIBED, NONE),
                // SugarCRM v10: booleans now, strings in Sugar 7 era samples
                Arguments.of(SUGARCRM_V10, true, OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V10, "1", OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V10, "true", OPTED_OUT, NONE),
                Arguments.of(SUGARCRM_V10, false, SUBSCRIBED, NONE),
                Arguments.of(SUGARCRM_V10, "0", SUBSCRIBED, NONE),
                // Salesforce: JSON booleans; export strings
                Arguments.of(SALESFORCE, true, OPTED_OUT, NONE),
                Arguments.of(SALESFORCE, "TRUE", OPTED_OUT, NONE),
                Arguments.of(SALESFORCE, "1", OPTED_OUT, NONE),
                Arguments.of(SALESFORCE, false, SUBSCRIBED, NONE),
                Arguments.of(SALESFORCE, "false", SUBSCRIBED, NONE),
                Arguments.of(SALESFORCE, 0, SUBSCRIBED, NONE),
                // Act-On: list membership
                Arguments.of(ACT_ON, "optout", OPTED_OUT, NONE),
                Arguments.of(ACT_ON, "Opt-Out", OPTED_OUT, NONE),
                Arguments.of(ACT_ON, true, OPTED_OUT, NONE),
                Arguments.of(ACT_ON, "spamcomplaint", OPTED_OUT, NONE),
                Arguments.of(ACT_ON, "hardbounce", UNKNOWN, HARD),
                Arguments.of(ACT_ON, "optin", SUBSCRIBED, NONE),
                Arguments.of(ACT_ON, false, SUBSCRIBED, NONE),
                // ActiveCampaign: list status strings or numbers
                Arguments.of(ACTIVECAMPAIGN, "0", UNKNOWN, NONE),
                Arguments.of(ACTIVECAMPAIGN, "1", SUBSCRIBED, NONE),
                Arguments.of(ACTIVECAMPAIGN, 1, SUBSCRIBED, NONE),
                Arguments.of(ACTIVECAMPAIGN, "2", OPTED_OUT, NONE),
                Arguments.of(ACTIVECAMPAIGN, 2, OPTED_OUT, NONE),
                Arguments.of(ACTIVECAMPAIGN, " 2 ", OPTED_OUT, NONE),
                Arguments.of(ACTIVECAMPAIGN, "3", UNKNOWN, HARD),
                Arguments.of(ACTIVECAMPAIGN, "91", UNKNOWN, NONE),
                // Mailchimp: member status
                Arguments.of(MAILCHIMP, "subscribed", SUBSCRIBED, NONE),
                Arguments.of(MAILCHIMP, "Subscribed", SUBSCRIBED, NONE),
                Arguments.of(MAILCHIMP, "unsubscribed", OPTED_OUT, NONE),
                Arguments.of(MAILCHIMP, "UNSUBSCRIBED ", OPTED_OUT, NONE),
                Arguments.of(MAILCHIMP, "cleaned", UNKNOWN, HARD),
                Arguments.of(MAILCHIMP, "pending", UNKNOWN, NONE),
                Arguments.of(MAILCHIMP, "transactional", UNKNOWN, NONE),
                Arguments.of(MAILCHIMP, "archived", UNKNOWN, NONE),
                // NetSuite: globalSubscriptionStatus id, label or SOAP name
                Arguments.of(NETSUITE, "1", SUBSCRIBED, NONE),
                Arguments.of(NETSUITE, 2, OPTED_OUT, NONE),
                Arguments.of(NETSUITE, "Soft Opt-Out", OPTED_OUT, NONE),
                Arguments.of(NETSUITE, "_confirmedOptOut", OPTED_OUT, NONE),
                Arguments.of(NETSUITE, "3", SUBSCRIBED, NONE),
                Arguments.of(NETSUITE, "confirmed opt-in", SUBSCRIBED, NONE),
                Arguments.of(NETSUITE, "4", OPTED_OUT, NONE));
    }

    @ParameterizedTest(name = "[{index}] {0} {1} -> {2}/{3}")
    @MethodSource("knownValues")
    void decodesEveryKnownValue(final OptOutEncoding encoding, final Object value, final OptOutStatus status, final BounceKind bounce) {
        final Decoding decoding = encoding.decoder().decode(value);
        assertThat(decoding.kind()).isEqualTo(Decoding.Kind.DECODED);
        assertThat(decoding.status()).isEqualTo(status);
        assertThat(decoding.bounce()).isEqualTo(bounce);
        assertThat(decoding.reason()).startsWith(encoding.displayName());
    }

    static Stream<Arguments> unrecognizedValues() {
        return Stream.of(
                Arguments.of(SUGARCRM_V4_1, "2"),
                Arguments.of(SUGARCRM_V4_1, "maybe"),
                Arguments.of(SUGARCRM_V4_1, "on"),
                Arguments.of(SUGARCRM_V4_1, -1),
                Arguments.of(SUGARCRM_V4_1, 1.5d),
                Arguments.of(SUGARCRM_V4_1, "1.0"),
                Arguments.of(SUGARCRM_V10, "yes"),
                Arguments.of(SALESFORCE, "2"),
                Arguments.of(SALESFORCE, "t"),
                Arguments.of(ACT_ON, "subscribed"),
                Arguments.of(ACTIVECAMPAIGN, "4"),
                Arguments.of(ACTIVECAMPAIGN, "unsubscribed"),
                Arguments.of(ACTIVECAMPAIGN, true),
                Arguments.of(MAILCHIMP, "1"),
                Arguments.of(MAILCHIMP, true),
                Arguments.of(MAILCHIMP, "opted out"),
                Arguments.of(NETSUITE, "5"),
                Arguments.of(NETSUITE, "true"),
                Arguments.of(SUGARCRM_V4_1, "1".repeat(1_000_000)),
                Arguments.of(SALESFORCE, List.of(true)),
                Arguments.of(SALESFORCE, Map.of("value", true)),
                Arguments.of(SALESFORCE, new Object[] {true}));
    }

    @ParameterizedTest(name = "[{index}] {0} {1} is unrecognized")
    @MethodSource("unrecognizedValues")
    void unknownValuesAreUnrecognizedNeverSubscribed(final OptOutEncoding encoding, final Object value) {
        final Decoding decoding = encoding.decoder().decode(value);
        assertThat(decoding.isUnrecognized()).isTrue();
        assertThat(decoding.status()).isEqualTo(UNKNOWN);
        assertThat(decoding.reason()).startsWith(encoding.displayName()).hasSizeLessThan(300);
    }

    @ParameterizedTest
    @EnumSource(OptOutEncoding.class)
    void absentValuesAreAbsent(final OptOutEncoding encoding) {
        for (final Object absent : new Object[] {null, "", "   ", "\u00A0"}) {
            final Decoding decoding = encoding.decoder().decode(absent);
            assertThat(decoding.kind()).as("%s %s", encoding, absent).isEqualTo(Decoding.Kind.ABSENT);
            assertThat(decoding.status()).isEqualTo(UNKNOWN);
        }
    }

    @ParameterizedTest
    @EnumSource(OptOutEncoding.class)
    void writtenValuesReadBackAsWhatTheyMean(final OptOutEncoding encoding) {
        assertThat(encoding.decoder().decode(encoding.encode(true)).status()).isEqualTo(OPTED_OUT);
        assertThat(encoding.decoder().decode(encoding.encode(false)).status()).isEqualTo(SUBSCRIBED);
    }

    @Test
    void writesAreVendorNative() {
        assertThat(SUGARCRM_V4_1.encode(true)).isEqualTo("1");
        assertThat(SUGARCRM_V4_1.encode(false)).isEqualTo("0");
        assertThat(SUGARCRM_V10.encode(true)).isEqualTo(Boolean.TRUE);
        assertThat(SALESFORCE.encode(false)).isEqualTo(Boolean.FALSE);
        assertThat(ACTIVECAMPAIGN.encode(true)).isEqualTo(2);
        assertThat(MAILCHIMP.encode(true)).isEqualTo("unsubscribed");
        assertThat(NETSUITE.encode(true)).as("only soft statuses are written").isEqualTo("2");
        assertThat(NETSUITE.encode(false)).isEqualTo("1");
    }

    @Test
    void findsEncodingsByName() {
        assertThat(OptOutEncoding.forName("mailchimp")).isEqualTo(MAILCHIMP);
        assertThat(OptOutEncoding.forName("SugarCRM v4_1")).isEqualTo(SUGARCRM_V4_1);
        assertThat(OptOutEncoding.forName("SUGARCRM_V10")).isEqualTo(SUGARCRM_V10);
    }

    @Test
    void activeCampaignOptsOutOnlyWhenUnsubscribedFromEveryListItHolds() {
        final OptOutDecoder ac = ACTIVECAMPAIGN.decoder();
        assertThat(ac.decodeAll(List.of("2", "2")).status()).isEqualTo(OPTED_OUT);
        assertThat(ac.decodeAll(List.of("2", "91")).status()).as("a removed list is not held").isEqualTo(OPTED_OUT);
        assertThat(ac.decodeAll(List.of("2", "1")).status()).as("active on one list").isEqualTo(SUBSCRIBED);
        assertThat(ac.decodeAll(List.of("1", "0")).status()).isEqualTo(SUBSCRIBED);
        assertThat(ac.decodeAll(List.of("2", "3")).bounce()).isEqualTo(HARD);
        assertThat(ac.decodeAll(List.of("2", "3")).status()).isEqualTo(OPTED_OUT);
        assertThat(ac.decodeAll(List.of("3", "91")).status()).isEqualTo(UNKNOWN);
        assertThat(ac.decodeAll(List.of("3", "91")).bounce()).isEqualTo(HARD);
        assertThat(ac.decodeAll(List.of("0", "91")).status()).isEqualTo(UNKNOWN);
        assertThat(ac.decodeAll(List.of()).kind()).isEqualTo(Decoding.Kind.ABSENT);
        assertThat(ac.decodeAll(List.of("2", "7")).isUnrecognized()).isTrue();
    }

    @Test
    void severalValuesMustAgreeUnlessTheEncodingSaysOtherwise() {
        final OptOutDecoder sugar = SUGARCRM_V10.decoder();
        assertThat(sugar.decodeAll(List.of(true, "1")).status()).isEqualTo(OPTED_OUT);
        assertThat(sugar.decodeAll(java.util.Arrays.asList(null, "0")).status()).isEqualTo(SUBSCRIBED);
        final Decoding conflict = sugar.decodeAll(List.of(true, false));
        assertThat(conflict.isUnrecognized()).isTrue();
        assertThat(conflict.reason()).contains("conflict");
    }

    /** Random text never decodes as subscribed unless it is, token for token, a listed subscribed value. */
    @ParameterizedTest
    @EnumSource(OptOutEncoding.class)
    void randomValuesAreNeverSubscribed(final OptOutEncoding encoding) {
        final Random random = new Random(20261124L + encoding.ordinal());
        final List<String> subscribedTokens = new ArrayList<>();
        for (final String candidate : List.of("0", "1", "false", "subscribed", "optin", "opt-in", "soft opt-in", "_softoptin",
                "confirmed opt-in", "_confirmedoptin", "3")) {
            if (encoding.decoder().decode(candidate).status() == SUBSCRIBED) {
                subscribedTokens.add(candidate);
            }
        }
        final String alphabet = "01239abefilnorstuvyTFU -_.\u00A0";
        for (int i = 0; i < 20_000; i++) {
            final StringBuilder value = new StringBuilder();
            final int length = random.nextInt(8);
            for (int j = 0; j < length; j++) {
                value.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            final Decoding decoding = encoding.decoder().decode(value.toString());
            if (decoding.status() == SUBSCRIBED) {
                assertThat(subscribedTokens).as("'%s' decoded as subscribed", value).contains(TextValues.token(value.toString()));
            }
        }
    }
}
