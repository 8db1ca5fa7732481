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
 */
public record SourceRecord(String object, String id, String email, Object optOutValue, Boolean hardBounce, Instant modifiedAt,
                           Map<String, Object> fields) {

    /** The watermark just after this record. */
    public Watermark watermark() {
        return new Watermark(modifiedAt, id);
    }
}
