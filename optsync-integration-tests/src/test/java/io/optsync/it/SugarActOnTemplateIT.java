package io.optsync.it;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.SugarV10Simulator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * templates/sugarcrm-acton-optout-sync.json in a real NiFi 2.3.0 against the simulators: uploaded, parameters filled
 * (credentials as sensitive parameters), services enabled, started. Opt-outs arrive both ways, every record with an
 * address is opted out, nobody is re-subscribed, no bulletin at ERROR, and no credential in the exported flow or
 * NiFi's log.
 */
class SugarActOnTemplateIT {

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void optOutsArriveBothWays(final String version) throws Exception {
        try (SugarActOnScenario scenario = SugarActOnScenario.start(version, 2_000, 300, 40, "sugar-acton-" + version.replace('_', '-'))) {
            scenario.awaitSettled(Duration.ofMinutes(3));

            assertThat(scenario.actOn.optOutAddresses()).containsAll(scenario.sugarOptedOutBefore);
            for (final String address : scenario.sharedAddresses) {
                assertThat(scenario.store.beansWithEmail(address)).as(address).allSatisfy(b -> assertThat(b.emailOptOut()).isTrue());
            }
            assertThat(scenario.store.optedOutAddresses()).as("nobody re-subscribed").containsAll(scenario.sugarOptedOutBefore);
            assertThat(scenario.actOn.passwordGrants()).as("one sign-in for the whole run").isEqualTo(1);
            assertThat(scenario.actOn.stats().maxPerSecond()).isLessThanOrEqualTo(5);
            assertThat(scenario.actOn.stats().faults("rate-limited")).isZero();
            final java.util.Set<String> secrets = new java.util.HashSet<>(List.of(SugarV10Simulator.PASSWORD, ActOnSimulator.PASSWORD,
                    ActOnSimulator.CLIENT_SECRET));
            secrets.addAll(scenario.sugar.issuedSecrets());
            secrets.addAll(scenario.actOn.issuedSecrets());
            assertThat(scenario.actOn.issuedSecrets()).as("Act-On's access and refresh token").hasSizeGreaterThanOrEqualTo(2);
            scenario.template.assertCleanRun(scenario.nifi, secrets);
        }
    }
}
