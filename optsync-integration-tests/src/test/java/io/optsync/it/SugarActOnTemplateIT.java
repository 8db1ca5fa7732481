package io.optsync.it;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import io.optsync.simulators.SimulatorServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
        final SugarStore store = new SugarStore().seed(2_000, 13);
        final List<String> sharedAddresses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            final String email = "shared" + i + "@example.net";
            store.create("Contacts", "Shared", "Contact" + i, email, Instant.now());
            if (i % 4 == 0) {
                store.create("Contacts", "Shared", "Duplicate" + i, email.toUpperCase(Locale.ROOT), Instant.now());
                store.create("Leads", "Shared", "Lead" + i, email, Instant.now());
            }
            sharedAddresses.add(email);
        }
        final Set<String> sugarOptedOutBefore = new HashSet<>(store.optedOutAddresses());
        final SimulatorServer sugar = version.equals("v10") ? new SugarV10Simulator(store) : new SugarV41Simulator(store);
        final ActOnSimulator actOn = new ActOnSimulator().seed(300, 21);
        sharedAddresses.forEach(actOn::optOut);
        sugar.start(0);
        actOn.start(0);
        try (NiFiInstance nifi = NiFiInstance.create("sugar-acton-" + version.replace('_', '-'))) {
            final NiFiRest rest = nifi.start(Duration.ofMinutes(3));
            final TemplateRunner template = TemplateRunner.upload(rest, SugarActOnTemplate.FILE);
            template.parameters(Map.of(
                    SugarActOnTemplate.SUGAR_URL, sugar.baseUrl(),
                    SugarActOnTemplate.SUGAR_API, version,
                    SugarActOnTemplate.SUGAR_ENCODING, "sugarcrm-" + version,
                    SugarActOnTemplate.SUGAR_USER, SugarV10Simulator.USERNAME,
                    SugarActOnTemplate.SUGAR_PASSWORD, SugarV10Simulator.PASSWORD,
                    SugarActOnTemplate.ACTON_URL, actOn.baseUrl(),
                    SugarActOnTemplate.ACTON_USER, ActOnSimulator.USERNAME,
                    SugarActOnTemplate.ACTON_PASSWORD, ActOnSimulator.PASSWORD,
                    SugarActOnTemplate.ACTON_CLIENT_ID, ActOnSimulator.CLIENT_ID,
                    SugarActOnTemplate.ACTON_CLIENT_SECRET, ActOnSimulator.CLIENT_SECRET),
                    List.of(SugarActOnTemplate.SUGAR_PASSWORD, SugarActOnTemplate.ACTON_PASSWORD, SugarActOnTemplate.ACTON_CLIENT_SECRET));
            template.enableServicesAndStart();

            final Set<String> expectedInActOn = new HashSet<>(sugarOptedOutBefore);
            TemplateRunner.waitFor(Duration.ofMinutes(3), "both directions to settle", () ->
                    new HashSet<>(actOn.optOutAddresses()).containsAll(expectedInActOn)
                            && sharedAddresses.stream().allMatch(a -> store.beansWithEmail(a).stream().allMatch(SugarStore.Bean::emailOptOut)));

            assertThat(actOn.optOutAddresses()).containsAll(expectedInActOn);
            for (final String address : sharedAddresses) {
                assertThat(store.beansWithEmail(address)).as(address).allSatisfy(b -> assertThat(b.emailOptOut()).isTrue());
            }
            assertThat(store.optedOutAddresses()).as("nobody re-subscribed").containsAll(sugarOptedOutBefore);
            assertThat(actOn.passwordGrants()).as("one sign-in for the whole run").isEqualTo(1);
            assertThat(actOn.stats().maxPerSecond()).isLessThanOrEqualTo(5);
            assertThat(actOn.stats().faults("rate-limited")).isZero();
            assertThat(template.errorBulletins()).isEmpty();

            final String exported = template.download();
            final String log = nifi.appLog();
            for (final String secret : List.of(SugarV10Simulator.PASSWORD, ActOnSimulator.PASSWORD, ActOnSimulator.CLIENT_SECRET)) {
                assertThat(exported).as("exported flow").doesNotContain(secret);
                assertThat(log).as("NiFi's log").doesNotContain(secret);
            }
            template.stop();
        } finally {
            sugar.close();
            actOn.close();
        }
    }
}
