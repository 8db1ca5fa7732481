package io.optsync.nifi.processors;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the adversarial-history checker over seeded random histories, {@code checker.batch} side by side in each set
 * of systems and {@code checker.parallel} sets of systems at once (the checker mostly waits: on vendor rate limits,
 * back-offs and injected timeouts). {@code -Dchecker.histories=N} sets how many (CI's default below),
 * {@code -Dchecker.seed=S} the first seed, {@code -Dchecker.replay=S} replays one history alone,
 * {@code -Dchecker.propagate=true|false} makes every run propagate opt-ins or none (mixed: every fourth). A failing
 * history is shrunk (alone) and printed with its seed and the command that replays it.
 */
class HistoryCheckerTest {
    private static final int LENGTH = 10;

    /** What one set of systems found for the histories of seeds {@code from} on. */
    private record Batch(long from, List<List<HistoryChecker.Step>> histories, boolean propagate, HistoryChecker.Run run) {
    }

    @Test
    void noHistoryBreaksAnInvariant() throws Exception {
        final long replay = Long.getLong("checker.replay", -1);
        final long first = replay >= 0 ? replay : Long.getLong("checker.seed", 1);
        final long histories = replay >= 0 ? 1 : Long.getLong("checker.histories", 10_000);
        final int batch = replay >= 0 ? 1 : Integer.getInteger("checker.batch", 100);
        final int parallel = replay >= 0 ? 1 : Integer.getInteger("checker.parallel", 40);
        final String mode = System.getProperty("checker.propagate", "mixed");
        final long started = System.nanoTime();
        long steps = 0;
        long run = 0;
        int violations = 0;
        int slowestQuiet = 0;
        String firstFailure = null;
        final ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            final List<Future<Batch>> batches = new ArrayList<>();
            for (long from = first; from < first + histories; from += batch) {
                final long start = from;
                final boolean propagate = mode.equals("mixed") ? ((from - first) / batch) % 4 == 1 : Boolean.parseBoolean(mode); // mixed: every fourth
                batches.add(pool.submit(() -> {
                    final List<List<HistoryChecker.Step>> all = new ArrayList<>();
                    for (long seed = start; seed < Math.min(first + histories, start + batch); seed++) {
                        all.add(HistoryChecker.randomHistory(seed, LENGTH));
                    }
                    return new Batch(start, all, propagate, HistoryChecker.check(all, propagate));
                }));
            }
            for (int b = 0; b < batches.size(); b++) { // in seed order: the lowest failing history is the one reported
                final Batch done = batches.get(b).get();
                batches.set(b, null); // a long profile holds only the batches under way
                run += done.histories().size();
                steps += done.run().steps();
                slowestQuiet = Math.max(slowestQuiet, done.run().roundsToQuiet());
                violations += done.run().violations().size();
                if (!done.run().violations().isEmpty()) {
                    firstFailure = explain(done);
                    System.out.println("CHECKER-FAILURE " + firstFailure);
                    batches.stream().filter(java.util.Objects::nonNull).forEach(f -> f.cancel(true));
                    break;
                }
                if (run % 10_000 == 0) { // to target/checker-progress.txt as well: surefire holds a test's output until it ends
                    final String line = String.format("CHECKER progress: %,d histories, %,d steps, 0 violations, %.0f s; next seed %d%n", run, steps,
                            (System.nanoTime() - started) / 1e9, first + run);
                    System.out.print(line);
                    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "checker-progress.txt"), line,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("FIGURE adversarial-history checker: %,d histories, %,d steps, 3 systems (SugarCRM v10, Act-On, Mailchimp; 4 directions, "
                + "2 pushers; %d sets of systems at once), histories breaking an invariant %d; quiet within %d rounds of the last step (k = %d); "
                + "%.0f s, %.1f histories a second%n", run, steps, parallel, violations, slowestQuiet, HistoryChecker.QUIET_ROUNDS, seconds, run / seconds);
        assertThat(firstFailure).as("no history breaks I1-I4").isNull();
        assertThat(run).as("every history ran").isEqualTo(histories);
    }

    /** The lowest failing history of a batch: alone, shrunk, and how to replay it. */
    private static String explain(final Batch done) {
        final Map.Entry<Integer, String> broken = done.run().violations().entrySet().iterator().next();
        final long seed = done.from() + broken.getKey();
        final boolean propagate = done.propagate();
        final List<HistoryChecker.Step> history = done.histories().get(broken.getKey());
        final HistoryChecker.Verdict alone = HistoryChecker.checkOne(history, propagate);
        final List<HistoryChecker.Step> shrunk = alone.ok() ? history : HistoryChecker.shrink(history, h -> HistoryChecker.checkOne(h, propagate));
        return "seed " + seed + (propagate ? " (opt-ins propagated)" : "") + ": " + broken.getValue()
                + (alone.ok() ? "\n  (alone it passes: it fails only beside the other histories of seeds " + done.from() + "..)"
                : "\n  shrunk to " + shrunk.size() + " steps " + shrunk + "\n  which breaks: " + HistoryChecker.checkOne(shrunk, propagate).violation())
                + "\n  replay: ./mvnw -pl nifi-optsync-processors test -Dtest=HistoryCheckerTest -Dchecker.replay=" + seed
                + (propagate ? " -Dchecker.propagate=true" : " -Dchecker.propagate=false");
    }
}
