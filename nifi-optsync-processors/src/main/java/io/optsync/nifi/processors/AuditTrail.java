package io.optsync.nifi.processors;

import org.apache.nifi.processor.Relationship;
import org.apache.nifi.record.sink.RecordSinkService;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.record.ListRecordSet;
import org.apache.nifi.serialization.record.Record;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a push's audit records go. Without a Record Sink they are written to the audit relationship as they come.
 * With one, the records of each written batch are held and sent to the sink together ({@link #deliver}), before the
 * FlowFile's session commits; when the sink cannot take them, they go to the audit relationship instead, marked with
 * the sink's reason, so no audit record is lost, and the first failure of the run is kept for its bulletin.
 */
final class AuditTrail {
    /** On audit FlowFiles that the Audit Record Sink could not take: why. */
    static final String SINK_FAILURE = "optsync.audit.sink.failure";

    private final RecordSinkService sink;
    private final Relationship relationship;
    private final List<Record> held = new ArrayList<>();
    private long sent;
    private Exception sinkFailure;

    /**
     * @param sink the Audit Record Sink, or {@code null} to write every audit record to {@code relationship}
     * @param relationship the audit relationship
     */
    AuditTrail(final RecordSinkService sink, final Relationship relationship) {
        this.sink = sink;
        this.relationship = relationship;
    }

    /** Takes one audit record: written to the relationship now, or held for the sink. */
    void add(final Record audit, final RecordSplit split) throws IOException, SchemaNotFoundException {
        if (sink == null) {
            split.write(relationship, audit);
        } else {
            held.add(audit);
        }
    }

    /**
     * Sends the records held to the sink, in one call; what the sink refuses goes to the relationship with the reason.
     *
     * @param attributes the input FlowFile's attributes, for the sink's Expression Language (a table per object, say)
     */
    void deliver(final RecordSplit split, final Map<String, String> attributes) throws IOException, SchemaNotFoundException {
        if (held.isEmpty()) {
            return;
        }
        final List<Record> records = List.copyOf(held);
        held.clear();
        try {
            sink.sendData(new ListRecordSet(AuditRecords.SCHEMA, records), attributes, false);
            sent += records.size();
            return;
        } catch (final IOException | RuntimeException e) {
            if (sinkFailure == null) {
                sinkFailure = e;
            }
            split.attribute(relationship, SINK_FAILURE, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        for (final Record record : records) {
            split.write(relationship, record);
        }
    }

    /** The audit records the sink took in this run. */
    long sent() {
        return sent;
    }

    /** The first error of the sink in this run, or {@code null}: its records went to the relationship. */
    Exception sinkFailure() {
        return sinkFailure;
    }

    /** Whether audit records go to a sink rather than to the relationship. */
    boolean toSink() {
        return sink != null;
    }
}
