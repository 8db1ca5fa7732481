package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.optsync.nifi.processors.FilterOptedOut.REL_FAILURE;
import static io.optsync.nifi.processors.FilterOptedOut.REL_OPTED_OUT;
import static io.optsync.nifi.processors.FilterOptedOut.REL_SUBSCRIBED;
import static io.optsync.nifi.processors.FilterOptedOut.REL_UNKNOWN;
import static io.optsync.nifi.processors.RecordTestSupport.Format;
import static io.optsync.nifi.processors.RecordTestSupport.records;
import static org.assertj.core.api.Assertions.assertThat;

class FilterOptedOutTest {
    private static final String CANONICAL = """
            [{"id":"1","optsync_email":"a@example.com","optsync_opted_out":true,"optsync_bounce":"NONE"},
             {"id":"2","optsync_email":"b@example.com","optsync_opted_out":false,"optsync_bounce":"NONE"},
             {"id":"3","optsync_email":"c@example.com","optsync_opted_out":null,"optsync_bounce":"NONE"},
             {"id":"4","optsync_email":"d@example.com","optsync_opted_out":false,"optsync_bounce":"HARD"},
             {"id":"5","optsync_email":"e@example.com","optsync_opted_out":false,"optsync_bounce":"SOFT"},
             {"id":"6","optsync_email":"f@example.com","optsync_opted_out":null,"optsync_bounce":"HARD"},
             {"id":"7","optsync_email":"g@example.com","optsync_opted_out":"maybe","optsync_bounce":"NONE"},
             {"id":"8","optsync_email":"h@example.com","optsync_opted_out":true,"optsync_bounce":"VERY"}]
            """;

    private TestRunner runner;

    @BeforeEach
    void setUp() {
        runner = RecordTestSupport.runner(new FilterOptedOut(), Format.JSON);
    }

    private List<String> ids(final org.apache.nifi.processor.Relationship relationship) {
        return records(runner.getFlowFilesForRelationship(relationship)).stream().map(r -> r.get("id").asText()).toList();
    }

    @Test
    void routesCanonicalRecordsWithHardBouncesAsOptOuts() {
        runner.enqueue(CANONICAL);
        runner.run();
        assertThat(ids(REL_OPTED_OUT)).containsExactly("1", "4", "6");
        assertThat(ids(REL_SUBSCRIBED)).as("a soft bounce is not an opt-out").containsExactly("2", "5");
        assertThat(ids(REL_UNKNOWN)).containsExactly("3");
        final List<MockFlowFile> failures = runner.getFlowFilesForRelationship(REL_FAILURE);
        assertThat(failures).extracting(f -> f.getAttribute("optsync.failure.field")).containsExactly("/optsync_opted_out", "/optsync_bounce");
        assertThat(failures).extracting(f -> f.getAttribute("optsync.failure.record.index")).containsExactly("6", "7");
        assertThat(runner.getCounterValue("Records to opted out")).isEqualTo(3L);
        assertThat(runner.getCounterValue("Records to subscribed")).isEqualTo(2L);
        assertThat(runner.getCounterValue("Records to unknown")).isEqualTo(1L);
        assertThat(runner.getCounterValue("Records to failure")).isEqualTo(2L);
        runner.getFlowFilesForRelationship(REL_OPTED_OUT).getFirst().assertAttributeEquals("record.count", "3");
    }

    @Test
    void hardBouncesCanBeLeftOutOfOptOuts() {
        runner.setProperty(OptOutProperties.HARD_BOUNCE_IS_OPT_OUT, "false");
        runner.enqueue(CANONICAL);
        runner.run();
        assertThat(ids(REL_OPTED_OUT)).containsExactly("1");
        assertThat(ids(REL_SUBSCRIBED)).containsExactly("2", "4", "5");
        assertThat(ids(REL_UNKNOWN)).containsExactly("3", "6");
    }

    @Test
    void recordsWithoutCanonicalFieldsFailWithAnExplanation() {
        runner.enqueue("[{\"email\":\"a@example.com\",\"email_opt_out\":\"1\"}]");
        runner.run();
        runner.assertAllFlowFilesTransferred(REL_FAILURE, 1);
        assertThat(runner.getFlowFilesForRelationship(REL_FAILURE).getFirst().getAttribute("optsync.failure.reason"))
                .contains("run NormalizeOptOutValue before this processor");
    }

    @Test
    void decodesSourceFieldsInOnePassAndSkipsAutoTerminatedRelationships() {
        // MockProcessContext never reports a relationship as auto-terminated, so stand in for NiFi's answer
        runner = RecordTestSupport.runner(new FilterOptedOut() {
            @Override
            java.util.Set<org.apache.nifi.processor.Relationship> relationshipsNotWritten(final org.apache.nifi.processor.ProcessContext context) {
                return java.util.Set.of(REL_SUBSCRIBED, REL_UNKNOWN);
            }
        }, Format.JSON);
        runner.setProperty(FilterOptedOut.STATUS_SOURCE, StatusSource.DECODE_SOURCE_FIELDS);
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/HasOptedOutOfEmail");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/Email");
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.SALESFORCE);
        runner.enqueue("""
                [{"id":"1","Email":"A@Example.com","HasOptedOutOfEmail":true},
                 {"id":"2","Email":"b@example.com","HasOptedOutOfEmail":false},
                 {"id":"3","Email":"c@example.com","HasOptedOutOfEmail":null},
                 {"id":"4","Email":"d@example.com","HasOptedOutOfEmail":"TRUE"},
                 {"id":"5","Email":"bad","HasOptedOutOfEmail":true}]
                """);
        runner.run();
        final List<JsonNode> optedOut = records(runner.getFlowFilesForRelationship(REL_OPTED_OUT));
        assertThat(optedOut).extracting(r -> r.get("optsync_email").asText()).containsExactly("a@example.com", "d@example.com");
        assertThat(optedOut).allSatisfy(r -> assertThat(r.get("optsync_reason").asText()).startsWith("Salesforce"));
        assertThat(runner.getFlowFilesForRelationship(REL_SUBSCRIBED)).as("auto-terminated: not written").isEmpty();
        assertThat(runner.getFlowFilesForRelationship(REL_UNKNOWN)).isEmpty();
        assertThat(runner.getCounterValue("Records to subscribed")).as("but counted").isEqualTo(1L);
        assertThat(runner.getCounterValue("Records to unknown")).isEqualTo(1L);
        runner.assertTransferCount(REL_FAILURE, 1);
    }

    @Test
    void decodingPropertiesAreRequiredOnlyWhenDecodingHere() {
        runner.assertValid();
        runner.setProperty(FilterOptedOut.STATUS_SOURCE, StatusSource.DECODE_SOURCE_FIELDS);
        runner.assertNotValid();
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/email_opt_out");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/email1");
        runner.assertValid();
    }

    @Test
    void chainsAfterNormalizeOptOutValue() {
        final TestRunner normalize = RecordTestSupport.runner(new NormalizeOptOutValue(), Format.JSON);
        normalize.setProperty(OptOutProperties.OPT_OUT_FIELD, "/status");
        normalize.setProperty(OptOutProperties.EMAIL_FIELD, "/email_address");
        normalize.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.MAILCHIMP);
        normalize.enqueue("""
                [{"id":"1","email_address":"a@example.com","status":"unsubscribed"},
                 {"id":"2","email_address":"b@example.com","status":"subscribed"},
                 {"id":"3","email_address":"c@example.com","status":"cleaned"},
                 {"id":"4","email_address":"d@example.com","status":"pending"},
                 {"id":"5","email_address":"e@example.com","status":"archived"}]
                """);
        normalize.run();
        final MockFlowFile normalized = normalize.getFlowFilesForRelationship(NormalizeOptOutValue.REL_SUCCESS).getFirst();

        // content and attributes, not the MockFlowFile itself: its id would collide with the ids of this runner's session
        runner.enqueue(normalized.toByteArray(), normalized.getAttributes());
        runner.run();
        assertThat(ids(REL_OPTED_OUT)).containsExactly("1", "3");
        assertThat(ids(REL_SUBSCRIBED)).containsExactly("2");
        assertThat(ids(REL_UNKNOWN)).containsExactly("4", "5");
        assertThat(records(runner.getFlowFilesForRelationship(REL_OPTED_OUT)).get(1).get("optsync_reason").asText())
                .isEqualTo("Mailchimp \"cleaned\": cleaned (hard bounce or abuse)");
    }

    @Test
    void csvRoundTripOfCanonicalFields() {
        final TestRunner csv = RecordTestSupport.runner(new FilterOptedOut(), Format.CSV);
        csv.enqueue("id,optsync_email,optsync_opted_out,optsync_bounce,optsync_reason\n1,a@example.com,true,NONE,x\n2,b@example.com,,NONE,y\n3,c@example.com,false,,z\n");
        csv.run();
        csv.assertTransferCount(REL_OPTED_OUT, 1);
        csv.assertTransferCount(REL_UNKNOWN, 1);
        csv.assertTransferCount(REL_SUBSCRIBED, 1);
        assertThat(csv.getFlowFilesForRelationship(REL_OPTED_OUT).getFirst().getContent()).contains("1,a@example.com,true,NONE,x");
    }
}
