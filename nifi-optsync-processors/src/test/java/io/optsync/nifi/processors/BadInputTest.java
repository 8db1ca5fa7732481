package io.optsync.nifi.processors;

import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static io.optsync.nifi.processors.FilterOptedOut.REL_FAILURE;
import static io.optsync.nifi.processors.FilterOptedOut.REL_OPTED_OUT;
import static io.optsync.nifi.processors.FilterOptedOut.REL_SUBSCRIBED;
import static io.optsync.nifi.processors.FilterOptedOut.REL_UNKNOWN;
import static io.optsync.nifi.processors.RecordTestSupport.records;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input set: each case is one SugarCRM record (or one broken document) through FilterOptedOut decoding in one
 * pass. Every case ends in failure with a reason, or, for a merely absent value, in unknown with a reason; none is
 * ever routed as subscribed or opted out, and none is dropped.
 */
class BadInputTest {

    static Stream<Arguments> cases() {
        final String megabyte = "1".repeat(1_000_000);
        return Stream.of(
                Arguments.of("malformed JSON", "[{\"email1\":\"a@example.com\",\"email_opt_out\":\"1\"", REL_FAILURE, "could not read the records"),
                Arguments.of("not JSON at all", "email1=a@example.com;email_opt_out=1", REL_FAILURE, "could not read the records"),
                Arguments.of("opt-out field missing", "[{\"email1\":\"a@example.com\"}]", REL_UNKNOWN, "SugarCRM v4_1: no value"),
                Arguments.of("opt-out null", "[{\"email1\":\"a@example.com\",\"email_opt_out\":null}]", REL_UNKNOWN, "SugarCRM v4_1: no value"),
                Arguments.of("opt-out empty", "[{\"email1\":\"a@example.com\",\"email_opt_out\":\"\"}]", REL_UNKNOWN, "SugarCRM v4_1: no value"),
                Arguments.of("opt-out blank", "[{\"email1\":\"a@example.com\",\"email_opt_out\":\" \\u00a0 \"}]", REL_UNKNOWN, "SugarCRM v4_1: no value"),
                Arguments.of("\"maybe\"", "[{\"email1\":\"a@example.com\",\"email_opt_out\":\"maybe\"}]", REL_FAILURE, "does not know the value \"maybe\""),
                Arguments.of("\"2\" where only 0/1 is valid", "[{\"email1\":\"a@example.com\",\"email_opt_out\":\"2\"}]", REL_FAILURE, "does not know the value \"2\""),
                Arguments.of("-1", "[{\"email1\":\"a@example.com\",\"email_opt_out\":-1}]", REL_FAILURE, "does not know the value -1"),
                Arguments.of("1.5", "[{\"email1\":\"a@example.com\",\"email_opt_out\":1.5}]", REL_FAILURE, "does not know the value 1.5"),
                Arguments.of("\"yes\" (not SugarCRM)", "[{\"email1\":\"a@example.com\",\"email_opt_out\":\"yes\"}]", REL_FAILURE, "does not know the value \"yes\""),
                Arguments.of("a 1 MB string", "[{\"email1\":\"a@example.com\",\"email_opt_out\":\"" + megabyte + "\"}]", REL_FAILURE, "(1000000 characters)"),
                Arguments.of("an object", "[{\"email1\":\"a@example.com\",\"email_opt_out\":{\"v\":\"1\"}}]", REL_FAILURE, "found a record"),
                Arguments.of("conflicting array", "[{\"email1\":\"a@example.com\",\"email_opt_out\":[\"1\",\"0\"]}]", REL_FAILURE, "values conflict"),
                Arguments.of("e-mail missing", "[{\"email_opt_out\":\"1\"}]", REL_FAILURE, "e-mail address is absent"),
                Arguments.of("e-mail empty", "[{\"email1\":\"  \",\"email_opt_out\":\"1\"}]", REL_FAILURE, "e-mail address is empty"),
                Arguments.of("e-mail without @", "[{\"email1\":\"ann.example.com\",\"email_opt_out\":\"1\"}]", REL_FAILURE, "has no '@'"),
                Arguments.of("e-mail without domain dot", "[{\"email1\":\"ann@localhost\",\"email_opt_out\":\"1\"}]", REL_FAILURE, "no dot"),
                Arguments.of("e-mail with display name", "[{\"email1\":\"Ann <ann@example.com>\",\"email_opt_out\":\"1\"}]", REL_FAILURE, "not allowed there"),
                Arguments.of("e-mail as a number", "[{\"email1\":42,\"email_opt_out\":\"1\"}]", REL_FAILURE, "not text"),
                Arguments.of("e-mail 1 MB long", "[{\"email1\":\"" + "x".repeat(1_000_000) + "@example.com\",\"email_opt_out\":\"1\"}]", REL_FAILURE, "longer than 254"),
                Arguments.of("internationalized e-mail, not accepted", "[{\"email1\":\"josé@example.com\",\"email_opt_out\":\"1\"}]", REL_FAILURE, "internationalized"),
                Arguments.of("underscore in domain", "[{\"email1\":\"ann@exa_mple.com\",\"email_opt_out\":\"1\"}]", REL_FAILURE, "not allowed there"),
                Arguments.of("mixed schemas, second record bad", "[{\"email1\":\"ok@example.com\",\"email_opt_out\":\"1\",\"x\":1},{\"email1\":\"b@example.com\",\"y\":[1],\"email_opt_out\":\"9\"}]",
                        REL_FAILURE, "does not know the value"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void everyBadInputEndsOnAFailureOrUnknownRouteWithAReason(final String name, final String input, final Relationship expected, final String reason) {
        final TestRunner runner = RecordTestSupport.runner(new FilterOptedOut(), RecordTestSupport.Format.JSON);
        runner.setProperty(FilterOptedOut.STATUS_SOURCE, StatusSource.DECODE_SOURCE_FIELDS);
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/email_opt_out");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/email1");
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.SUGARCRM_V4_1);
        runner.setProperty(OptOutProperties.ACCEPT_INTERNATIONALIZED, "false");
        runner.enqueue(input.getBytes(StandardCharsets.UTF_8));
        runner.run();
        runner.assertQueueEmpty();

        final List<MockFlowFile> routed = runner.getFlowFilesForRelationship(expected);
        assertThat(routed).as("routed to %s", expected.getName()).isNotEmpty();
        final MockFlowFile last = routed.getLast();
        if (expected == REL_FAILURE) {
            assertThat(last.getAttribute("optsync.failure.reason")).contains(reason);
            assertThat(last.getAttribute("optsync.failure.record.index")).isNotNull();
            assertThat(last.isPenalized()).isTrue();
        } else {
            assertThat(records(last).getLast().get("optsync_reason").asText()).contains(reason);
            assertThat(records(last).getLast().get("optsync_opted_out").isNull()).isTrue();
        }
        final boolean mixed = name.startsWith("mixed");
        assertThat(runner.getFlowFilesForRelationship(REL_SUBSCRIBED)).as("never subscribed").isEmpty();
        assertThat(runner.getFlowFilesForRelationship(REL_OPTED_OUT)).hasSize(mixed ? 1 : 0);
        final long out = runner.getFlowFilesForRelationship(REL_OPTED_OUT).size() + runner.getFlowFilesForRelationship(REL_UNKNOWN).size()
                + runner.getFlowFilesForRelationship(REL_FAILURE).size();
        assertThat(out).as("nothing dropped").isEqualTo(mixed ? 2 : 1);
    }
}
