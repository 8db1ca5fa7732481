package io.optsync.it;

import io.optsync.simulators.SugarStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Propagation latency in a real NiFi with the template's default schedules: 20 changes made one by one in each system,
 * each timed until the other system has it. Prints p50/p99 (goal: p99 at most 60 s).
 */
class PropagationLatencyIT {
    private static final int CHANGES = 20;

    @Test
    void optOutsArriveWithinAMinute() throws Exception {
        try (SugarActOnScenario scenario = SugarActOnScenario.start("v10", 2_000, 100, 8, "latency")) {
            scenario.awaitSettled(Duration.ofMinutes(3));
            final List<String> inSugarOnly = new ArrayList<>();
            for (int i = 0; i < CHANGES; i++) {
                final String email = "latency" + i + "@example.org";
                scenario.store.create("Contacts", "Late", "Ncy" + i, email, Instant.now());
                inSugarOnly.add(email);
            }
            Thread.sleep(20_000); // let the new contacts be read (not opted out) before they change

            final Map<String, Instant> toActOn = new LinkedHashMap<>();
            final Map<String, Instant> toSugar = new LinkedHashMap<>();
            final Map<String, Long> sugarToActOn = new LinkedHashMap<>();
            final Map<String, Long> actOnToSugar = new LinkedHashMap<>();
            for (int i = 0; i < CHANGES; i++) {
                toActOn.put(scenario.optOutInSugar(i), Instant.now());
                final String email = inSugarOnly.get(i);
                scenario.actOn.optOut(email);
                toSugar.put(email, Instant.now());
                poll(scenario, toActOn, toSugar, sugarToActOn, actOnToSugar, Duration.ofMillis(1500));
            }
            final Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            while ((sugarToActOn.size() < CHANGES || actOnToSugar.size() < CHANGES) && Instant.now().isBefore(deadline)) {
                poll(scenario, toActOn, toSugar, sugarToActOn, actOnToSugar, Duration.ofMillis(200));
            }
            assertThat(sugarToActOn).as("every SugarCRM change arrived in Act-On").hasSize(CHANGES);
            assertThat(actOnToSugar).as("every Act-On change arrived in SugarCRM").hasSize(CHANGES);
            report("SugarCRM -> Act-On", sugarToActOn.values());
            report("Act-On -> SugarCRM", actOnToSugar.values());
            assertThat(percentile(new ArrayList<>(sugarToActOn.values()), 99)).isLessThanOrEqualTo(60_000);
            assertThat(percentile(new ArrayList<>(actOnToSugar.values()), 99)).isLessThanOrEqualTo(60_000);
            assertThat(scenario.template.errorBulletins()).isEmpty();
        }
    }

    private static void poll(final SugarActOnScenario scenario, final Map<String, Instant> toActOn, final Map<String, Instant> toSugar,
                             final Map<String, Long> sugarToActOn, final Map<String, Long> actOnToSugar, final Duration during) throws InterruptedException {
        final Instant until = Instant.now().plus(during);
        do {
            final List<String> inActOn = scenario.actOn.optOutAddresses();
            toActOn.forEach((email, at) -> {
                if (!sugarToActOn.containsKey(email) && inActOn.contains(email.toLowerCase(Locale.ROOT))) {
                    sugarToActOn.put(email, Duration.between(at, Instant.now()).toMillis());
                }
            });
            toSugar.forEach((email, at) -> {
                if (!actOnToSugar.containsKey(email) && scenario.store.beansWithEmail(email).stream().allMatch(SugarStore.Bean::emailOptOut)) {
                    actOnToSugar.put(email, Duration.between(at, Instant.now()).toMillis());
                }
            });
            Thread.sleep(100);
        } while (Instant.now().isBefore(until));
    }

    static long percentile(final List<Long> values, final int p) {
        final List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        final int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void report(final String direction, final java.util.Collection<Long> millis) {
        final List<Long> values = new ArrayList<>(millis);
        System.out.printf(Locale.ROOT, "FIGURE propagation latency %s over %d changes: p50 %.1f s, p99 %.1f s, max %.1f s%n", direction, values.size(),
                percentile(values, 50) / 1000.0, percentile(values, 99) / 1000.0, Collections.max(values) / 1000.0);
    }
}
