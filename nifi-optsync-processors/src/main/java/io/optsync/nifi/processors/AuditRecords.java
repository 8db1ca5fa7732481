package io.optsync.nifi.processors;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One audit record per field a push writes, or would write in a dry run: who (the normalized address), from where
 * (source system, object, id, change time), to where (target system, object, id), what (field, old and new value),
 * why (the decision rule's reason), and how it ended (written, failed, retry, dry run), with the run's id.
 */
final class AuditRecords {
    static final RecordSchema SCHEMA = new SimpleRecordSchema(List.of(
            field("run_id"), new RecordField("dry_run", RecordFieldType.BOOLEAN.getDataType()), field("outcome"), field("email"),
            field("source_system"), field("source_object"), field("source_id"), field("source_changed_at"),
            field("target_system"), field("target_object"), field("target_id"),
            field("field"), field("old_value"), field("new_value"), field("reason"), field("audited_at")));

    /** How a change ended. */
    enum Outcome { WRITTEN, FAILED, RETRY, DRY_RUN }

    /** Where a record came from, as FetchCrmRecords writes it; any part may be {@code null}. */
    record Source(String system, String object, String id, String changedAt) {
    }

    /** One field change the decision rule allows. */
    record Change(String field, Object oldValue, Object newValue, String reason) {
    }

    private AuditRecords() {
    }

    private static RecordField field(final String name) {
        return new RecordField(name, RecordFieldType.STRING.getDataType(), true);
    }

    static Record of(final String runId, final boolean dryRun, final Outcome outcome, final String email, final Source source,
                     final String targetSystem, final String targetObject, final String targetId, final Change change, final String detail) {
        final Map<String, Object> values = new LinkedHashMap<>();
        values.put("run_id", runId);
        values.put("dry_run", dryRun);
        values.put("outcome", outcome.name());
        values.put("email", email);
        values.put("source_system", source.system());
        values.put("source_object", source.object());
        values.put("source_id", source.id());
        values.put("source_changed_at", source.changedAt());
        values.put("target_system", targetSystem);
        values.put("target_object", targetObject);
        values.put("target_id", targetId);
        values.put("field", change.field());
        values.put("old_value", change.oldValue() == null ? null : change.oldValue().toString());
        values.put("new_value", change.newValue() == null ? null : change.newValue().toString());
        values.put("reason", detail == null || detail.isEmpty() ? change.reason() : change.reason() + "; " + detail);
        values.put("audited_at", Instant.now().toString());
        return new MapRecord(SCHEMA, values);
    }
}
