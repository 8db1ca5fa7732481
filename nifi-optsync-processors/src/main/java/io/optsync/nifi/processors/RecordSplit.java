package io.optsync.nifi.processors;

import io.optsync.nifi.optout.TextValues;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.Record;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits the records of one FlowFile by relationship: one child FlowFile per relationship that receives records, and
 * for failed records one child FlowFile per reason and field (its attributes name them, with the value and index of its
 * first record), or, when asked, one per failed record.
 * Records for a relationship that is auto-terminated are counted but not written. Nothing reaches the session's
 * relationships until {@link #finish()}; {@link #discard()} removes every child.
 */
final class RecordSplit {
    private final ProcessSession session;
    private final FlowFile original;
    private final RecordSetWriterFactory writerFactory;
    private final Relationship failure;
    private final Set<Relationship> skipped;
    private final Set<Relationship> penalized;
    private final Map<Relationship, FlowFile> transferred = new LinkedHashMap<>();
    private final ComponentLog logger;
    private final Map<Relationship, Child> children = new LinkedHashMap<>();
    private final Map<Relationship, Long> counts = new LinkedHashMap<>();
    private final List<FlowFile> failed = new ArrayList<>();
    private final Map<Relationship, Map<String, String>> extraAttributes = new HashMap<>();
    private final boolean failurePerRecord;
    /** The failed records' children by reason and field. */
    private final Map<List<String>, FailureGroup> failureGroups = new LinkedHashMap<>();
    private Relationship lastRelationship;
    private Child lastChild;

    /** The child of one reason and field, and the failure attributes of its first record. */
    private record FailureGroup(Child child, Map<String, String> attributes) {
    }

    private static final class Child {
        private FlowFile flowFile;
        private final RecordSetWriter writer;

        private Child(final FlowFile flowFile, final RecordSetWriter writer) {
            this.flowFile = flowFile;
            this.writer = writer;
        }
    }

    RecordSplit(final ProcessSession session, final FlowFile original, final RecordSetWriterFactory writerFactory,
                final Relationship failure, final Set<Relationship> skipped, final ComponentLog logger) {
        this(session, original, writerFactory, failure, skipped, Set.of(), false, logger);
    }

    /**
     * @param penalized relationships whose child FlowFiles are penalized (a retry relationship), besides failure
     * @param failurePerRecord whether each failed record leaves in a FlowFile of its own, rather than with the others of its reason
     */
    RecordSplit(final ProcessSession session, final FlowFile original, final RecordSetWriterFactory writerFactory,
                final Relationship failure, final Set<Relationship> skipped, final Set<Relationship> penalized, final boolean failurePerRecord,
                final ComponentLog logger) {
        this.failurePerRecord = failurePerRecord;
        this.session = session;
        this.original = original;
        this.writerFactory = writerFactory;
        this.failure = failure;
        this.skipped = skipped;
        this.penalized = penalized;
        this.logger = logger;
    }

    /** Writes a record to the child FlowFile of a relationship, creating it on its first record. */
    void write(final Relationship relationship, final Record record) throws IOException, SchemaNotFoundException {
        if (relationship != lastRelationship) {
            lastRelationship = relationship;
            lastChild = skipped.contains(relationship) ? null : children.get(relationship);
            if (lastChild == null && !skipped.contains(relationship)) {
                lastChild = open(record);
                children.put(relationship, lastChild);
            }
        }
        counts.merge(relationship, 1L, Long::sum);
        if (lastChild != null) {
            lastChild.writer.write(record);
        }
    }

    /**
     * Says why records go to a relationship other than failure (a retry): the child FlowFile carries the last reason
     * given in {@code optsync.retry.reason}.
     */
    void reason(final Relationship relationship, final String reason) {
        attribute(relationship, OptOutAttributes.RETRY_REASON, reason);
    }

    /** Sets an attribute on the child FlowFile of a relationship (the last value given wins). */
    void attribute(final Relationship relationship, final String name, final String value) {
        extraAttributes.computeIfAbsent(relationship, r -> new HashMap<>()).put(name, value);
    }

    /**
     * Writes a failed record with the others of its reason and field (the FlowFile's attributes name them, with the value
     * and index of its first record), or to a FlowFile of its own.
     */
    void fail(final Record record, final long index, final RecordVerdict.Failure problem) throws IOException, SchemaNotFoundException {
        counts.merge(failure, 1L, Long::sum);
        if (!failurePerRecord) {
            final List<String> key = java.util.Arrays.asList(problem.reason(), problem.field());
            FailureGroup group = failureGroups.get(key);
            if (group == null) {
                group = new FailureGroup(open(record), failureAttributes(problem.reason(), problem.field(), TextValues.display(problem.value()), index));
                failureGroups.put(key, group);
            }
            group.child().writer.write(record);
            return;
        }
        final Child child = open(record);
        final Map<String, String> attributes;
        try {
            child.writer.write(record);
            attributes = complete(child);
        } catch (final IOException | RuntimeException e) {
            session.remove(child.flowFile);
            throw e;
        }
        attributes.putAll(failureAttributes(problem.reason(), problem.field(), TextValues.display(problem.value()), index));
        failed.add(session.putAllAttributes(child.flowFile, attributes));
    }

    /** Ends a child's record set and closes its writer; its attributes say how many records it holds and their MIME type. */
    private static Map<String, String> complete(final Child child) throws IOException {
        final WriteResult result;
        try {
            result = child.writer.finishRecordSet();
        } finally {
            child.writer.close();
        }
        return writeAttributes(result, child.writer.getMimeType());
    }

    /** The attributes that explain a failure; {@code value} and {@code field} may be {@code null}. */
    static Map<String, String> failureAttributes(final String reason, final String field, final String value, final long index) {
        final Map<String, String> attributes = new HashMap<>();
        attributes.put(OptOutAttributes.FAILURE_REASON, reason);
        attributes.put(OptOutAttributes.RECORD_ERROR_MESSAGE, reason);
        if (field != null) {
            attributes.put(OptOutAttributes.FAILURE_FIELD, field);
        }
        if (value != null) {
            attributes.put(OptOutAttributes.FAILURE_VALUE, value);
        }
        attributes.put(OptOutAttributes.FAILURE_RECORD_INDEX, String.valueOf(index));
        return attributes;
    }

    private Child open(final Record firstRecord) throws IOException, SchemaNotFoundException {
        final FlowFile child = session.create(original);
        try {
            final RecordSetWriter writer = writerFactory.createWriter(logger,
                    writerFactory.getSchema(original.getAttributes(), firstRecord.getSchema()), session.write(child), child);
            writer.beginRecordSet();
            return new Child(child, writer);
        } catch (final IOException | SchemaNotFoundException | RuntimeException e) {
            session.remove(child);
            throw e;
        }
    }

    /**
     * Completes every child and transfers it, with a provenance ROUTE event that says how many records went where.
     *
     * @return the number of records per relationship, the failure relationship included
     */
    Map<Relationship, Long> finish() throws IOException {
        for (final Map.Entry<Relationship, Child> entry : children.entrySet()) {
            final Child child = entry.getValue();
            final Map<String, String> attributes = complete(child);
            attributes.putAll(extraAttributes.getOrDefault(entry.getKey(), Map.of()));
            child.flowFile = session.putAllAttributes(child.flowFile, attributes);
            if (penalized.contains(entry.getKey())) {
                child.flowFile = session.penalize(child.flowFile);
            }
            session.transfer(child.flowFile, entry.getKey());
            transferred.put(entry.getKey(), child.flowFile);
            session.getProvenanceReporter().route(child.flowFile, entry.getKey(), attributes.get(OptOutAttributes.RECORD_COUNT) + " records");
        }
        for (final FailureGroup group : failureGroups.values()) {
            final Map<String, String> attributes = complete(group.child());
            attributes.putAll(group.attributes());
            failed.add(session.putAllAttributes(group.child().flowFile, attributes));
        }
        failureGroups.clear();
        for (final FlowFile flowFile : failed) {
            final FlowFile penalized = session.penalize(flowFile);
            session.transfer(penalized, failure);
            session.getProvenanceReporter().route(penalized, failure, penalized.getAttribute(OptOutAttributes.FAILURE_REASON));
        }
        children.clear();
        failed.clear();
        return counts;
    }

    /** The FlowFile being split. */
    FlowFile original() {
        return original;
    }

    /** The child FlowFile {@link #finish()} sent to a relationship, or {@code null}. */
    FlowFile transferred(final Relationship relationship) {
        return transferred.get(relationship);
    }

    /** Closes and removes every child: the input goes elsewhere whole. */
    void discard() {
        for (final Child child : java.util.stream.Stream.concat(failureGroups.values().stream().map(FailureGroup::child), children.values().stream()).toList()) {
            try {
                child.writer.close();
            } catch (final IOException | RuntimeException e) {
                logger.debug("Could not close a record writer being discarded", e);
            }
            session.remove(child.flowFile);
        }
        failureGroups.clear();
        failed.forEach(session::remove);
        children.clear();
        failed.clear();
    }

    private static Map<String, String> writeAttributes(final WriteResult result, final String mimeType) {
        final Map<String, String> attributes = new HashMap<>(result.getAttributes());
        attributes.put(OptOutAttributes.RECORD_COUNT, String.valueOf(result.getRecordCount()));
        attributes.put(CoreAttributes.MIME_TYPE.key(), mimeType);
        return attributes;
    }
}
