package io.optsync.nifi.processors;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the adversarial-history checker over seeded random histories, {@code checker.batch} side by side in each set
 * of systems. {@code -Dchecker.histories=N} sets how many (CI's default below), {@code -Dchecker.seed=S} the first
 * seed, {@code -Dchecker.replay=S} replays one history alone, {@code -Dchecker.propagate=true|false} makes every run
 * propagate opt-ins or none (mixed: every fourth). A failing history is shrunk (alone) and printed with
 * its seed and the command that replays it.
 */
class HistoryCheckerTest {
    private static final int LENGTH = 10;

    @Test
    void noHistoryBreaksAnInvariant() throws Exception {
        final long replay = Long.getLong("checker.replay", -1);
        final long first = replay >= 0 ? replay : Long.getLong("checker.seed", 1);
        final int histories = replay >= 0 ? 1 : Integer.getInteger("checker.histories", 1_500);
        final int batch = replay >= 0 ? 1 : Integer.getInteger("checker.batch", 100);
        final long started = System.nanoTime();
        long steps = 0;
        int violations = 0;
        int slowestQuiet = 0;
        String firstFailure = null;
        for (long from = first; from < first + histories && firstFailure == null; from += batch) {
            final String mode = System.getProperty("checker.propagate", "mixed");
            final boolean propagate = mode.equals("mixed") ? (from / batch) % 4 == 1 : Boolean.parseBoolean(mode); // mixed: every fourth run
            final List<List<HistoryChecker.Step>> all = new ArrayList<>();
            for (long seed = from; seed < Math.min(first + histories, from + batch); seed++) {
                all.add(HistoryChecker.randomHistory(seed, LENGTH));
            }
            final HistoryChecker.Run run = HistoryChecker.check(all, propagate);
            steps += run.steps();
            slowestQuiet = Math.max(slowestQuiet, run.roundsToQuiet());
            violations += run.violations().size();
            if (!run.violations().isEmpty()) {
                final Map.Entry<Integer, String> broken = run.violations().entrySet().iterator().next();
                final long seed = from + broken.getKey();
                final List<HistoryChecker.Step> history = all.get(broken.getKey());
                final HistoryChecker.Verdict alone = HistoryChecker.checkOne(history, propagate);
                final List<HistoryChecker.Step> shrunk = alone.ok() ? history : HistoryChecker.shrink(history, h -> HistoryChecker.checkOne(h, propagate));
                firstFailure = "seed " + seed + (propagate ? " (opt-ins propagated)" : "") + ": " + broken.getValue()
                        + (alone.ok() ? "\n  (alone it passes: it fails only beside the other histories of seeds " + from + "..)"
                        : "\n  shrunk to " + shrunk.size() + " steps " + shrunk + "\n  which breaks: " + HistoryChecker.checkOne(shrunk, propagate).violation())
                        + "\n  replay: ./mvnw -pl nifi-optsync-processors test -Dtest=HistoryCheckerTest -Dchecker.replay=" + seed
                        + (propagate ? " (with opt-ins propagated)" : "");
                System.out.println("CHECKER-FAILURE " + firstFailure);
            }
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("FIGURE adversarial-history checker: %,d histories, %,d steps, 3 systems (SugarCRM v10, Act-On, Mailchimp; 4 directions, "
                + "2 pushers), histories breaking an invariant %d; quiet within %d rounds of the last step (k = %d); %.0f s%n", histories, steps, violations,
                slowestQuiet, HistoryChecker.QUIET_ROUNDS, seconds);
        assertThat(firstFailure).as("no history breaks I1-I4").isNull();
    }
}
