package io.optsync.nifi.processors;

import io.optsync.nifi.connector.SourceRecord;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one schema every connector's records are written in, whatever the vendor:
 * {@code system, object, id, email, opt_out} (the vendor's own value, as text: NormalizeOptOutValue decodes it),
 * {@code hard_bounce, modified_at} (ISO-8601) and {@code fields} (a map of the vendor's other fields, as text).
 */
final class SourceRecords {
    static final String EMAIL = "email";
    static final String OPT_OUT = "opt_out";
    static final RecordSchema SCHEMA = new SimpleRecordSchema(List.of(
            new RecordField("system", RecordFieldType.STRING.getDataType()),
            new RecordField("object", RecordFieldType.STRING.getDataType()),
            new RecordField("id", RecordFieldType.STRING.getDataType()),
            new RecordField(EMAIL, RecordFieldType.STRING.getDataType()),
            new RecordField(OPT_OUT, RecordFieldType.STRING.getDataType(), true),
            new RecordField("hard_bounce", RecordFieldType.BOOLEAN.getDataType(), true),
            new RecordField("modified_at", RecordFieldType.STRING.getDataType()),
            new RecordField("fields", RecordFieldType.MAP.getMapDataType(RecordFieldType.STRING.getDataType()), true)));

    private SourceRecords() {
    }

    static Record toRecord(final String system, final SourceRecord source) {
        final Map<String, Object> values = new LinkedHashMap<>();
        values.put("system", system);
        values.put("object", source.object());
        values.put("id", source.id());
        values.put(EMAIL, source.email());
        values.put(OPT_OUT, source.optOutValue() == null ? null : source.optOutValue().toString());
        values.put("hard_bounce", source.hardBounce());
        values.put("modified_at", source.modifiedAt().toString());
        final Map<String, Object> fields = new LinkedHashMap<>();
        source.fields().forEach((name, value) -> fields.put(name, value == null ? null : value.toString()));
        values.put("fields", fields);
        return new MapRecord(SCHEMA, values);
    }
}
