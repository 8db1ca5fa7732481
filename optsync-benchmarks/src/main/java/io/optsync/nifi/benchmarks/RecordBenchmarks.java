package io.optsync.nifi.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.optsync.nifi.processors.BenchmarkProcessors;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.json.JsonRecordSetWriter;
import org.apache.nifi.json.JsonTreeReader;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processors.standard.ConvertRecord;
import org.apache.nifi.processors.standard.QueryRecord;
import org.apache.nifi.processors.standard.UpdateRecord;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One million JSON contact records through JsonTreeReader and JsonRecordSetWriter (both at their defaults: inferred
 * schema, inherited on write), run in-process with nifi-mock. Each score is records per second.
 * <ul>
 * <li>a: optsync doing the job in one pass: FilterOptedOut decoding the SugarCRM value and the e-mail, keeping the
 * opted-out records (the other relationships auto-terminated, as a user who wants only those configures it);</li>
 * <li>a2: the two-processor chain, NormalizeOptOutValue then FilterOptedOut on its canonical fields;</li>
 * <li>b: the stock chain: UpdateRecord (normalize the e-mail) then QueryRecord (decode the value, keep opt-outs);</li>
 * <li>c: ConvertRecord, reader to writer with no logic: what the record API itself costs;</li>
 * <li>each optsync processor alone, against ConvertRecord of the same input;</li>
 * <li>d: a bare Jackson streaming parse and write of the same records: the physical floor.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(RecordBenchmarks.RECORDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class RecordBenchmarks {
    static final int RECORDS = 1_000_000;
    private static final String OPTED_OUT_QUERY = "opted_out";
    /** The stock processors' "success" (their constant is not public); relationships are equal by name. */
    private static final Relationship SUCCESS = new Relationship.Builder().name("success").build();

    private byte[] raw;
    private byte[] normalized;

    private TestRunner onePass;
    private TestRunner normalize;
    private TestRunner filterCanonical;
    private TestRunner filterCanonicalKeepingOptedOut;
    private TestRunner update;
    private TestRunner query;
    private TestRunner convert;

    @Setup(Level.Trial)
    public void setUp(final BenchmarkParams params) {
        final ContactData.Contacts contacts = ContactData.contacts(RECORDS);
        raw = contacts.json();

        onePass = runner(BenchmarkProcessors.filterKeepingOnlyOptedOut());
        onePass.setProperty("Status Source", "decode-source-fields");
        configureSugarDecoding(onePass);

        normalize = runner(BenchmarkProcessors.normalize());
        configureSugarDecoding(normalize);
        filterCanonical = runner(BenchmarkProcessors.filter());
        filterCanonicalKeepingOptedOut = runner(BenchmarkProcessors.filterKeepingOnlyOptedOut());

        update = runner(new UpdateRecord());
        update.setProperty("Replacement Value Strategy", "record-path-value");
        update.setProperty("/optsync_email", "toLowerCase(trim(/email1))");
        query = runner(new QueryRecord());
        query.setProperty(OPTED_OUT_QUERY, "SELECT * FROM FLOWFILE "
                + "WHERE LOWER(TRIM(CAST(email_opt_out AS VARCHAR))) IN ('1', 'true')");

        convert = runner(new ConvertRecord());

        // Each variant must do the job right before it is timed: its output is checked against the generator's count.
        final String benchmark = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        if (benchmark.equals("filterAlone") || benchmark.equals("convertRecordOfNormalizedInput")) {
            normalized = content(normalize, raw, BenchmarkProcessors.normalized());
        }
        final long produced = switch (benchmark) {
            case "optsyncOnePass" -> optsyncOnePass();
            case "optsyncNormalizeThenFilter" -> optsyncNormalizeThenFilter();
            case "stockUpdateRecordThenQueryRecord" -> stockUpdateRecordThenQueryRecord();
            case "convertRecord" -> convertRecord();
            case "normalizeAlone" -> normalizeAlone();
            case "filterAlone" -> filterAlone();
            case "convertRecordOfNormalizedInput" -> convertRecordOfNormalizedInput();
            case "jacksonFloor" -> jacksonFloor();
            default -> throw new IllegalStateException("no check for " + benchmark);
        };
        final boolean keepsOptedOut = benchmark.startsWith("optsync") || benchmark.startsWith("stock") || benchmark.equals("filterAlone");
        final long expected = keepsOptedOut ? contacts.optedOut() : RECORDS;
        if (produced != expected) {
            throw new IllegalStateException(benchmark + " produced " + produced + " records; expected " + expected);
        }
    }

    private static void configureSugarDecoding(final TestRunner runner) {
        runner.setProperty("Opt-Out Field", "/email_opt_out");
        runner.setProperty("E-mail Field", "/email1");
        runner.setProperty("Source Encoding", "sugarcrm-v4_1");
    }

    /** (a) optsync, one pass: decode, normalize and keep the opted-out records. */
    @Benchmark
    public long optsyncOnePass() {
        return count(onePass, raw, BenchmarkProcessors.optedOut());
    }

    /** (a2) optsync, the two-processor chain: NormalizeOptOutValue then FilterOptedOut keeping the opted-out records. */
    @Benchmark
    public long optsyncNormalizeThenFilter() {
        return count(filterCanonicalKeepingOptedOut, content(normalize, raw, BenchmarkProcessors.normalized()), BenchmarkProcessors.optedOut());
    }

    /** (b) the stock chain: UpdateRecord then QueryRecord. */
    @Benchmark
    public long stockUpdateRecordThenQueryRecord() {
        final byte[] updated = content(update, raw, SUCCESS);
        return count(query, updated, new Relationship.Builder().name(OPTED_OUT_QUERY).build());
    }

    /** (c) the record API's own cost: ConvertRecord of the raw input. */
    @Benchmark
    public long convertRecord() {
        return count(convert, raw, SUCCESS);
    }

    /** NormalizeOptOutValue alone, every record written with its canonical fields; compare with (c). */
    @Benchmark
    public long normalizeAlone() {
        return count(normalize, raw, BenchmarkProcessors.normalized());
    }

    /** FilterOptedOut alone on canonical fields, every relationship written; compare with (c) of the same input. */
    @Benchmark
    public long filterAlone() {
        return count(filterCanonical, normalized, BenchmarkProcessors.optedOut());
    }

    /** (c) for FilterOptedOut's input: ConvertRecord of the normalized records. */
    @Benchmark
    public long convertRecordOfNormalizedInput() {
        return count(convert, normalized, SUCCESS);
    }

    /** (d) the physical floor: Jackson streaming parse and write of the same records. */
    @Benchmark
    public long jacksonFloor() {
        final JsonFactory factory = new JsonFactory();
        final ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        long records = 0;
        try (JsonParser parser = factory.createParser(raw); JsonGenerator generator = factory.createGenerator(out)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalStateException("not a JSON array");
            }
            generator.writeStartArray();
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                generator.copyCurrentStructure(parser);
                records++;
            }
            generator.writeEndArray();
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
        return records;
    }

    private static TestRunner runner(final Processor processor) {
        final TestRunner runner = TestRunners.newTestRunner(processor);
        try {
            runner.addControllerService("reader", new JsonTreeReader());
            runner.addControllerService("writer", new JsonRecordSetWriter());
        } catch (final InitializationException e) {
            throw new IllegalStateException(e);
        }
        runner.enableControllerService(runner.getControllerService("reader"));
        runner.enableControllerService(runner.getControllerService("writer"));
        runner.setProperty(byDisplayName(processor, "Record Reader"), "reader");
        runner.setProperty(byDisplayName(processor, "Record Writer"), "writer");
        runner.setValidateExpressionUsage(false);
        return runner;
    }

    /** QueryRecord 2.3.0 still names its properties record-reader / record-writer; the display names are stable. */
    private static PropertyDescriptor byDisplayName(final Processor processor, final String displayName) {
        return processor.getPropertyDescriptors().stream()
                .filter(descriptor -> displayName.equals(descriptor.getDisplayName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(processor.getClass().getSimpleName() + " has no property " + displayName));
    }

    private static List<MockFlowFile> run(final TestRunner runner, final byte[] input, final Relationship relationship) {
        runner.clearTransferState();
        runner.clearProvenanceEvents();
        runner.enqueue(input);
        runner.run();
        final List<MockFlowFile> out = runner.getFlowFilesForRelationship(relationship);
        if (out.isEmpty()) {
            throw new IllegalStateException(runner.getProcessor().getClass().getSimpleName() + " sent nothing to " + relationship.getName());
        }
        return out;
    }

    private static long count(final TestRunner runner, final byte[] input, final Relationship relationship) {
        long records = 0;
        for (final MockFlowFile flowFile : run(runner, input, relationship)) {
            records += Long.parseLong(flowFile.getAttribute("record.count"));
        }
        return records;
    }

    private static byte[] content(final TestRunner runner, final byte[] input, final Relationship relationship) {
        return run(runner, input, relationship).getFirst().toByteArray();
    }
}
