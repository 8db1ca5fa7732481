package io.optsync.nifi.connector;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Reading vendor pages without letting one bad record stop a fetch: a page whose shape is wrong (records not an
 * array, no paging marker) is a malformed reply that the same call repeats later; a record that cannot be read (no id,
 * an unreadable date, a wrong type) becomes an {@linkplain SourceRecord#unreadable unreadable record} that goes to
 * failure while the rest of the page goes on.
 */
public final class VendorPages {

    /** Turns one vendor record into source records; throws any runtime exception for a record it cannot read. */
    @FunctionalInterface
    public interface RecordReader {
        List<SourceRecord> read(JsonNode record);
    }

    private VendorPages() {
    }

    /**
     * The array a page holds its records in.
     *
     * @param what names the vendor and the call, for the message
     */
    public static JsonNode records(final JsonNode page, final String field, final String what) throws ConnectorException {
        final JsonNode records = page.path(field);
        if (!records.isArray()) {
            throw malformed(what, "no \"" + field + "\" array in the page");
        }
        return records;
    }

    /** A whole number the page must carry (a paging marker such as {@code next_offset}). */
    public static int whole(final JsonNode page, final String field, final String what) throws ConnectorException {
        final JsonNode value = page.path(field);
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return value.intValue();
        }
        throw malformed(what, "\"" + field + "\" is " + (value.isMissingNode() ? "missing" : "not a whole number: " + cut(value.toString())));
    }

    /** Reads one record; a record {@code reader} cannot read becomes one unreadable record saying why. */
    public static List<SourceRecord> read(final String object, final JsonNode record, final RecordReader reader) {
        try {
            return reader.read(record);
        } catch (final RuntimeException e) {
            final JsonNode id = record.path("id");
            return List.of(SourceRecord.unreadable(object, id.isTextual() ? id.asText() : null, record.toString(),
                    "could not read a " + object + " record: " + e.getMessage()));
        }
    }

    /** Reads a part of a reply that must be readable as a whole (a lookup): anything unreadable makes the reply malformed. */
    public static <T> T orMalformed(final String what, final java.util.function.Supplier<T> reading) throws ConnectorException {
        try {
            return reading.get();
        } catch (final RuntimeException e) {
            throw malformed(what, "a record could not be read: " + e.getMessage());
        }
    }

    /** A text field a record must have, not blank. */
    public static String requiredText(final JsonNode record, final String field) {
        final JsonNode value = record.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + field + "\" is " + (value.isMissingNode() || value.isNull() ? "missing" : "not text: " + cut(value.toString())));
        }
        return value.asText();
    }

    /**
     * The key (modification time, id) of the last record of a page that has one, to ask for the records after it.
     * A page of which no record has a key cannot be paged past: a malformed reply.
     */
    public static Watermark lastKey(final JsonNode page, final java.util.function.Function<JsonNode, Watermark> key, final String what)
            throws ConnectorException {
        for (int i = page.size() - 1; i >= 0; i--) {
            try {
                return key.apply(page.get(i));
            } catch (final RuntimeException e) {
                // an unreadable record went to failure; the one before it may carry the key
            }
        }
        throw malformed(what, "no record of the page has an id and a modification time to page on from");
    }

    /** The watermark after the readable records of a page. */
    public static Watermark later(final Watermark last, final List<SourceRecord> records) {
        Watermark reached = last;
        for (final SourceRecord record : records) {
            if (record.readable()) {
                reached = Watermark.later(reached, record.watermark());
            }
        }
        return reached;
    }

    /** A reply whose shape is wrong: retryable, since the same call may be answered well next time. */
    public static ConnectorException malformed(final String what, final String problem) {
        return new ConnectorException("malformed", what + " answered with a malformed page: " + problem, true);
    }

    private static String cut(final String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
