package io.optsync.nifi.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link RecordBenchmarks} with JMH and prints records per second of each variant, the ratios between them and
 * whether each goal is met. {@code -Dbenchmark.quick=true} runs fewer iterations (for a smoke run, not for figures);
 * {@code -Dbenchmark.include=REGEX} runs only the benchmark methods whose name matches.
 */
public final class BenchmarkReport {
    private static final int EXPECTED_BENCHMARKS = 8;

    private BenchmarkReport() {
    }

    public static void main(final String[] args) throws RunnerException {
        final boolean quick = Boolean.getBoolean("benchmark.quick");
        final String only = System.getProperty("benchmark.include", "");
        final ChainedOptionsBuilder options = new OptionsBuilder().include(RecordBenchmarks.class.getName() + "\\." + only);
        if (quick) {
            options.warmupIterations(1).measurementIterations(1).measurementTime(TimeValue.seconds(1));
        }
        final Collection<RunResult> results = new Runner(options.build()).run();
        final Map<String, double[]> scores = new HashMap<>();
        for (final RunResult result : results) {
            final String name = result.getParams().getBenchmark();
            final double score = result.getPrimaryResult().getScore();
            final double error = result.getPrimaryResult().getScoreError();
            scores.put(name.substring(name.lastIndexOf('.') + 1), new double[] {score, error});
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "optsync record benchmark: %,d JSON records, JsonTreeReader -> JsonRecordSetWriter, records/s "
                + "(JMH mean of %s measured iterations, +- 99.9%% CI)%n", RecordBenchmarks.RECORDS, quick ? "1 (quick run)" : "5");
        line(scores, "(a)  the template path: FilterOptedOut decoding in one pass", "optsyncOnePass");
        line(scores, "(a2) optsync NormalizeOptOutValue -> FilterOptedOut", "optsyncNormalizeThenFilter");
        line(scores, "(b)  stock UpdateRecord -> QueryRecord", "stockUpdateRecordThenQueryRecord");
        line(scores, "(c)  ConvertRecord (record API pass-through)", "convertRecord");
        line(scores, "     NormalizeOptOutValue alone", "normalizeAlone");
        line(scores, "     FilterOptedOut alone, canonical input", "filterAlone");
        line(scores, "(c') ConvertRecord of the canonical input", "convertRecordOfNormalizedInput");
        line(scores, "(d)  Jackson streaming parse + write", "jacksonFloor");
        System.out.println();
        System.out.println("ratios:");
        ratio(scores, "(a) / (b)   templates against stock", "optsyncOnePass", "stockUpdateRecordThenQueryRecord", 2.0);
        ratio(scores, "(a2) / (b)", "optsyncNormalizeThenFilter", "stockUpdateRecordThenQueryRecord", 0);
        ratio(scores, "(a) / (c)   FilterOptedOut, decoding", "optsyncOnePass", "convertRecord", 0.9);
        ratio(scores, "NormalizeOptOutValue / (c)", "normalizeAlone", "convertRecord", 0.9);
        ratio(scores, "FilterOptedOut canonical / (c')", "filterAlone", "convertRecordOfNormalizedInput", 0.9);
        ratio(scores, "(b) / (c)", "stockUpdateRecordThenQueryRecord", "convertRecord", 0);
        ratio(scores, "(c) / (d)", "convertRecord", "jacksonFloor", 0);
        if (only.isEmpty() && scores.size() < EXPECTED_BENCHMARKS || scores.isEmpty()) {
            System.out.println("FAILED: " + (EXPECTED_BENCHMARKS - scores.size()) + " benchmarks did not run; see the JMH output above");
            System.exit(1);
        }
    }

    private static void line(final Map<String, double[]> scores, final String label, final String benchmark) {
        final double[] score = scores.get(benchmark);
        if (score == null) {
            System.out.printf(Locale.ROOT, "  %-66s %14s%n", label, "not run");
            return;
        }
        System.out.printf(Locale.ROOT, "  %-66s %,14.0f  +- %,.0f%n", label, score[0], score[1]);
    }

    private static void ratio(final Map<String, double[]> scores, final String label, final String top, final String bottom, final double goal) {
        if (!scores.containsKey(top) || !scores.containsKey(bottom)) {
            return;
        }
        final double value = scores.get(top)[0] / scores.get(bottom)[0];
        final String verdict = goal <= 0 ? "" : String.format(Locale.ROOT, "  goal >= %.1f: %s", goal, value >= goal ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "  %-40s %6.2f%s%n", label, value, verdict);
    }
}
