package io.optsync.nifi.processors;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FieldSelectorTest {
    private static final RecordSchema LIST_SCHEMA = new SimpleRecordSchema(List.of(
            new RecordField("status", RecordFieldType.STRING.getDataType())));

    private static Record contact() {
        final Map<String, Object> values = new LinkedHashMap<>();
        values.put("email", "a@example.com");
        values.put("tags", new Object[] {"x", "y"});
        values.put("lists", new Object[] {list("2"), list("1")});
        final RecordSchema schema = new SimpleRecordSchema(List.of(
                new RecordField("email", RecordFieldType.STRING.getDataType()),
                new RecordField("tags", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.STRING.getDataType())),
                new RecordField("lists", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.RECORD.getRecordDataType(LIST_SCHEMA)))));
        return new MapRecord(schema, values);
    }

    private static Record list(final String status) {
        return new MapRecord(LIST_SCHEMA, new LinkedHashMap<>(Map.of("status", status)));
    }

    @Test
    void readsTopLevelFieldsDirectly() {
        final FieldSelector.Selection selection = FieldSelector.of(" /email ").select(contact());
        assertThat(selection.fieldName()).isEqualTo("email");
        assertThat(selection.value()).isEqualTo("a@example.com");
        assertThat(selection.isMultiple()).isFalse();
    }

    @Test
    void missingFieldsAreAbsent() {
        assertThat(FieldSelector.of("/nope").select(contact()).value()).isNull();
        final FieldSelector.Selection nested = FieldSelector.of("/lists[0]/nope").select(contact());
        assertThat(nested.value()).isNull();
        assertThat(nested.isMultiple()).isFalse();
    }

    @Test
    void arraysAndMultiFieldPathsGiveSeveralValues() {
        assertThat(FieldSelector.of("/tags").select(contact()).values()).containsExactly("x", "y");
        final FieldSelector.Selection statuses = FieldSelector.of("/lists[*]/status").select(contact());
        assertThat(statuses.values()).containsExactly("2", "1");
        assertThat(statuses.fieldName()).isEqualTo("status");
        assertThat(FieldSelector.of("/lists[1]/status").select(contact()).value()).isEqualTo("1");
    }
}
