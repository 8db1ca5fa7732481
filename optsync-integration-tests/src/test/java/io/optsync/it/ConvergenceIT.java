package io.optsync.it;

import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loop-free convergence in a real NiFi, both directions of the SugarCRM ↔ Act-On template running: once the first
 * sync has settled, one opt-out is made in each system and write calls are counted per round (a round is two fetch
 * periods, 30 s). Round 1 carries the two changes; the writes they cause are read back by the other direction's
 * fetch but must cause no write: rounds 2 and 3 write nothing.
 */
class ConvergenceIT {
    private static final Duration ROUND = Duration.ofSeconds(30);
    private static final List<String> SUGAR_WRITES = List.of("POST /rest/v10/bulk", "PUT /rest/v10/{Module}/{id}");
    private static final List<String> ACTON_WRITES = List.of("PUT /api/1/list/optout", "PUT /api/1/list/hardbounce");

    private static long calls(final SimulatorServer sim, final List<String> endpoints) {
        return endpoints.stream().mapToLong(e -> sim.stats().calls(e)).sum();
    }

    @Test
    void aChangeSettlesInOneRoundAndTheNextRoundsWriteNothing() throws Exception {
        try (SugarActOnScenario scenario = SugarActOnScenario.start("v10", 1_000, 50, 8, "convergence")) {
            scenario.awaitSettled(Duration.ofMinutes(3));
            Thread.sleep(ROUND.toMillis()); // the first sync's own echoes die out

            final long settledSugar = calls(scenario.sugar, SUGAR_WRITES);
            final long settledActOn = calls(scenario.actOn, ACTON_WRITES);
            final long sugarFetchesBefore = scenario.sugar.stats().calls("POST /rest/v10/{Module}/filter");
            final String toActOn = scenario.optOutInSugar(0);
            final String toSugar = scenario.store.sortedByModified("Contacts").stream().filter(b -> !b.emailOptOut())
                    .map(b -> b.primary().address().toLowerCase(Locale.ROOT)).filter(a -> !a.equals(toActOn)).findFirst().orElseThrow();
            scenario.actOn.optOut(toSugar);

            final List<long[]> rounds = new ArrayList<>();
            long sugarBefore = settledSugar;
            long actOnBefore = settledActOn;
            for (int round = 1; round <= 3; round++) {
                Thread.sleep(ROUND.toMillis());
                final long sugarNow = calls(scenario.sugar, SUGAR_WRITES);
                final long actOnNow = calls(scenario.actOn, ACTON_WRITES);
                rounds.add(new long[] {sugarNow - sugarBefore, actOnNow - actOnBefore});
                sugarBefore = sugarNow;
                actOnBefore = actOnNow;
            }
            final long sugarFetches = scenario.sugar.stats().calls("POST /rest/v10/{Module}/filter") - sugarFetchesBefore;

            final StringBuilder figure = new StringBuilder("FIGURE loop-free convergence (real NiFi, one opt-out made in each system): write calls per "
                    + ROUND.toSeconds() + " s round (SugarCRM + Act-On):");
            for (int i = 0; i < rounds.size(); i++) {
                figure.append(String.format(Locale.ROOT, " round %d: %d + %d;", i + 1, rounds.get(i)[0], rounds.get(i)[1]));
            }
            figure.append(String.format(Locale.ROOT, " SugarCRM reads meanwhile: %d (our writes are read back and cause no write)", sugarFetches));
            System.out.println(figure);

            assertThat(scenario.actOn.optOutAddresses()).as("SugarCRM's change arrived").contains(toActOn);
            assertThat(scenario.store.beansWithEmail(toSugar)).as("Act-On's change arrived").allMatch(SugarStore.Bean::emailOptOut);
            assertThat(rounds.get(0)[0]).as("round 1 writes SugarCRM").isPositive();
            assertThat(rounds.get(0)[1]).as("round 1 writes Act-On").isPositive();
            // Act-On takes writes by address and cannot be asked for one address's state without a call: SugarCRM's record,
            // just written by the Act-On -> SugarCRM direction, is read back and its opt-out sent to Act-On once more when that
            // read falls after the round's end. That echo is one idempotent write, never a loop: round 3 writes nothing.
            assertThat(rounds.get(1)[0]).as("round 2 writes nothing to SugarCRM").isZero();
            assertThat(rounds.get(1)[1]).as("round 2 writes Act-On at most once more: the echo of our own SugarCRM write").isLessThanOrEqualTo(1);
            assertThat(rounds.get(2)).as("round 3 writes nothing").containsExactly(0, 0);
            assertThat(sugarFetches).as("the fetches kept running").isGreaterThan(4);
            assertThat(scenario.template.errorBulletins()).isEmpty();
        }
    }
}
