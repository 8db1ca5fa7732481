package io.optsync.nifi.processors;

import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.MalformedRecordException;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The record loop shared by the optsync record processors: streams the records of a FlowFile through a
 * {@link RecordRouter} into one child FlowFile per relationship and one per failed record, then drops the original.
 * Input that cannot be read at all goes to failure whole, with the reason and the index of the record that could not
 * be read; nothing is written elsewhere for it.
 */
abstract class AbstractOptOutRecordProcessor extends AbstractProcessor {

    /** Sends each record of one FlowFile where it belongs. A new one is made per FlowFile, so it may keep caches. */
    interface RecordRouter {
        void route(Record record, long index, RecordSplit split) throws IOException, SchemaNotFoundException;

        /** Called once after the last record, for routers that work in batches. */
        default void finish(final RecordSplit split) throws IOException, SchemaNotFoundException {
        }

        /**
         * Whether the router has done what cannot be undone (written to a vendor, or recorded a dry run's audit): then
         * an error later in the FlowFile keeps what it routed, its audit records included, and sends the input to
         * failure beside it, instead of discarding the work as if it had not happened.
         */
        default boolean madeChanges() {
            return false;
        }
    }

    /** Where the processors that read a source record's address send the records that hold none. */
    static final Relationship REL_NO_ADDRESS = new Relationship.Builder()
            .name("no address")
            .description("Records with no e-mail address (absent or empty): there is nothing to sync, so they are no failure. They are "
                    + "counted (Records to no address); the templates auto-terminate this relationship, and auto-terminated, they are not "
                    + "even written")
            .build();

    /** Relationships whose child FlowFiles are penalized besides failure; none by default. */
    protected Set<Relationship> penalizedRelationships() {
        return Set.of();
    }

    /** Called with the completed split, after its children are transferred and before the original is removed. */
    protected void completed(final ProcessSession session, final RecordSplit split) {
    }

    protected abstract Relationship failureRelationship();

    /**
     * The router every optsync record processor uses: reads a record's verdict, fails the record with its reason, or
     * writes it to the relationship its canonical values choose.
     *
     * @param read reads the verdict of a record
     * @param relationship picks the relationship for a readable record
     * @param canonical adds the canonical fields to the record written, or {@code null} to write the record unchanged
     */
    static RecordRouter router(final Function<Record, RecordVerdict> read, final Function<RecordVerdict.Canonical, Relationship> relationship,
                               final CanonicalFields canonical) {
        return (record, index, split) -> {
            final RecordVerdict verdict = read.apply(record);
            if (verdict instanceof RecordVerdict.Canonical c) {
                split.write(relationship.apply(c), canonical == null ? record : canonical.apply(record, c.email(), c.status(), c.bounce(), c.reason()));
            } else if (verdict instanceof RecordVerdict.NoAddress) {
                split.write(REL_NO_ADDRESS, record);
            } else {
                split.fail(record, index, (RecordVerdict.Failure) verdict);
            }
        };
    }

    protected abstract RecordRouter newRouter();

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) throws ProcessException {
        final FlowFile flowFile = session.get();
        if (flowFile == null) {
            return;
        }
        final RecordReaderFactory readerFactory = context.getProperty(OptOutProperties.RECORD_READER).asControllerService(RecordReaderFactory.class);
        final RecordSetWriterFactory writerFactory = context.getProperty(OptOutProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class);
        final RecordRouter router = newRouter();
        final boolean failurePerRecord = OptOutProperties.FAILED_BY_RECORD.getValue().equals(context.getProperty(OptOutProperties.FAILURE_GRANULARITY).getValue());
        final RecordSplit split = new RecordSplit(session, flowFile, writerFactory, failureRelationship(), relationshipsNotWritten(context),
                penalizedRelationships(), failurePerRecord, getLogger());

        long index = 0;
        try (InputStream in = session.read(flowFile);
             RecordReader reader = readerFactory.createRecordReader(flowFile, in, getLogger())) {
            Record record;
            while ((record = reader.nextRecord()) != null) {
                router.route(record, index, split);
                index++;
            }
            if (index == 0 && !emptyRecordSet(session, flowFile)) {
                // a JSON scalar or an array of numbers reads as no record: its content must not vanish as an empty success
                throw new MalformedRecordException("the Record Reader found no record in " + flowFile.getSize() + " bytes of content");
            }
            router.finish(split);
        } catch (final IOException | MalformedRecordException | SchemaNotFoundException | RuntimeException e) {
            if (router.madeChanges()) {
                keepWorkDone(session, split, flowFile, index, e);
            } else {
                split.discard();
                failWhole(session, flowFile, index, e);
            }
            return;
        }

        final Map<Relationship, Long> counts;
        try {
            counts = split.finish();
        } catch (final IOException e) {
            throw new ProcessException("Could not complete the records of " + flowFile, e);
        }
        completed(session, split);
        session.remove(flowFile);
        for (final Map.Entry<Relationship, Long> count : counts.entrySet()) {
            session.adjustCounter(OptOutCounters.recordsTo(count.getKey()), count.getValue(), false);
        }
    }

    /**
     * An error after changes were made: what was routed (audit records included) goes on, and the whole input goes to
     * failure with the reason, to be replayed once mended; a replay finds the targets already written and writes them no more.
     */
    private void keepWorkDone(final ProcessSession session, final RecordSplit split, final FlowFile flowFile, final long index, final Exception e) {
        final Map<Relationship, Long> counts;
        try {
            counts = split.finish();
        } catch (final IOException finishing) {
            e.addSuppressed(finishing);
            throw new ProcessException("Could not keep the records of " + flowFile + " routed before record " + index + " failed", e);
        }
        completed(session, split);
        counts.forEach((relationship, count) -> session.adjustCounter(OptOutCounters.recordsTo(relationship), count, false));
        failWhole(session, flowFile, index, e);
    }

    /** Relationships whose records are counted but not written: the auto-terminated ones (never failure). */
    Set<Relationship> relationshipsNotWritten(final ProcessContext context) {
        final Set<Relationship> skipped = new HashSet<>();
        for (final Relationship relationship : getRelationships()) {
            if (!relationship.equals(failureRelationship()) && context.isAutoTerminated(relationship)) {
                skipped.add(relationship);
            }
        }
        return skipped;
    }

    /** Content that holds no record by design: nothing, blanks, or an empty JSON array. */
    private static boolean emptyRecordSet(final ProcessSession session, final FlowFile flowFile) {
        if (flowFile.getSize() == 0) {
            return true;
        }
        if (flowFile.getSize() > 64) {
            return false;
        }
        final byte[] content = new byte[(int) flowFile.getSize()];
        session.read(flowFile, in -> org.apache.nifi.stream.io.StreamUtils.fillBuffer(in, content));
        final String text = new String(content, java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.isEmpty() || text.replaceAll("\\s", "").equals("[]");
    }

    private void failWhole(final ProcessSession session, final FlowFile flowFile, final long index, final Exception e) {
        final String reason = "could not read the records: " + describe(e);
        getLogger().warn("Routing {} to failure: record {} could not be read", flowFile, index, e);
        FlowFile failed = session.putAllAttributes(flowFile, RecordSplit.failureAttributes(reason, null, null, index));
        failed = session.penalize(failed);
        session.transfer(failed, failureRelationship());
    }

    private static String describe(final Throwable e) {
        Throwable cause = e;
        String message = null;
        while (cause != null) {
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
            if (cause.getCause() == cause) {
                break;
            }
            cause = cause.getCause();
        }
        final String text = message != null ? message : e.getClass().getSimpleName();
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
