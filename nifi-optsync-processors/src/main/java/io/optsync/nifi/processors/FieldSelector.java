package io.optsync.nifi.processors;

import org.apache.nifi.record.path.FieldValue;
import org.apache.nifi.record.path.RecordPath;
import org.apache.nifi.serialization.record.Record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Selects a field's value with a RecordPath. A plain top-level path such as {@code /email_opt_out} is read straight
 * from the record (the common case, and the fast one); any other path is evaluated as a RecordPath. An array value,
 * or a path that matches several fields, gives several values.
 */
final class FieldSelector {
    private static final Pattern TOP_LEVEL_FIELD = Pattern.compile("/([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern LAST_NAME = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)[^A-Za-z0-9_]*$");

    private final String path;
    private final String topLevelName;
    private final RecordPath recordPath;
    private final String nameFromPath;

    private FieldSelector(final String path) {
        this.path = path;
        final Matcher matcher = TOP_LEVEL_FIELD.matcher(path);
        if (matcher.matches()) {
            this.topLevelName = matcher.group(1);
            this.recordPath = null;
            this.nameFromPath = topLevelName;
        } else {
            this.topLevelName = null;
            this.recordPath = RecordPath.compile(path);
            final Matcher last = LAST_NAME.matcher(path);
            this.nameFromPath = last.find() ? last.group(1) : path;
        }
    }

    static FieldSelector of(final String path) {
        return new FieldSelector(path.trim());
    }

    String path() {
        return path;
    }

    /**
     * Whether the record's schema has the field the path names at all: when no record of a FlowFile has it, the path is
     * most likely wrong, which is not the same as a record whose field is empty.
     */
    boolean existsIn(final Record record) {
        return topLevelName != null ? record.getSchema().getField(topLevelName).isPresent()
                : recordPath.evaluate(record).getSelectedFields().findAny().isPresent();
    }

    /** What the path selects in one record. */
    Selection select(final Record record) {
        if (topLevelName != null) {
            return Selection.of(topLevelName, record.getValue(topLevelName));
        }
        final List<FieldValue> matches = recordPath.evaluate(record).getSelectedFields().toList();
        if (matches.isEmpty()) {
            return Selection.of(nameFromPath, null);
        }
        final String name = matches.getFirst().getField().getFieldName();
        if (matches.size() == 1) {
            return Selection.of(name, matches.getFirst().getValue());
        }
        final List<Object> values = new ArrayList<>(matches.size());
        for (final FieldValue match : matches) {
            values.add(match.getValue());
        }
        return new Selection(name, null, values);
    }

    /**
     * The value or values a path selected.
     *
     * @param fieldName the name of the selected field (auto-detect reads its meaning from it)
     * @param value the one value selected, when there is exactly one that is not an array
     * @param values the values selected, when there are several or the value is an array; {@code null} otherwise
     */
    record Selection(String fieldName, Object value, List<Object> values) {
        static Selection of(final String fieldName, final Object value) {
            if (value instanceof Object[] array) {
                return new Selection(fieldName, null, Arrays.asList(array));
            }
            return new Selection(fieldName, value, null);
        }

        boolean isMultiple() {
            return values != null;
        }
    }
}
