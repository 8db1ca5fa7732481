package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.optsync.nifi.processors.NormalizeOptOutValue.REL_FAILURE;
import static io.optsync.nifi.processors.NormalizeOptOutValue.REL_SUCCESS;
import static io.optsync.nifi.processors.RecordTestSupport.Format;
import static io.optsync.nifi.processors.RecordTestSupport.records;
import static org.assertj.core.api.Assertions.assertThat;

class NormalizeOptOutValueTest {
    private TestRunner runner;

    @BeforeEach
    void setUp() {
        runner = RecordTestSupport.runner(new NormalizeOptOutValue(), Format.JSON);
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/email_opt_out");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/email1");
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.SUGARCRM_V4_1);
    }

    @Test
    void normalizesEverySugarVariantAndKeepsTheRecordsOwnFields() {
        runner.enqueue("""
                [{"id":"c1","email1":" Ann@Example.COM ","email_opt_out":"1","last_name":"Ann"},
                 {"id":"c2","email1":"bob@example.com","email_opt_out":"0","last_name":"Bob"},
                 {"id":"c3","email1":"CAROL@example.com","email_opt_out":true,"last_name":"Carol"},
                 {"id":"c4","email1":"dan@example.com","email_opt_out":"True","last_name":"Dan"},
                 {"id":"c5","email1":"eve@example.com","email_opt_out":" 0 ","last_name":"Eve"},
                 {"id":"c6","email1":"fay@example.com","email_opt_out":null,"last_name":"Fay"},
                 {"id":"c7","email1":"gus@example.com","last_name":"Gus"},
                 {"id":"c8","email1":"ann@example.com","email_opt_out":"","last_name":"Ann again"}]
                """);
        runner.run();

        runner.assertTransferCount(REL_SUCCESS, 1);
        runner.assertTransferCount(REL_FAILURE, 0);
        final MockFlowFile out = runner.getFlowFilesForRelationship(REL_SUCCESS).getFirst();
        out.assertAttributeEquals("record.count", "8");
        out.assertAttributeEquals("mime.type", "application/json");
        final List<JsonNode> records = records(out);
        assertThat(records).extracting(r -> r.get("optsync_email").asText())
                .containsExactly("ann@example.com", "bob@example.com", "carol@example.com", "dan@example.com", "eve@example.com",
                        "fay@example.com", "gus@example.com", "ann@example.com");
        assertThat(records).extracting(r -> r.get("optsync_opted_out").isNull() ? "unknown" : r.get("optsync_opted_out").asText())
                .containsExactly("true", "false", "true", "true", "false", "unknown", "unknown", "unknown");
        assertThat(records).extracting(r -> r.get("optsync_bounce").asText()).containsOnly("NONE");
        assertThat(records.get(0).get("optsync_reason").asText()).isEqualTo("SugarCRM v4_1 \"1\": opted out");
        assertThat(records.get(5).get("optsync_reason").asText()).isEqualTo("SugarCRM v4_1: no value");
        assertThat(records.get(0).get("last_name").asText()).isEqualTo("Ann");
        assertThat(records.get(0).get("email1").asText()).as("the source value is kept as it was").isEqualTo(" Ann@Example.COM ");
        assertThat(runner.getCounterValue("Records to success")).isEqualTo(8L);
        assertThat(runner.getCounterValue("Records to failure")).isNull();
        runner.assertQueueEmpty();
    }

    @Test
    void reportsProvenanceForTheRoutedChild() {
        runner.enqueue("[{\"email1\":\"a@example.com\",\"email_opt_out\":\"1\"}]");
        runner.run();
        final List<ProvenanceEventRecord> events = runner.getProvenanceEvents();
        assertThat(events).extracting(ProvenanceEventRecord::getEventType).contains(ProvenanceEventType.FORK, ProvenanceEventType.ROUTE);
        assertThat(events).filteredOn(e -> e.getEventType() == ProvenanceEventType.ROUTE).first()
                .extracting(ProvenanceEventRecord::getRelationship).isEqualTo("success");
    }

    @Test
    void eachUndecodableRecordGoesToFailureAloneWithItsReason() {
        runner.enqueue("""
                [{"email1":"ok@example.com","email_opt_out":"1"},
                 {"email1":"two@example.com","email_opt_out":"2"},
                 {"email1":"maybe@example.com","email_opt_out":"maybe"},
                 {"email1":"not-an-address","email_opt_out":"1"},
                 {"email_opt_out":"1"},
                 {"email1":"obj@example.com","email_opt_out":{"value":"1"}},
                 {"email1":"ok2@example.com","email_opt_out":0}]
                """);
        runner.run();

        runner.assertTransferCount(REL_SUCCESS, 1);
        assertThat(records(runner.getFlowFilesForRelationship(REL_SUCCESS).getFirst())).hasSize(2);
        final List<MockFlowFile> failures = runner.getFlowFilesForRelationship(REL_FAILURE);
        assertThat(failures).hasSize(4);
        assertThat(failures).allSatisfy(f -> {
            f.assertAttributeEquals("record.count", "1");
            assertThat(records(f)).hasSize(1);
            assertThat(f.getAttribute("optsync.failure.reason")).isNotBlank().isEqualTo(f.getAttribute("record.error.message"));
            assertThat(f.isPenalized()).isTrue();
        });
        // JsonTreeReader infers a choice type for the column and hands over "2" as the number 2
        assertFailure(failures.get(0), "1", "/email_opt_out", "2", "SugarCRM v4_1 does not know the value 2");
        assertFailure(failures.get(1), "2", "/email_opt_out", "\"maybe\"", "does not know the value \"maybe\"");
        assertFailure(failures.get(2), "3", "/email1", "\"not-an-address\"", "e-mail address has no '@'");
        assertFailure(failures.get(3), "5", "/email_opt_out", "a record", "expects a single value but found a record");
        assertThat(records(runner.getFlowFilesForRelationship(AbstractOptOutRecordProcessor.REL_NO_ADDRESS))).as("no address: nothing to sync, no failure")
                .hasSize(1);
        assertThat(runner.getCounterValue("Records to failure")).isEqualTo(4L);
        assertThat(runner.getCounterValue("Records to no address")).isEqualTo(1L);
        assertThat(runner.getCounterValue("Records to success")).isEqualTo(2L);
    }

    private static void assertFailure(final MockFlowFile flowFile, final String index, final String field, final String value, final String reason) {
        flowFile.assertAttributeEquals("optsync.failure.record.index", index);
        flowFile.assertAttributeEquals("optsync.failure.field", field);
        flowFile.assertAttributeEquals("optsync.failure.value", value);
        assertThat(flowFile.getAttribute("optsync.failure.reason")).contains(reason);
    }

    @Test
    void malformedJsonGoesToFailureWholeAndNothingElseIsEmitted() {
        runner.enqueue("[{\"email1\":\"a@example.com\",\"email_opt_out\":\"1\"},{\"email1\":\"b@exa", Map.of("filename", "broken.json"));
        runner.run();
        runner.assertAllFlowFilesTransferred(REL_FAILURE, 1);
        final MockFlowFile failed = runner.getFlowFilesForRelationship(REL_FAILURE).getFirst();
        failed.assertAttributeEquals("filename", "broken.json");
        assertThat(failed.getAttribute("optsync.failure.reason")).startsWith("could not read the records");
        assertThat(failed.getAttribute("optsync.failure.record.index")).isNotNull();
        failed.assertContentEquals("[{\"email1\":\"a@example.com\",\"email_opt_out\":\"1\"},{\"email1\":\"b@exa");
        assertThat(failed.isPenalized()).isTrue();
    }

    @Test
    void aMegabyteValueIsRejectedAndCutInTheAttribute() {
        final String huge = "1".repeat(1_000_000);
        runner.enqueue("[{\"email1\":\"a@example.com\",\"email_opt_out\":\"" + huge + "\"},"
                + "{\"email1\":\"" + "x".repeat(1_000_000) + "@example.com\",\"email_opt_out\":\"1\"}]");
        runner.run();
        final List<MockFlowFile> failures = runner.getFlowFilesForRelationship(REL_FAILURE);
        assertThat(failures).hasSize(2);
        assertThat(failures.get(0).getAttribute("optsync.failure.value")).hasSizeLessThan(200).endsWith("(1000000 characters)");
        assertThat(failures.get(1).getAttribute("optsync.failure.reason")).contains("longer than 254");
        assertThat(failures).allSatisfy(f -> assertThat(f.getAttribute("optsync.failure.reason")).hasSizeLessThan(300));
    }

    @Test
    void internationalizedAddressesFollowTheProperty() {
        final String input = "[{\"email1\":\"José@Example.com\",\"email_opt_out\":\"1\"},{\"email1\":\"用户@例子.广告\",\"email_opt_out\":\"1\"}]";
        runner.enqueue(input.getBytes(StandardCharsets.UTF_8));
        runner.run();
        assertThat(records(runner.getFlowFilesForRelationship(REL_SUCCESS))).extracting(r -> r.get("optsync_email").asText())
                .containsExactly("josé@example.com", "用户@例子.广告");

        runner.clearTransferState();
        runner.setProperty(OptOutProperties.ACCEPT_INTERNATIONALIZED, "false");
        runner.enqueue(input.getBytes(StandardCharsets.UTF_8));
        runner.run();
        runner.assertAllFlowFilesTransferred(REL_FAILURE, 1);
        assertThat(runner.getFlowFilesForRelationship(REL_FAILURE)).singleElement().satisfies(f -> {
            assertThat(f.getAttribute("optsync.failure.reason")).contains("internationalized");
            assertThat(f.getAttribute("record.count")).isEqualTo("2");
        });
    }

    @Test
    void aBadBatchLeavesAsOneFailureFlowFilePerReasonUnlessEachRecordIsAskedFor() {
        final StringBuilder input = new StringBuilder("[");
        for (int i = 0; i < 500; i++) { // an org's Contacts with no address, and a few with an opt-out value nobody knows
            input.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i).append("\",\"email_opt_out\":\"1\"}");
        }
        for (int i = 0; i < 3; i++) { // two of one reason, one of another
            input.append(",{\"id\":\"x").append(i).append("\",\"email1\":\"x").append(i).append("@example.com\",\"email_opt_out\":\"")
                    .append(i < 2 ? "maybe" : "perhaps").append("\"}");
        }
        input.append(",{\"id\":\"ok\",\"email1\":\"ok@example.com\",\"email_opt_out\":\"0\"}]");
        runner.enqueue(input.toString());
        runner.run();
        runner.assertTransferCount(REL_SUCCESS, 1);
        assertThat(runner.getFlowFilesForRelationship(AbstractOptOutRecordProcessor.REL_NO_ADDRESS)).as("no address is no failure")
                .singleElement().satisfies(f -> f.assertAttributeEquals("record.count", "500"));
        final List<MockFlowFile> failures = runner.getFlowFilesForRelationship(REL_FAILURE);
        assertThat(failures).extracting(f -> f.getAttribute("record.count")).containsExactly("2", "1");
        assertThat(failures).extracting(f -> f.getAttribute("optsync.failure.reason")).allSatisfy(r -> assertThat(r).contains("does not know"));
        assertThat(failures.get(0).getAttribute("optsync.failure.record.index")).as("the first record of the reason").isEqualTo("500");

        runner.clearTransferState();
        runner.setProperty(OptOutProperties.FAILURE_GRANULARITY, OptOutProperties.FAILED_BY_RECORD.getValue());
        runner.enqueue(input.toString());
        runner.run();
        assertThat(runner.getFlowFilesForRelationship(REL_FAILURE)).hasSize(3).allSatisfy(f -> f.assertAttributeEquals("record.count", "1"));
    }

    @Test
    void mixedSchemasAreReadRecordByRecord() {
        runner.enqueue("""
                [{"email1":"a@example.com","email_opt_out":"1"},
                 {"email1":"b@example.com","email_opt_out":1,"extra":{"nested":true}},
                 {"email1":"c@example.com","email_opt_out":false,"other":[1,2]},
                 {"email1":"d@example.com"}]
                """);
        runner.run();
        runner.assertAllFlowFilesTransferred(REL_SUCCESS, 1);
        assertThat(records(runner.getFlowFilesForRelationship(REL_SUCCESS).getFirst()))
                .extracting(r -> r.get("optsync_opted_out").asText()).containsExactly("true", "true", "false", "null");
    }

    @Test
    void csvInCsvOutWithAutoDetect() {
        final TestRunner csv = RecordTestSupport.runner(new NormalizeOptOutValue(), Format.CSV);
        csv.setProperty(OptOutProperties.OPT_OUT_FIELD, "/HasOptedOutOfEmail");
        csv.setProperty(OptOutProperties.EMAIL_FIELD, "/Email");
        csv.enqueue("Id,Email,HasOptedOutOfEmail\n003A,Ann@Example.com,TRUE\n003B,bob@example.com,false\n003C,carol@example.com,\n");
        csv.run();
        csv.assertTransferCount(REL_SUCCESS, 1);
        final String out = csv.getFlowFilesForRelationship(REL_SUCCESS).getFirst().getContent();
        assertThat(out.lines().toList()).containsExactly(
                "Id,Email,HasOptedOutOfEmail,optsync_email,optsync_opted_out,optsync_bounce,optsync_reason",
                // CSVReader infers a boolean column (TRUE -> true); CSVRecordSetWriter escapes quotes with a backslash
                "003A,Ann@Example.com,true,ann@example.com,true,NONE,\"auto-detect (opt-out flag) \\\"true\\\": opted out\"",
                "003B,bob@example.com,false,bob@example.com,false,NONE,\"auto-detect (opt-out flag) \\\"false\\\": subscribed\"",
                "003C,carol@example.com,,carol@example.com,,NONE,auto-detect (opt-out flag): no value");
    }

    @Test
    void autoDetectRefusesToGuessAndSaysWhatToChoose() {
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.AUTO_DETECT);
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/status");
        runner.enqueue("[{\"email1\":\"a@example.com\",\"status\":\"unsubscribed\"},{\"email1\":\"b@example.com\",\"status\":\"1\"}]");
        runner.run();
        assertThat(records(runner.getFlowFilesForRelationship(REL_SUCCESS))).hasSize(1);
        assertThat(runner.getFlowFilesForRelationship(REL_FAILURE).getFirst().getAttribute("optsync.failure.reason"))
                .contains("choose the source encoding");
    }

    @Test
    void customValueSetAndBounceFields() {
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.CUSTOM);
        runner.setProperty(OptOutProperties.OPTED_OUT_VALUES, "Y, Do Not Email");
        runner.setProperty(OptOutProperties.SUBSCRIBED_VALUES, "N");
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/Do_Not_Email__c");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/Email");
        runner.setProperty(OptOutProperties.HARD_BOUNCE_FIELD, "/IsEmailBounced");
        runner.setProperty(OptOutProperties.SOFT_BOUNCE_FIELD, "/bounced_soft");
        runner.enqueue("""
                [{"Email":"a@example.com","Do_Not_Email__c":"y","IsEmailBounced":false,"bounced_soft":"0"},
                 {"Email":"b@example.com","Do_Not_Email__c":"N","IsEmailBounced":true,"bounced_soft":"2"},
                 {"Email":"c@example.com","Do_Not_Email__c":"n","IsEmailBounced":false,"bounced_soft":"3"},
                 {"Email":"d@example.com","Do_Not_Email__c":"perhaps","IsEmailBounced":false},
                 {"Email":"e@example.com","Do_Not_Email__c":"N","IsEmailBounced":"sometimes"}]
                """);
        runner.run();
        final List<JsonNode> ok = records(runner.getFlowFilesForRelationship(REL_SUCCESS));
        assertThat(ok).extracting(r -> r.get("optsync_opted_out").asText() + "/" + r.get("optsync_bounce").asText())
                .containsExactly("true/NONE", "false/HARD", "false/SOFT");
        final List<MockFlowFile> failures = runner.getFlowFilesForRelationship(REL_FAILURE);
        assertThat(failures).extracting(f -> f.getAttribute("optsync.failure.field")).containsExactly("/Do_Not_Email__c", "/IsEmailBounced");
    }

    @Test
    void activeCampaignListsThroughARecordPath() {
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.ACTIVECAMPAIGN);
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/contactLists[*]/status");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/email");
        runner.enqueue("""
                [{"email":"a@example.com","contactLists":[{"list":"1","status":"2"},{"list":"2","status":"2"}]},
                 {"email":"b@example.com","contactLists":[{"list":"1","status":"2"},{"list":"2","status":"1"}]},
                 {"email":"c@example.com","contactLists":[{"list":"1","status":"3"}]},
                 {"email":"d@example.com","contactLists":[]}]
                """);
        runner.run();
        assertThat(records(runner.getFlowFilesForRelationship(REL_SUCCESS)))
                .extracting(r -> r.get("optsync_opted_out").asText() + "/" + r.get("optsync_bounce").asText())
                .containsExactly("true/NONE", "false/NONE", "null/HARD", "null/NONE");
    }

    @Test
    void severalEmailValuesAreAFailure() {
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/emails[*]");
        runner.enqueue("[{\"emails\":[\"a@example.com\",\"b@example.com\"],\"email_opt_out\":\"1\"}]");
        runner.run();
        runner.assertAllFlowFilesTransferred(REL_FAILURE, 1);
        assertThat(runner.getFlowFilesForRelationship(REL_FAILURE).getFirst().getAttribute("optsync.failure.reason"))
                .contains("selects 2 values");
    }

    @Test
    void anEmptyInputEmitsNothing() {
        runner.enqueue("[]");
        runner.run();
        runner.assertQueueEmpty();
        assertThat(runner.getFlowFilesForRelationship(REL_SUCCESS)).isEmpty();
        assertThat(runner.getFlowFilesForRelationship(REL_FAILURE)).isEmpty();
    }

    @Test
    void existingCanonicalFieldsAreReplacedNotDuplicated() {
        runner.enqueue("[{\"email1\":\"A@example.com\",\"email_opt_out\":\"1\",\"optsync_email\":\"stale\",\"optsync_opted_out\":false}]");
        runner.run();
        final String content = runner.getFlowFilesForRelationship(REL_SUCCESS).getFirst().getContent();
        assertThat(content.split("optsync_email", -1)).hasSize(2);
        assertThat(records(runner.getFlowFilesForRelationship(REL_SUCCESS)).getFirst().get("optsync_opted_out").asBoolean()).isTrue();
    }

    @Test
    void validatesCustomSetsAndCanonicalNames() {
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, SourceEncoding.CUSTOM);
        runner.assertNotValid();
        runner.setProperty(OptOutProperties.OPTED_OUT_VALUES, "Y");
        runner.setProperty(OptOutProperties.SUBSCRIBED_VALUES, "y");
        runner.assertNotValid();
        runner.setProperty(OptOutProperties.SUBSCRIBED_VALUES, "N");
        runner.assertValid();
        runner.setProperty(OptOutProperties.REASON_OUTPUT_FIELD, "optsync_email");
        runner.assertNotValid();
        runner.setProperty(OptOutProperties.REASON_OUTPUT_FIELD, "why");
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "not a [path");
        runner.assertNotValid();
    }
}
