package io.optsync.nifi.processors;

import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.MockProcessContext;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sign-in the vendor refuses is the connection's failure, not the records': they wait on retry, penalized, the
 * processor yields and raises one bulletin naming the vendor and the cause, and once the credential is mended they go
 * through with no replay by hand.
 */
class PushConnectionFailureTest {

    @RegisterExtension
    final Simulators sims = new Simulators();

    private static String records(final String... emails) {
        final StringBuilder content = new StringBuilder("[");
        for (int i = 0; i < emails.length; i++) {
            content.append(i == 0 ? "" : ",").append(PushResubscribeGuardTest.record(emails[i], true, Instant.now()));
        }
        return content.append("]").toString();
    }

    /** Pushes with a wrong password, then mends it and pushes what waited on retry. */
    private static List<MockFlowFile> refusedThenMended(final TestRunner push, final String password, final String vendor, final String... emails) {
        return secretRefusedThenMended(push, "Password", password, "not-the-password", vendor, emails);
    }

    /** Pushes with a wrong {@code secret} (the property), then mends it and pushes what waited on retry. */
    private static List<MockFlowFile> secretRefusedThenMended(final TestRunner push, final String secret, final String right, final String wrong,
                                                        final String vendor, final String... emails) {
        final ControllerService service = push.getControllerService("connector");
        ConnectorTestRunners.reconfigured(push, service, Map.of(secret, wrong));
        push.enqueue(records(emails));
        push.run();

        assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_FAILURE)).as("nothing to mend by hand").isEmpty();
        final List<MockFlowFile> retry = push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_RETRY);
        assertThat(RecordTestSupport.records(retry)).hasSize(emails.length);
        assertThat(retry).allSatisfy(f -> assertThat(f.isPenalized()).isTrue());
        final List<String> errors = push.getLogger().getErrorMessages().stream().map(LogMessage::getMsg).toList();
        assertThat(errors).as("one bulletin for the run, naming the vendor").singleElement().asString().contains(vendor, "refused", "retry")
                .doesNotContain(wrong);
        assertThat(((MockProcessContext) push.getProcessContext()).isYieldCalled()).as("it waits before it tries again").isTrue();

        ConnectorTestRunners.reconfigured(push, service, Map.of(secret, right));
        push.clearTransferState();
        ConnectorTestSupport.pass(retry, push);
        push.run(retry.size());
        return push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS);
    }

    @Test
    void actOnRefusingTheSignIn() throws Exception {
        final ActOnSimulator actOn = sims.started(new ActOnSimulator());
        final TestRunner push = RecordTestSupport.push("optout");
        ConnectorTestSupport.actOn(push, actOn);
        final List<MockFlowFile> written = refusedThenMended(push, ActOnSimulator.PASSWORD, "Act-On", "ann@example.com", "bob@example.com");
        assertThat(RecordTestSupport.records(written)).hasSize(2);
        assertThat(actOn.optOutAddresses()).contains("ann@example.com", "bob@example.com");
    }

    /** A fetch whose sign-in is refused says so at ERROR, naming the vendor (a bulletin), and reads on once mended. */
    @Test
    void aFetchWhoseSignInIsRefusedRaisesAnErrorBulletinAndReadsOnOnceMended() throws Exception {
        final ActOnSimulator actOn = sims.started(new ActOnSimulator());
        actOn.optOut("ann@example.com");
        final TestRunner fetch = RecordTestSupport.fetch("optout");
        ConnectorTestSupport.actOn(fetch, actOn);
        final var service = fetch.getControllerService("connector");
        ConnectorTestRunners.reconfigured(fetch, service, Map.of("Password", "not-the-password"));
        fetch.run();

        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS)).isEmpty();
        assertThat(fetch.getLogger().getErrorMessages()).singleElement().satisfies(m -> assertThat(m.getMsg()).contains("Act-On refused the connection")
                .doesNotContain("not-the-password"));

        ConnectorTestRunners.reconfigured(fetch, service, Map.of("Password", ActOnSimulator.PASSWORD)); // enabled again: signs in at once
        fetch.run();
        assertThat(RecordTestSupport.records(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS))).hasSize(1);
    }

    @Test
    void sugarCrmRefusingTheSignIn() throws Exception {
        final SugarStore store = new SugarStore();
        store.create("Contacts", "Ann", "Lee", "ann@example.com", Instant.now().minusSeconds(600));
        final SugarV10Simulator sugar = sims.started(new SugarV10Simulator(store));
        final TestRunner push = RecordTestSupport.push("Contacts");
        ConnectorTestSupport.sugar(push, sugar, "v10");
        final List<MockFlowFile> written = refusedThenMended(push, SugarV10Simulator.PASSWORD, "SugarCRM", "ann@example.com");
        assertThat(RecordTestSupport.records(written)).hasSize(1);
        assertThat(store.beansWithEmail("ann@example.com")).allMatch(SugarStore.Bean::emailOptOut);
    }

    @Test
    void mailchimpRefusingTheApiKeyOnItsBatchWrite() throws Exception {
        final MailchimpSimulator mailchimp = sims.started(new MailchimpSimulator());
        mailchimp.put("ann@example.com", "subscribed", Instant.now().minusSeconds(600));
        final TestRunner push = RecordTestSupport.push("members");
        ConnectorTestSupport.mailchimp(push, mailchimp);
        final List<MockFlowFile> written = secretRefusedThenMended(push, "API Key", MailchimpSimulator.API_KEY, "f".repeat(32) + "-us19", "Mailchimp",
                "ann@example.com");
        assertThat(RecordTestSupport.records(written)).hasSize(1);
        assertThat(mailchimp.member("ann@example.com").status()).isEqualTo("unsubscribed");
    }

    @Test
    void activeCampaignRefusingTheTokenOnItsBulkImport() throws Exception {
        final ActiveCampaignSimulator ac = sims.started(new ActiveCampaignSimulator().seed(3, 1));
        final String email = ac.all().getFirst().email();
        final TestRunner push = RecordTestSupport.push("contacts");
        ConnectorTestSupport.activeCampaign(push, ac, "1,2"); // Lists set: no look-up, the bulk import is the first call
        final List<MockFlowFile> written = secretRefusedThenMended(push, "API Token", ActiveCampaignSimulator.API_TOKEN, "not-the-token", "ActiveCampaign", email);
        assertThat(RecordTestSupport.records(written)).hasSize(1);
        assertThat(ac.all().getFirst().statuses()).containsEntry(1, 2).containsEntry(2, 2);
    }

    @Test
    void netSuiteRefusingTokenBasedSignatures() throws Exception {
        final NetSuiteSimulator netSuite = sims.started(new NetSuiteSimulator());
        final NetSuiteSimulator.Entity ann = netSuite.create("customer", "ann@example.com", "1");
        final TestRunner push = RecordTestSupport.push("customer");
        io.optsync.nifi.connector.netsuite.NetSuiteTestConnectors.addTokenBased(push, "connector", netSuite.baseUrl(), NetSuiteSimulator.TOKEN_SECRET);
        push.setProperty(OptOutProperties.CONNECTOR, "connector");
        final List<MockFlowFile> written = secretRefusedThenMended(push, "Token Secret", NetSuiteSimulator.TOKEN_SECRET, "not-the-secret", "NetSuite",
                "ann@example.com");
        assertThat(RecordTestSupport.records(written)).hasSize(1);
        assertThat(netSuite.entity("customer", ann.id()).status()).isEqualTo("2");
    }
}
