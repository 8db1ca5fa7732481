package io.optsync.nifi.processors;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.OptOutConnectorService;
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
import java.util.stream.Collectors;

@PrimaryNodeOnly
@TriggerSerially
@InputRequirement(Requirement.INPUT_FORBIDDEN)
@DefaultSchedule(period = "30 sec")
@Tags({"optsync", "crm", "opt-out", "unsubscribe", "fetch", "incremental", "sugarcrm", "act-on", "salesforce"})
@CapabilityDescription("Reads the records of one object through a connector (SugarCRM, Act-On, ...) and writes them with the Record Writer "
        + "in one schema for every vendor: system, object, id, email, opt_out (the vendor's own value), hard_bounce, modified_at, fields. "
        + "Incremental by default from the watermark in cluster state, read again over an overlap window and de-duplicated by record; "
        + "a full read every Full Resync Interval; and, every Reconciliation Interval, the whole opted-out set, for opt-outs that change no "
        + "modification time. Pages are written as they arrive, never held whole. The new watermark is stored only when the session that "
        + "carries the records commits. Runs on the primary node only, one task at a time.")
@Stateful(scopes = Scope.CLUSTER, description = "object (the object the state belongs to), watermark (the last modification time and id read), "
        + "seen (the records already emitted inside the overlap window), full.last and reconcile.last (when the last full and "
        + "opted-out-set reads ran). Changing Object starts over.")
@WritesAttributes({
    @WritesAttribute(attribute = "optsync.system", description = "The vendor the records come from"),
    @WritesAttribute(attribute = "optsync.object", description = "The object read"),
    @WritesAttribute(attribute = "optsync.fetch.modes", description = "The reads made: incremental or full, and opted-out"),
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
            .description("How often to read every record instead of the changes. Empty: never.")
            .required(false)
            .defaultValue("24 hours")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor RECONCILIATION_INTERVAL = new PropertyDescriptor.Builder()
            .name("Reconciliation Interval")
            .description("How often to read, besides, every record that is opted out now: the only way to see opt-outs that change no "
                    + "modification time. Empty: never.")
            .required(false)
            .defaultValue("1 hour")
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
            OptOutProperties.RECORD_WRITER, PAGE_SIZE, OVERLAP, FULL_RESYNC_INTERVAL, RECONCILIATION_INTERVAL, MAX_RECORDS_PER_FLOWFILE);

    static final String STATE_OBJECT = "object";
    static final String STATE_WATERMARK = "watermark";
    static final String STATE_SEEN = "seen";
    static final String STATE_FULL = "full.last";
    static final String STATE_RECONCILE = "reconcile.last";

    private volatile Clock clock = Clock.systemUTC();

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

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) throws ProcessException {
        final OptOutConnectorService connector = context.getProperty(OptOutProperties.CONNECTOR).asControllerService(OptOutConnectorService.class);
        final String object = context.getProperty(OptOutProperties.OBJECT).getValue().trim();
        final Duration overlap = period(context, OVERLAP);
        final FetchSchedule schedule = new FetchSchedule(period(context, FULL_RESYNC_INTERVAL), period(context, RECONCILIATION_INTERVAL));
        final StateMap state;
        try {
            state = session.getState(Scope.CLUSTER);
        } catch (final IOException e) {
            throw new ProcessException("Could not read the watermark from cluster state", e);
        }
        final boolean sameObject = object.equals(state.get(STATE_OBJECT));
        final Watermark since = sameObject ? Watermark.decode(state.get(STATE_WATERMARK)) : Watermark.START;
        final Instant now = clock.instant();
        final List<FetchMode> modes = schedule.due(now, sameObject ? instant(state.get(STATE_FULL)) : null, sameObject ? instant(state.get(STATE_RECONCILE)) : null);
        final SeenRecords seen = SeenRecords.decode(sameObject ? state.get(STATE_SEEN) : null);
        final String system = connector.profile().system();
        final Output output = new Output(session, context.getProperty(OptOutProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                context.getProperty(MAX_RECORDS_PER_FLOWFILE).asInteger());
        final long started = System.nanoTime();

        Watermark next = since;
        try {
            for (final FetchMode mode : modes) {
                final Watermark from = mode == FetchMode.INCREMENTAL ? since.minus(overlap) : Watermark.START;
                final Watermark reached = connector.fetch(new FetchRequest(object, mode, from, context.getProperty(PAGE_SIZE).asInteger()), page -> {
                    for (final SourceRecord record : page) {
                        if (!record.readable()) {
                            output.unreadable(system, record);
                            continue;
                        }
                        // every read records what it emitted; only an incremental read skips what the last run emitted
                        if (seen.seenBefore(record) && mode == FetchMode.INCREMENTAL) {
                            continue;
                        }
                        output.write(SourceRecords.toRecord(system, record));
                    }
                });
                if (mode != FetchMode.OPTED_OUT) {
                    next = Watermark.later(next, reached);
                }
            }
        } catch (final ConnectorException e) {
            output.discard();
            getLogger().warn("Reading {} {} failed; nothing emitted, the watermark stays at {} and the next run starts there again: {}",
                    system, object, since.encode(), e.getMessage());
            context.yield();
            return;
        }

        final String modeNames = modes.stream().map(m -> m.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(","));
        final Map<String, String> attributes = Map.of("optsync.system", system, "optsync.object", object, "optsync.fetch.modes", modeNames,
                "optsync.watermark", next.encode());
        final long records = output.finish(attributes, "optsync:" + system.toLowerCase(Locale.ROOT) + "/" + object,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        final Map<String, String> newState = new HashMap<>();
        newState.put(STATE_OBJECT, object);
        newState.put(STATE_WATERMARK, next.encode());
        newState.put(STATE_SEEN, seen.encode(next.modifiedAt().minus(overlap)));
        newState.put(STATE_FULL, modes.contains(FetchMode.FULL) ? now.toString() : sameObject && state.get(STATE_FULL) != null ? state.get(STATE_FULL) : now.toString());
        final boolean reconciled = modes.contains(FetchMode.OPTED_OUT) || modes.contains(FetchMode.FULL);
        putIfKnown(newState, STATE_RECONCILE, reconciled ? now.toString() : sameObject ? state.get(STATE_RECONCILE) : null);
        try {
            session.setState(newState, Scope.CLUSTER); // published only when the session commits, with the records
        } catch (final IOException e) {
            throw new ProcessException("Could not store the watermark in cluster state", e);
        }
        session.adjustCounter("Records fetched", records, false);
        if (records == 0) {
            context.yield();
        }
    }

    private static void putIfKnown(final Map<String, String> map, final String key, final String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static Duration period(final ProcessContext context, final PropertyDescriptor property) {
        return context.getProperty(property).isSet() ? Duration.ofMillis(context.getProperty(property).asTimePeriod(TimeUnit.MILLISECONDS)) : null;
    }

    private static Instant instant(final String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** The run's FlowFiles: a writer open on the current one, a new one every Max Records Per FlowFile records. */
    private final class Output {
        private final ProcessSession session;
        private final RecordSetWriterFactory writerFactory;
        private final int maxPerFlowFile;
        private final List<FlowFile> done = new ArrayList<>();
        private final List<FlowFile> failed = new ArrayList<>();
        private final List<Map<String, String>> doneAttributes = new ArrayList<>();
        private FlowFile current;
        private RecordSetWriter writer;
        private long total;
        private int inCurrent;

        private Output(final ProcessSession session, final RecordSetWriterFactory writerFactory, final int maxPerFlowFile) {
            this.session = session;
            this.writerFactory = writerFactory;
            this.maxPerFlowFile = maxPerFlowFile;
        }

        void write(final Record record) throws IOException {
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
        void unreadable(final String system, final SourceRecord record) {
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

        long finish(final Map<String, String> attributes, final String transitUri, final long millis) {
            try {
                if (writer != null) {
                    close();
                }
            } catch (final IOException e) {
                discard();
                throw new ProcessException("Could not complete the records read", e);
            }
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
