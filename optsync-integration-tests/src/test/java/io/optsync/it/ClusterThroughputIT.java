package io.optsync.it;

import io.optsync.simulators.SugarStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Push throughput of the SugarCRM → Act-On direction with 100,000 opt-outs, the Act-On simulator's rate limit off, on
 * one NiFi node and on a 2-node cluster, one after the other in one run on this 2-core machine.
 */
class ClusterThroughputIT {
    private static final int OPT_OUTS = 100_000;

    @Test
    void pushesOneHundredThousandOptOutsOnOneNodeAndOnTwo() throws Exception {
        final Map<Integer, Duration> took = new LinkedHashMap<>();
        final Map<Integer, Long> sugarCalls = new LinkedHashMap<>();
        for (final int nodes : new int[] {1, 2}) {
            try (SugarActOnScenario scenario = SugarActOnScenario.startOnCluster("v10", 100, 0, 0, "throughput-" + nodes, nodes, ClusterThroughputIT::optOuts,
                    actOn -> actOn.rateLimit(false))) {
                final Instant started = Instant.now();
                final Set<String> expected = new HashSet<>(scenario.sugarOptedOutBefore);
                TemplateRunner.waitFor(Duration.ofMinutes(10), OPT_OUTS + " opt-outs in Act-On on " + nodes + " node(s)",
                        () -> scenario.actOn.optOutAddresses().size() >= expected.size());
                took.put(nodes, Duration.between(started, Instant.now()));
                sugarCalls.put(nodes, scenario.sugar.stats().totalCalls());
                final Set<String> missing = new HashSet<>(expected);
                scenario.actOn.optOutAddresses().forEach(missing::remove); // AssertJ's containsAll compares each pair: 10^10 steps here
                assertThat(missing).as("opt-outs missing in Act-On").isEmpty();
            }
        }
        System.out.printf(Locale.ROOT, "FIGURE push throughput, %,d SugarCRM opt-outs to Act-On (simulator rate limit off), from the template's start: "
                        + "1 node %.1f s (%,.0f opt-outs/s); 2 nodes %.1f s (%,.0f opt-outs/s); SugarCRM calls %d and %d (the primary-only fetch, at the "
                        + "service's 10 calls/s, bounds both); 2 cores for every process%n", OPT_OUTS, seconds(took.get(1)), OPT_OUTS / seconds(took.get(1)),
                seconds(took.get(2)), OPT_OUTS / seconds(took.get(2)), sugarCalls.get(1), sugarCalls.get(2));
    }

    private static double seconds(final Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static void optOuts(final SugarStore store) {
        final Instant modified = Instant.now().minus(Duration.ofDays(1));
        for (int i = 0; i < OPT_OUTS; i++) {
            final SugarStore.Bean bean = store.create("Contacts", "Bulk", "Contact" + i, "bulk" + i + "@example.net", modified.plusMillis(i));
            store.optOutInUi("Contacts", bean.id(), true);
        }
    }
}
