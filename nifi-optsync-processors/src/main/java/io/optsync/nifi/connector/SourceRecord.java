package io.optsync.nifi.connector;

import java.time.Instant;
import java.util.Map;

/**
 * One record as a vendor holds it, reduced to what opt-out sync needs.
 *
 * @param object the object it belongs to (for example {@code Contacts})
 * @param id the vendor's record id (the address itself for list-based vendors such as Act-On)
 * @param email the e-mail address as the vendor holds it, not normalized
 * @param optOutValue the opt-out value in the vendor's encoding ({@link ConnectorProfile#encoding()})
 * @param hardBounce whether the address hard-bounced, or {@code null} when the vendor does not say
 * @param modifiedAt when the vendor last changed the record
 * @param fields other fields the vendor returned, by name
 * @param problem why the vendor's record could not be read, or {@code null} when it was; an unreadable record
 *                carries the vendor's text under {@code fields.raw} and nothing else is known of it
 */
public record SourceRecord(String object, String id, String email, Object optOutValue, Boolean hardBounce, Instant modifiedAt,
                           Map<String, Object> fields, String problem) {

    public SourceRecord(final String object, final String id, final String email, final Object optOutValue, final Boolean hardBounce,
                        final Instant modifiedAt, final Map<String, Object> fields) {
        this(object, id, email, optOutValue, hardBounce, modifiedAt, fields, null);
    }

    /** A vendor record that could not be read: it goes to failure with {@code problem}, holding the vendor's text. */
    public static SourceRecord unreadable(final String object, final String id, final String raw, final String problem) {
        return new SourceRecord(object, id, null, null, null, null, Map.of("raw", raw), problem);
    }

    public boolean readable() {
        return problem == null;
    }

    /** The watermark just after this record. */
    public Watermark watermark() {
        return new Watermark(modifiedAt, id);
    }
}
