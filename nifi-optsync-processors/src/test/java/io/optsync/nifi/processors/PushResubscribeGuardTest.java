package io.optsync.nifi.processors;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.MailchimpSimulator;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Propagate Opt-Ins on targets that write by address (Act-On, Mailchimp): a subscribe is decided only on the target's
 * state read now, never on an unknown one, and never against an opt-out of the same run.
 */
class PushResubscribeGuardTest {
    @RegisterExtension
    final Simulators sims = new Simulators();

    static String record(final String email, final Object optedOut, final Instant time) {
        return "{\"optsync_email\":\"" + email + "\",\"optsync_opted_out\":" + optedOut + ",\"optsync_bounce\":\"NONE\",\"modified_at\":\"" + time + "\"}";
    }

    private static TestRunner propagatingPush(final String object) {
        final TestRunner push = RecordTestSupport.push(object);
        push.setProperty(PushCrmFieldUpdates.PROPAGATE_OPT_INS, "true");
        push.setProperty(PushCrmFieldUpdates.CONSENT_TIME_PATH, "/modified_at");
        return push;
    }

    /** A reader with the schema given, so that it reads record by record rather than inferring a schema from the whole content first. */
    private static void streamingReader(final TestRunner runner) {
        final org.apache.nifi.controller.ControllerService reader = runner.getControllerService("reader");
        runner.disableControllerService(reader);
        runner.setProperty(reader, org.apache.nifi.schema.access.SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY,
                org.apache.nifi.schema.access.SchemaAccessUtils.SCHEMA_TEXT_PROPERTY);
        runner.setProperty(reader, org.apache.nifi.schema.access.SchemaAccessUtils.SCHEMA_TEXT, """
                {"type":"record","name":"push","fields":[{"name":"optsync_email","type":["null","string"]},
                {"name":"optsync_opted_out","type":["null","boolean"]},{"name":"optsync_bounce","type":["null","string"]},
                {"name":"modified_at","type":["null","string"]}]}""");
        runner.enableControllerService(reader);
    }

    @Test
    void aYearOldConsentDoesNotResubscribeAMailchimpMemberWhoUnsubscribedMinutesAgo() throws Exception {
        final MailchimpSimulator mailchimp = sims.started(new MailchimpSimulator());
        mailchimp.put("ann@example.com", "unsubscribed", Instant.now().minus(5, ChronoUnit.MINUTES));
        final TestRunner push = propagatingPush("members");
        ConnectorTestSupport.mailchimp(push, mailchimp);
        push.enqueue("[" + record("ann@example.com", false, Instant.now().minus(365, ChronoUnit.DAYS)) + "]");
        push.run();
        assertThat(mailchimp.member("ann@example.com").status()).isEqualTo("unsubscribed");
        assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT)).isEmpty();
    }

    @Test
    void aNeverSeenAddressIsNotCreatedSubscribedWithCreateMissingOff() throws Exception {
        final MailchimpSimulator mailchimp = sims.started(new MailchimpSimulator());
        final TestRunner push = propagatingPush("members");
        ConnectorTestSupport.mailchimp(push, mailchimp);
        push.enqueue("[" + record("new.person@example.com", false, Instant.now()) + "]");
        push.run();
        assertThat(mailchimp.member("new.person@example.com")).isNull();
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS))).hasSize(1);
    }

    @Test
    void anActOnOptOutIsNeverRemovedOnAnUnknownState() throws Exception {
        final ActOnSimulator actOn = sims.started(new ActOnSimulator());
        actOn.optOut("ann@example.com");
        final TestRunner push = propagatingPush("optout");
        ConnectorTestSupport.actOn(push, actOn);
        push.enqueue("[" + record("ann@example.com", false, Instant.now()) + "]");
        push.run();
        assertThat(actOn.optOutAddresses()).as("Act-On says no time for its opt-outs: no consent can be shown newer").contains("ann@example.com");
    }

    @Test
    void anOptOutInTheSameRunBeatsAnOlderConsentForTheSameAddress() throws Exception {
        final io.optsync.simulators.SalesforceSimulator salesforce = sims.started(new io.optsync.simulators.SalesforceSimulator());
        final io.optsync.simulators.SalesforceSimulator.SfRecord ann = salesforce.create("Contact", "Ann", "Lee", "ann@example.com");
        salesforce.setOptedOut(ann.id(), true);
        final Instant optedOutInSalesforce = salesforce.record(ann.id()).modstamp();
        final TestRunner push = propagatingPush("Contact");
        ConnectorTestSupport.salesforce(push, salesforce);
        // the consent is newer than Salesforce's opt-out but older than the run's own opt-out of the address, and comes first
        push.enqueue("[" + record("ann@example.com", false, optedOutInSalesforce.plusSeconds(60)) + ","
                + record("ANN@example.com ", true, optedOutInSalesforce.plusSeconds(120)) + "]");
        push.run();
        assertThat(salesforce.record(ann.id()).optedOut()).isTrue();
        assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT)).as("nothing written").isEmpty();

        push.clearTransferState();
        push.enqueue("[" + record("ann@example.com", false, optedOutInSalesforce.plusSeconds(60)) + "]");
        push.run();
        assertThat(salesforce.record(ann.id()).optedOut()).as("alone, the same consent is newer than every opt-out known").isFalse();
    }

    @Test
    void aRecordThatCannotBeReadAfterAWrittenBatchKeepsTheAuditOfWhatWasWritten() throws Exception {
        final MailchimpSimulator mailchimp = sims.started(new MailchimpSimulator());
        final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
        push.setProperty(OptOutProperties.OBJECT, "members");
        ConnectorTestSupport.mailchimp(push, mailchimp);
        streamingReader(push);
        final StringBuilder content = new StringBuilder("[");
        for (int i = 0; i < 600; i++) { // more than Mailchimp's batch of 500: the first batch is written before the bad record is read
            content.append(record("p" + i + "@example.com", true, Instant.now())).append(',');
        }
        content.append("{\"optsync_email\": broken");
        push.enqueue(content.toString());
        push.run();
        final long optedOut = mailchimp.all().stream().filter(m -> m.status().equals("unsubscribed")).count();
        assertThat(optedOut).as("a first batch was written before the bad record was met").isEqualTo(500);
        final long audited = RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT)).size();
        assertThat(audited).as("every write that was made has its audit record").isEqualTo(optedOut);
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS))).hasSize(500);
        final List<MockFlowFile> failed = push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_FAILURE);
        assertThat(failed).as("the whole input, for a replay once mended").hasSize(1);
        assertThat(failed.getFirst().getAttribute("optsync.failure.reason")).contains("could not read");
        assertThat(push.getProvenanceEvents()).anySatisfy(e -> assertThat(e.getEventType()).isEqualTo(org.apache.nifi.provenance.ProvenanceEventType.SEND));
    }
}
