package io.optsync.nifi.connector;

import java.util.Map;

/**
 * A change to one record.
 *
 * @param id the record id ({@code null} for vendors that write by e-mail address)
 * @param email the normalized e-mail address of the record
 * @param optedOut the opt-out status to set ({@code null}: leave it), encoded by the connector in the vendor's form
 * @param fields other fields to set, by the vendor's field name (for example a lead score)
 */
public record FieldUpdate(String id, String email, Boolean optedOut, Map<String, Object> fields) {
    public FieldUpdate {
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }
}
