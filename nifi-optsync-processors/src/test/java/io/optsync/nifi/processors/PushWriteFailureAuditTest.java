package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.MailchimpSimulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write that fails after its retries: the vendor may hold the change anyway (its answer was lost), or an earlier
 * batch of the same run was written. Every change sent is audited with how it ended, and its record goes on retry.
 */
class PushWriteFailureAuditTest {
    private static final int ATTEMPTS = 4; // ConnectorProperties.transport

    @RegisterExtension
    final Simulators sims = new Simulators();

    @Test
    void aWriteWhoseEveryAnswerIsLostIsAuditedAsRetryAndRetried() throws Exception {
        final ActOnSimulator actOn = sims.started(new ActOnSimulator());
        for (int i = 0; i < ATTEMPTS; i++) {
            actOn.faultNext("PUT /api/1/list/optout", FaultPlan.Fault.LOST_RESPONSE); // carried out, then the connection closes
        }
        final TestRunner push = RecordTestSupport.push("optout");
        ConnectorTestSupport.actOn(push, actOn);
        push.enqueue("[" + PushResubscribeGuardTest.record("ann@example.com", true, Instant.now()) + "]");
        push.run();

        assertThat(actOn.optOutAddresses()).as("Act-On holds the opt-out: the push could not know").contains("ann@example.com");
        final List<JsonNode> audit = RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT));
        assertThat(audit).as("the change the vendor may hold is audited").singleElement().satisfies(r -> {
            assertThat(r.path("email").asText()).isEqualTo("ann@example.com");
            assertThat(r.path("outcome").asText()).isEqualTo("RETRY");
        });
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_RETRY))).hasSize(1);
        assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS)).isEmpty();
    }

    /** After its first batch write, Mailchimp answers every attempt of the next one with 503: the second batch fails after its retries. */
    static MailchimpSimulator secondBatchRefused(final MailchimpSimulator mailchimp) {
        mailchimp.afterNextCall("POST /3.0/lists/{id}", () -> {
            for (int i = 0; i < ATTEMPTS; i++) {
                mailchimp.faultNext("POST /3.0/lists/{id}", FaultPlan.Fault.UNAVAILABLE);
            }
        });
        return mailchimp;
    }

    @Test
    void aBatchWrittenBeforeALaterBatchFailsKeepsItsAuditAndLeavesOnSuccess() throws Exception {
        final MailchimpSimulator mailchimp = secondBatchRefused(sims.started(new MailchimpSimulator()));
        final TestRunner push = RecordTestSupport.push("members");
        ConnectorTestSupport.mailchimp(push, mailchimp);
        final StringBuilder content = new StringBuilder("[");
        for (int i = 0; i < 600; i++) { // two of Mailchimp's batches of 500
            content.append(i == 0 ? "" : ",").append(PushResubscribeGuardTest.record("p" + i + "@example.com", true, Instant.now()));
        }
        push.enqueue(content.append("]").toString());
        push.run();

        assertThat(mailchimp.all().stream().filter(m -> m.status().equals("unsubscribed")).count()).isEqualTo(500);
        final List<JsonNode> audit = RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT));
        assertThat(audit.stream().filter(r -> r.path("outcome").asText().equals("WRITTEN")).count()).as("the first batch, written").isEqualTo(500);
        assertThat(audit.stream().filter(r -> r.path("outcome").asText().equals("RETRY")).count()).as("the second, refused").isEqualTo(100);
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS))).hasSize(500);
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_RETRY))).hasSize(100);
    }
}
