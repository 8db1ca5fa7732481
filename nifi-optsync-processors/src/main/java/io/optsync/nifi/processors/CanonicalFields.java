package io.optsync.nifi.processors;

import io.optsync.nifi.optout.BounceKind;
import io.optsync.nifi.optout.CanonicalValues;
import io.optsync.nifi.optout.Decoding;
import io.optsync.nifi.optout.OptOutStatus;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The four fields optsync adds to a record: normalized e-mail, opted-out flag ({@code true}, {@code false}, or
 * {@code null} when unknown), bounce kind ({@code NONE}, {@code SOFT}, {@code HARD}) and reason. A record keeps all
 * its own fields; a field of its own with one of these names is replaced. Not thread-safe: one instance per FlowFile.
 */
final class CanonicalFields {
    private final String emailName;
    private final String optedOutName;
    private final String bounceName;
    private final String reasonName;
    private final List<RecordField> fields;
    private final Set<String> nameSet;
    private RecordSchema lastInput;
    private RecordSchema lastExtended;
    private RecordSchema lastChecked;
    private boolean lastCheckedHasFlag;

    /** The names of the four canonical fields, as the processor properties give them. */
    record Names(String email, String optedOut, String bounce, String reason) {
    }

    CanonicalFields(final Names names) {
        this.emailName = names.email();
        this.optedOutName = names.optedOut();
        this.bounceName = names.bounce();
        this.reasonName = names.reason();
        this.fields = List.of(
                new RecordField(emailName, RecordFieldType.STRING.getDataType(), true),
                new RecordField(optedOutName, RecordFieldType.BOOLEAN.getDataType(), true),
                new RecordField(bounceName, RecordFieldType.STRING.getDataType(), true),
                new RecordField(reasonName, RecordFieldType.STRING.getDataType(), true));
        this.nameSet = Set.of(emailName, optedOutName, bounceName, reasonName);
    }


    /** The input schema with the canonical fields added (or put in place of same-named fields). */
    RecordSchema extend(final RecordSchema input) {
        if (input == lastInput) {
            return lastExtended;
        }
        final List<RecordField> extended = new ArrayList<>(input.getFieldCount() + fields.size());
        for (final RecordField field : input.getFields()) {
            if (!nameSet.contains(field.getFieldName())) {
                extended.add(field);
            }
        }
        extended.addAll(fields);
        lastInput = input;
        lastExtended = new SimpleRecordSchema(extended);
        return lastExtended;
    }

    /** A view of the record with the canonical values added; the record's own values are not copied. */
    Record apply(final Record record, final String email, final OptOutStatus status, final BounceKind bounce, final String reason) {
        final Boolean optedOut = switch (status) {
            case OPTED_OUT -> Boolean.TRUE;
            case SUBSCRIBED -> Boolean.FALSE;
            case UNKNOWN -> null;
        };
        final OverlayMap values = new OverlayMap(record.toMap(),
                new String[] {emailName, optedOutName, bounceName, reasonName},
                new Object[] {email, optedOut, bounce.name(), reason});
        return new MapRecord(extend(record.getSchema()), values);
    }

    /**
     * Reads back the status the canonical fields of a record hold, as NormalizeOptOutValue wrote them.
     *
     * @return the status and bounce kind (e-mail and reason as the record holds them), or a failure when the record has
     *         no opted-out field or holds values that are not canonical
     */
    RecordVerdict readBack(final Record record) {
        final RecordSchema schema = record.getSchema();
        if (schema != lastChecked) {
            lastChecked = schema;
            lastCheckedHasFlag = schema.getField(optedOutName).isPresent();
        }
        if (!lastCheckedHasFlag) {
            return new RecordVerdict.Failure("the record has no field '" + optedOutName + "'; run NormalizeOptOutValue before this "
                    + "processor, or set Status Source to decode the source fields", "/" + optedOutName, null);
        }
        final Object flag = record.getValue(optedOutName);
        final Decoding decoding = CanonicalValues.optedOutFlag(flag);
        if (decoding.isUnrecognized()) {
            return new RecordVerdict.Failure("'" + optedOutName + "' must be true, false or empty", "/" + optedOutName, flag);
        }
        final Object bounceValue = record.getValue(bounceName);
        final BounceKind bounce = CanonicalValues.bounceKind(bounceValue);
        if (bounce == null) {
            return new RecordVerdict.Failure("'" + bounceName + "' must be NONE, SOFT, HARD or empty", "/" + bounceName, bounceValue);
        }
        return new RecordVerdict.Canonical(record.getAsString(emailName), decoding.status(), bounce, record.getAsString(reasonName));
    }
}
