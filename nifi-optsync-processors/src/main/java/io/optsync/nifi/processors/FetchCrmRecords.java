package io.optsync.nifi.processors;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.Watermark;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.InputRequirement.Requirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSchedule;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateMap;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.Record;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

@PrimaryNodeOnly
@TriggerSerially
@InputRequirement(Requirement.INPUT_FORBIDDEN)
@DefaultSchedule(period = "30 sec")
@Tags({"optsync", "crm", "opt-out", "unsubscribe", "fetch", "incremental", "sugarcrm", "act-on", "salesforce"})
@CapabilityDescription("Reads the records of one object through a connector (SugarCRM, Act-On, ...) and writes them with the Record Writer "
        + "in one schema for every vendor: system, object, id, email, opt_out (the vendor's own value), hard_bounce, modified_at, fields. "
        + "Every run reads the changes since the watermark in cluster state, read again over an overlap window and de-duplicated by record; "
        + "every Reconciliation Interval, the whole opted-out set, for opt-outs that change no modification time; and every Full Resync "
        + "Interval, every record, in slices of Full Read Time Per Run that each run takes up where the last one stopped. Each read commits "
        + "its records with the state that describes them: one that fails loses nothing another read emitted. Pages are written as they "
        + "arrive, never held whole. Runs on the primary node only, one task at a time.")
@Stateful(scopes = Scope.CLUSTER, description = "object (the object the state belongs to), watermark (the last modification time and id read), "
        + "seen (the records already emitted inside the overlap window), full.last and reconcile.last (when the last full read began and "
        + "the last opted-out-set read ran), full.cursor and full.started (where an unfinished full read goes on, and when it began). "
        + "Changing Object starts over.")
@WritesAttributes({
    @WritesAttribute(attribute = "optsync.system", description = "The vendor the records come from"),
    @WritesAttribute(attribute = "optsync.object", description = "The object read"),
    @WritesAttribute(attribute = "optsync.fetch.mode", description = "The read the records come from: incremental, opted-out or full"),
    @WritesAttribute(attribute = "optsync.watermark", description = "The watermark after this run"),
    @WritesAttribute(attribute = "record.count", description = "The records in the FlowFile"),
    @WritesAttribute(attribute = "mime.type", description = "The Record Writer's MIME type"),
    @WritesAttribute(attribute = "optsync.failure.reason", description = "On failure: why the vendor's record could not be read"),
    @WritesAttribute(attribute = "optsync.id", description = "On failure: the vendor's record id, when the record had one")
})
@SeeAlso({NormalizeOptOutValue.class, FilterOptedOut.class, PushCrmFieldUpdates.class})
@UseCase(
        description = "Read SugarCRM contacts whose opt-out may have changed, every 30 seconds.",
        keywords = {"sugarcrm", "incremental", "opt-out"},
        configuration = """
                Set "Connector" to a SugarCrmConnectorService and "Object" to Contacts.
                Keep the defaults: incremental reads with a 60 second overlap, a full read every 24 hours, the opted-out set every hour
                (it finds opt-outs made through Sugar's campaign unsubscribe link, which do not change date_modified).
                Connect "success" to NormalizeOptOutValue with "Opt-Out Field" /opt_out and "E-mail Field" /email.
                """)
public class FetchCrmRecords extends AbstractProcessor {

    static final PropertyDescriptor PAGE_SIZE = new PropertyDescriptor.Builder()
            .name("Page Size")
            .description("Records per vendor call, within the vendor's own maximum.")
            .required(true)
            .defaultValue("200")
            .addValidator(StandardValidators.createLongValidator(1, 2000, true))
            .build();

    static final PropertyDescriptor OVERLAP = new PropertyDescriptor.Builder()
            .name("Overlap Window")
            .description("How far before the watermark an incremental read starts, to catch records saved late with an earlier time; "
                    + "records already emitted are not emitted again.")
            .required(true)
            .defaultValue("60 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor FULL_RESYNC_INTERVAL = new PropertyDescriptor.Builder()
            .name("Full Resync Interval")
            .description("How often to read every record besides the changes, from the time the last full read began. 0 sec: never.")
            .required(false)
            .defaultValue("24 hours")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor FULL_READ_TIME = new PropertyDescriptor.Builder()
            .name("Full Read Time Per Run")
            .description("How long one run goes on with a full read. Then the run commits what it read with where it stopped, and the next "
                    + "run reads the changes first and goes on from there: a full read of a million records never holds back the changes "
                    + "made meanwhile, and a failure in the middle of one loses only what was read since its last commit.")
            .required(true)
            .defaultValue("1 min")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor RECONCILIATION_INTERVAL = new PropertyDescriptor.Builder()
            .name("Reconciliation Interval")
            .description("How often to read, besides, every record that is opted out now: the only way to see opt-outs that change no "
                    + "modification time. 0 sec: never.")
            .required(false)
            .defaultValue("1 hour")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor QUIET_READ_INTERVAL = new PropertyDescriptor.Builder()
            .name("Quiet Read Interval")
            .description("Adaptive polling: while the reads of changes find none, the time between them doubles from 30 sec up to this, and "
                    + "the first read that finds a change brings it back to every run. It saves vendor calls at the cost of latency: a change "
                    + "made after a quiet spell waits up to this long. Full reads and opted-out reads keep their own intervals. "
                    + "0 sec: read on every run.")
            .required(true)
            .defaultValue("0 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_RECORDS_PER_FLOWFILE = new PropertyDescriptor.Builder()
            .name("Max Records Per FlowFile")
            .description("A run's records are split into FlowFiles of at most this many records.")
            .required(true)
            .defaultValue("10000")
            .addValidator(StandardValidators.createLongValidator(1, Integer.MAX_VALUE, true))
            .build();

    static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("The records read")
            .build();

    static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("Vendor records that could not be read (no id, an unreadable date, a wrong type): one FlowFile each, holding the "
                    + "vendor's JSON as it came, with the reason in optsync.failure.reason. The rest of the page goes on; a page that is "
                    + "malformed as a whole emits nothing and is read again on the next run.")
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(OptOutProperties.CONNECTOR, OptOutProperties.OBJECT,
            OptOutProperties.RECORD_WRITER, PAGE_SIZE, OVERLAP, FULL_RESYNC_INTERVAL, FULL_READ_TIME, RECONCILIATION_INTERVAL,
            QUIET_READ_INTERVAL, MAX_RECORDS_PER_FLOWFILE);

    static final String STATE_OBJECT = "object";
    static final String STATE_WATERMARK = "watermark";
    static final String STATE_SEEN = "seen";
    static final String STATE_FULL = "full.last";
    static final String STATE_RECONCILE = "reconcile.last";
    static final String STATE_FULL_CURSOR = "full.cursor";
    static final String STATE_FULL_STARTED = "full.started";

    private volatile Clock clock = Clock.systemUTC();
    private volatile QuietBackOff backOff = new QuietBackOff(Duration.ZERO);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of(REL_SUCCESS, REL_FAILURE);
    }

    void setClock(final Clock clock) {
        this.clock = clock;
    }

    @OnScheduled
    public void onScheduled(final ProcessContext context) {
        final Duration quiet = period(context, QUIET_READ_INTERVAL);
        backOff = new QuietBackOff(quiet == null ? Duration.ZERO : quiet);
    }

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) throws ProcessException {
        final OptOutConnectorService connector = context.getProperty(OptOutProperties.CONNECTOR).asControllerService(OptOutConnectorService.class);
        final String object = context.getProperty(OptOutProperties.OBJECT).getValue().trim();
        final FetchSchedule schedule = new FetchSchedule(interval(context, FULL_RESYNC_INTERVAL), interval(context, RECONCILIATION_INTERVAL));
        final Map<String, String> state = new HashMap<>();
        try {
            final StateMap stored = session.getState(Scope.CLUSTER);
            if (object.equals(stored.get(STATE_OBJECT))) {
                state.putAll(stored.toMap());
            }
        } catch (final IOException e) {
            throw new ProcessException("Could not read the watermark from cluster state", e);
        }
        state.put(STATE_OBJECT, object);
        final Instant now = clock.instant();
        final List<FetchMode> modes = schedule.due(now, instant(state.get(STATE_FULL)), instant(state.get(STATE_RECONCILE)), state.containsKey(STATE_FULL_CURSOR));
        if (!modes.contains(FetchMode.FULL)) {
            state.remove(STATE_FULL_CURSOR); // full reads were turned off: one that stopped is not taken up again
            state.remove(STATE_FULL_STARTED);
            state.putIfAbsent(STATE_FULL, now.toString());
        }
        if (!state.containsKey(STATE_WATERMARK) && modes.contains(FetchMode.FULL)) {
            // the first run: the full read is the initial load, and the incremental reads of the next runs take the changes
            // from now on (a full read sees every change made after it began, or those runs do)
            state.put(STATE_WATERMARK, new Watermark(now, "").encode());
            modes.remove(FetchMode.INCREMENTAL);
        }
        if (modes.equals(List.of(FetchMode.INCREMENTAL)) && backOff.skip(now)) {
            return; // quiet: no change in the last reads, and no full or opted-out read due
        }
        final Run run = new Run(context, session, connector, object, SeenRecords.decode(state.get(STATE_SEEN)), state);
        boolean failed = false;
        for (final FetchMode mode : modes) {
            try {
                switch (mode) {
                    case INCREMENTAL -> run.incremental(Watermark.decode(state.get(STATE_WATERMARK)));
                    case OPTED_OUT -> run.optedOut(now);
                    case FULL -> run.full(now);
                }
            } catch (final ConnectorException e) {
                failed = true;
                if (e.isConnectionFailure() && !e.isRetryable()) { // a sign-in, session or permission refused: the user must act
                    getLogger().error("{} refused the connection ({}) for the {} read of {}: mend the connector service's settings; the read "
                            + "goes on from where it stopped once it is mended: {}", run.system, e.code(), name(mode), object, e.getMessage());
                } else {
                    getLogger().warn("The {} read of {} {} failed; what it had not committed is discarded and read again on the next run, "
                            + "the other reads go on: {}", name(mode), run.system, object, e.getMessage());
                }
            }
        }
        if (!failed) {
            backOff.read(now, run.emitted > 0);
        }
        if (failed || run.emitted == 0) {
            context.yield();
        }
    }

    private static String name(final FetchMode mode) {
        return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * One run's reads. Each commits its records with the state that describes them, so a read that fails loses only
     * its own uncommitted records, and a full read commits as it goes and, after Full Read Time Per Run, stops at a
     * page it can go on from.
     */
    private final class Run {
        private final ProcessContext context;
        private final ProcessSession session;
        private final OptOutConnectorService connector;
        private final String object;
        private final String system;
        private final SeenRecords seen;
        private final Map<String, String> state;
        private final Duration overlap;
        private final int pageSize;
        private long emitted;

        private Run(final ProcessContext context, final ProcessSession session, final OptOutConnectorService connector, final String object,
                    final SeenRecords seen, final Map<String, String> state) {
            this.context = context;
            this.session = session;
            this.connector = connector;
            this.object = object;
            this.system = connector.profile().system();
            this.seen = seen;
            this.state = state;
            this.overlap = period(context, OVERLAP);
            this.pageSize = context.getProperty(PAGE_SIZE).asInteger();
        }

        void incremental(final Watermark since) throws ConnectorException {
            final Output output = output();
            final Watermark reached = fetch(() -> output, new FetchRequest(object, FetchMode.INCREMENTAL, since.minus(overlap), pageSize), page -> {
                for (final SourceRecord record : page) {
                    // only an incremental read skips what an earlier one emitted: the overlap is read again on purpose
                    if (!record.readable() || !seen.seenBefore(record)) { // seenBefore remembers it too
                        output.add(record);
                    }
                }
            });
            state.put(STATE_WATERMARK, Watermark.later(since, reached).encode());
            commit(output, FetchMode.INCREMENTAL);
        }

        void optedOut(final Instant now) throws ConnectorException {
            final Output output = output();
            fetch(() -> output, new FetchRequest(object, FetchMode.OPTED_OUT, Watermark.START, pageSize), page -> {
                for (final SourceRecord record : page) {
                    output.addSeen(record);
                }
            });
            state.put(STATE_RECONCILE, now.toString());
            commit(output, FetchMode.OPTED_OUT);
        }

        /** A read whose uncommitted records ({@code pending}'s, when it fails) are dropped when it fails. */
        private Watermark fetch(final java.util.function.Supplier<Output> pending, final FetchRequest request, final PageHandler pages)
                throws ConnectorException {
            try {
                return connector.fetch(request, pages);
            } catch (final ConnectorException e) {
                pending.get().discard();
                throw e;
            }
        }

        void full(final Instant now) throws ConnectorException {
            final Instant began = instant(state.getOrDefault(STATE_FULL_STARTED, now.toString()));
            state.put(STATE_FULL_STARTED, began.toString());
            state.putIfAbsent(STATE_RECONCILE, began.toString()); // the initial load: the opted-out reads come an interval after it began
            final long slice = context.getProperty(FULL_READ_TIME).asTimePeriod(TimeUnit.NANOSECONDS);
            final long startedAt = System.nanoTime();
            final int perFlowFile = context.getProperty(MAX_RECORDS_PER_FLOWFILE).asInteger();
            final Output[] output = {output()};
            final boolean[] stopped = {false};
            fetch(() -> output[0], new FetchRequest(object, FetchMode.FULL, Watermark.START, pageSize, state.get(STATE_FULL_CURSOR)), new PageHandler() {
                @Override
                public void accept(final List<SourceRecord> page) throws IOException {
                    for (final SourceRecord record : page) {
                        output[0].addSeen(record);
                    }
                }

                @Override
                public boolean resumable(final String cursor) {
                    stopped[0] = System.nanoTime() - startedAt >= slice;
                    if (stopped[0] || output[0].count() >= perFlowFile) { // what was read so far is committed with where to go on
                        state.put(STATE_FULL_CURSOR, cursor);
                        commit(output[0], FetchMode.FULL);
                        output[0] = output();
                    }
                    return !stopped[0];
                }
            });
            if (!stopped[0]) { // read to the end: the interval runs from when it began, and it stands for a reconciliation
                state.remove(STATE_FULL_CURSOR);
                state.remove(STATE_FULL_STARTED);
                state.put(STATE_FULL, began.toString());
                if (instant(state.get(STATE_RECONCILE)).isBefore(began)) { // set when it began, at the latest
                    state.put(STATE_RECONCILE, began.toString());
                }
                session.adjustCounter("Full reads completed", 1, false); // counted when the session commits, with the read's last records
            }
            commit(output[0], FetchMode.FULL);
        }

        private Output output() {
            return new Output(session, context.getProperty(OptOutProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                    context.getProperty(MAX_RECORDS_PER_FLOWFILE).asInteger(), system, seen);
        }

        /** The read's records leave with the state that describes them, in one commit. */
        private void commit(final Output output, final FetchMode mode) {
            final Watermark watermark = Watermark.decode(state.get(STATE_WATERMARK));
            final Map<String, String> attributes = Map.of("optsync.system", system, "optsync.object", object, "optsync.fetch.mode", name(mode),
                    "optsync.watermark", watermark.encode());
            final long records = output.finish(attributes, connector.transitUri(object, false));
            state.put(STATE_SEEN, seen.encode(watermark.modifiedAt().minus(overlap)));
            try {
                session.setState(state, Scope.CLUSTER); // published only when the session commits, with the records
            } catch (final IOException e) {
                throw new ProcessException("Could not store the watermark in cluster state", e);
            }
            session.adjustCounter("Records fetched", records, false);
            session.commitAsync();
            emitted += records;
        }
    }

    /** An interval property: {@code null} (never) when it is 0, as NiFi puts a property's default back when it is emptied. */
    private static Duration interval(final ProcessContext context, final PropertyDescriptor property) {
        final Duration interval = period(context, property);
        return interval == null || interval.isZero() ? null : interval;
    }

    private static Duration period(final ProcessContext context, final PropertyDescriptor property) {
        return context.getProperty(property).isSet() ? Duration.ofMillis(context.getProperty(property).asTimePeriod(TimeUnit.MILLISECONDS)) : null;
    }

    private static Instant instant(final String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** One read's FlowFiles: a writer open on the current one, a new one every Max Records Per FlowFile records. */
    private final class Output {
        private final ProcessSession session;
        private final RecordSetWriterFactory writerFactory;
        private final int maxPerFlowFile;
        private final String system;
        private final SeenRecords seen;
        private final long started = System.nanoTime();
        private final List<FlowFile> done = new ArrayList<>();
        private final List<FlowFile> failed = new ArrayList<>();
        private final List<Map<String, String>> doneAttributes = new ArrayList<>();
        private FlowFile current;
        private RecordSetWriter writer;
        private long total;
        private int inCurrent;

        private Output(final ProcessSession session, final RecordSetWriterFactory writerFactory, final int maxPerFlowFile, final String system,
                       final SeenRecords seen) {
            this.session = session;
            this.writerFactory = writerFactory;
            this.maxPerFlowFile = maxPerFlowFile;
            this.system = system;
            this.seen = seen;
        }

        /** Writes a record, or sends an unreadable one to failure. */
        void add(final SourceRecord record) throws IOException {
            if (record.readable()) {
                write(SourceRecords.toRecord(system, record));
            } else {
                unreadable(record);
            }
        }

        /** As {@link #add}, and remembers the record so that the next incremental read does not emit it again. */
        void addSeen(final SourceRecord record) throws IOException {
            if (record.readable()) {
                seen.seenBefore(record);
            }
            add(record);
        }

        long count() {
            return total;
        }

        private void write(final Record record) throws IOException {
            if (writer == null) {
                current = session.create();
                try {
                    writer = writerFactory.createWriter(getLogger(), writerFactory.getSchema(Map.of(), SourceRecords.SCHEMA), session.write(current), current);
                } catch (final SchemaNotFoundException e) {
                    throw new IOException(e);
                }
                writer.beginRecordSet();
            }
            writer.write(record);
            total++;
            if (++inCurrent == maxPerFlowFile) {
                close();
            }
        }

        private void close() throws IOException {
            final WriteResult result = writer.finishRecordSet();
            final Map<String, String> attributes = new HashMap<>(result.getAttributes());
            attributes.put(OptOutAttributes.RECORD_COUNT, String.valueOf(result.getRecordCount()));
            attributes.put(CoreAttributes.MIME_TYPE.key(), writer.getMimeType());
            writer.close();
            writer = null;
            inCurrent = 0;
            done.add(current);
            doneAttributes.add(attributes);
            current = null;
        }

        /** One FlowFile to failure for a vendor record that could not be read, holding the vendor's text. */
        private void unreadable(final SourceRecord record) {
            FlowFile flowFile = session.write(session.create(), out -> out.write(String.valueOf(record.fields().get("raw")).getBytes(StandardCharsets.UTF_8)));
            final Map<String, String> attributes = new HashMap<>();
            attributes.put("optsync.system", system);
            attributes.put("optsync.object", record.object());
            attributes.put(OptOutAttributes.FAILURE_REASON, record.problem());
            attributes.put(CoreAttributes.MIME_TYPE.key(), "application/json");
            if (record.id() != null) {
                attributes.put("optsync.id", record.id());
            }
            flowFile = session.putAllAttributes(flowFile, attributes);
            failed.add(flowFile);
            getLogger().warn("A {} {} record could not be read and goes to failure: {}", system, record.object(), record.problem());
        }

        long finish(final Map<String, String> attributes, final String transitUri) {
            try {
                if (writer != null) {
                    close();
                }
            } catch (final IOException e) {
                discard();
                throw new ProcessException("Could not complete the records read", e);
            }
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            for (int i = 0; i < done.size(); i++) {
                FlowFile flowFile = session.putAllAttributes(done.get(i), doneAttributes.get(i));
                flowFile = session.putAllAttributes(flowFile, attributes);
                session.getProvenanceReporter().receive(flowFile, transitUri, millis);
                session.transfer(flowFile, REL_SUCCESS);
            }
            for (final FlowFile flowFile : failed) {
                session.getProvenanceReporter().receive(flowFile, transitUri, "could not be read: " + flowFile.getAttribute(OptOutAttributes.FAILURE_REASON), millis);
                session.transfer(flowFile, REL_FAILURE);
            }
            return total;
        }

        void discard() {
            if (writer != null) {
                try {
                    writer.close();
                } catch (final IOException | RuntimeException e) {
                    getLogger().debug("Could not close a writer being discarded", e);
                }
                session.remove(current);
            }
            done.forEach(session::remove);
            failed.forEach(session::remove);
        }
    }
}
