package io.optsync.nifi.processors;

import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.SalesforceSimulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The call figures of the Salesforce / ActiveCampaign issue, counted by the simulators (counts, not timings):
 * the HTTP calls PushCrmFieldUpdates makes to push 10,000 opt-outs to Salesforce (goal: ceil(10,000 / 200) writes
 * plus auth), and the highest request rate the ActiveCampaign simulator sees while both directions run (goal: at most
 * 5 a second, no 429 in a clean run).
 */
class SalesforceActiveCampaignCallsTest {
    private static final int PUSHED = 10_000;

    private static String optOuts(final List<String> emails) {
        return emails.stream().map(e -> "{\"optsync_email\":\"" + e + "\",\"optsync_opted_out\":true,\"optsync_bounce\":\"NONE\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    @Test
    void tenThousandOptOutsTakeFiftyCollectionWritesPlusOneSignIn() throws Exception {
        try (SalesforceSimulator salesforce = new SalesforceSimulator()) {
            final List<String> emails = new ArrayList<>();
            for (int i = 0; i < PUSHED; i++) {
                emails.add("contact" + i + "@example.com");
                salesforce.create("Contact", "C", "Contact" + i, emails.getLast());
            }
            salesforce.start(0);
            final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
            push.setProperty(OptOutProperties.OBJECT, "Contact");
            ConnectorTestSupport.salesforce(push, salesforce);
            push.enqueue(optOuts(emails).getBytes(StandardCharsets.UTF_8));
            push.run();

            final long writes = salesforce.stats().calls("PATCH /services/data/{v}/composite/sobjects");
            final long lookups = salesforce.stats().calls("GET /services/data/{v}/query");
            final long auth = salesforce.stats().calls("POST /services/oauth2/token");
            final long optedOut = salesforce.all("Contact").stream().filter(SalesforceSimulator.SfRecord::optedOut).count();
            System.out.printf(Locale.ROOT, "FIGURE push %,d opt-outs to Salesforce: %d sObject Collections writes (goal ceil(%,d / 200) = %d) + %d sign-in "
                    + "+ %d lookups; %,d of %,d opted out%n", PUSHED, writes, PUSHED, (PUSHED + 199) / 200, auth, lookups, optedOut, PUSHED);
            assertThat(writes).isEqualTo((PUSHED + 199) / 200);
            assertThat(auth).isEqualTo(1);
            assertThat(optedOut).isEqualTo(PUSHED);
        }
    }

    @Test
    void bothDirectionsStayUnderActiveCampaignsFiveRequestsASecond() throws Exception {
        try (SalesforceSimulator salesforce = new SalesforceSimulator(); ActiveCampaignSimulator activeCampaign = new ActiveCampaignSimulator()) {
            activeCampaign.seed(1_500, 9);
            salesforce.seed(300, 9);
            for (int i = 0; i < 60; i++) { // Salesforce opt-outs whose addresses ActiveCampaign holds
                final String email = activeCampaign.all().get(i * 7).email();
                salesforce.setOptedOut(salesforce.create("Contact", "Shared", "Contact" + i, email).id(), true);
            }
            salesforce.start(0);
            activeCampaign.start(0);
            final PipelineDirection toActiveCampaign = new PipelineDirection("Contact", SourceEncoding.SALESFORCE, "contacts").withHardBounces();
            ConnectorTestSupport.salesforce(toActiveCampaign.fetch, salesforce);
            ConnectorTestSupport.activeCampaign(toActiveCampaign.push, activeCampaign, null);
            final PipelineDirection toSalesforce = new PipelineDirection("contacts", SourceEncoding.ACTIVECAMPAIGN, "Contact").withHardBounces();
            ConnectorTestSupport.activeCampaign(toSalesforce.fetch, activeCampaign, null);
            ConnectorTestSupport.salesforce(toSalesforce.push, salesforce);
            toActiveCampaign.run();
            toSalesforce.run();

            final long calls = activeCampaign.stats().totalCalls();
            System.out.printf(Locale.ROOT, "FIGURE ActiveCampaign, both directions (%d calls: %,d contacts read, %d opt-outs pushed): highest rate %d requests/s "
                            + "(limit 5); refused with 429: %d%n", calls, activeCampaign.all().size(), toActiveCampaign.pushed(PushCrmFieldUpdates.REL_SUCCESS),
                    activeCampaign.stats().maxPerSecond(), activeCampaign.stats().faults("rate-limited"));
            assertThat(activeCampaign.stats().maxPerSecond()).isLessThanOrEqualTo(5);
            assertThat(activeCampaign.stats().faults("rate-limited")).isZero();
            assertThat(calls).isGreaterThan(50);
        }
    }
}
