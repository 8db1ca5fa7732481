package io.optsync.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * templates/salesforce-activecampaign-optout-sync.json, salesforce-acton-optout-sync.json and
 * salesforce-mailchimp-optout-sync.json in a real
 * NiFi 2.3.0 against the simulators: uploaded, parameters filled (credentials as sensitive parameters), started.
 * Opt-outs arrive both ways (ActiveCampaign and Mailchimp unsubscribes and hard bounces tick Email Opt Out; Salesforce
 * opt-outs and bounces unsubscribe from every mapped list, reach Act-On's opt-out list or unsubscribe the Mailchimp
 * member), nobody is re-subscribed, ActiveCampaign and Act-On see at most 5 requests a second and Mailchimp at most 10
 * connections, no bulletin at ERROR, no credential in the exported flow or NiFi's log.
 */
class SalesforceTemplatesIT {

    @ParameterizedTest
    @ValueSource(strings = {SalesforceScenario.ACTIVECAMPAIGN, SalesforceScenario.ACTON, SalesforceScenario.MAILCHIMP})
    void optOutsArriveBothWays(final String partner) throws Exception {
        try (SalesforceScenario scenario = SalesforceScenario.start(partner, "salesforce-" + partner)) {
            scenario.awaitSettled(Duration.ofMinutes(4));
            System.out.printf(Locale.ROOT, "FIGURE template salesforce-%s in a real NiFi: %d Salesforce opt-outs and %d %s opt-outs settled both ways "
                            + "%.1f s after the flow started; %s calls: %d, highest rate %d/s, highest concurrency %d, refused for limits %d%n", partner, scenario.salesforceOptOuts.size(),
                    scenario.partnerOptOuts.size(), partner, Duration.between(scenario.running, Instant.now()).toMillis() / 1000.0, partner,
                    scenario.partner.stats().totalCalls(), scenario.partner.stats().maxPerSecond(), scenario.partner.stats().maxConcurrent(),
                    scenario.partner.stats().faults("rate-limited") + scenario.partner.stats().faults("too-many-connections"));

            assertThat(scenario.optedOutInSalesforce()).as("nobody re-subscribed in Salesforce").containsAll(scenario.salesforceOptedOutBefore);
            if (scenario.activeCampaign != null) {
                assertThat(scenario.activeCampaign.resubscribes()).as("no ActiveCampaign list moved from 2 to 1").isZero();
            }
            if (scenario.mailchimp != null) { // Mailchimp limits connections, not requests
                assertThat(scenario.partner.stats().maxConcurrent()).isLessThanOrEqualTo(10);
                assertThat(scenario.partner.stats().faults("too-many-connections")).isZero();
            } else {
                assertThat(scenario.partner.stats().maxPerSecond()).isLessThanOrEqualTo(5);
                assertThat(scenario.partner.stats().faults("rate-limited")).isZero();
            }
            assertThat(scenario.salesforce.grants()).as("one Salesforce sign-in for the whole run").isEqualTo(1);
            scenario.template.assertCleanRun(scenario.nifi, scenario.secrets());
        }
    }
}
