package io.optsync.nifi.connector;

import io.optsync.nifi.optout.OptOutEncoding;

import java.util.List;

/**
 * What a vendor allows and how it encodes opt-out.
 *
 * @param system the vendor, as attributes and audit records name it (for example {@code "SugarCRM"})
 * @param objects the objects the connector reads and writes (for example Contacts and Leads)
 * @param maxBatch the most updates one write call may carry
 * @param requestsPerSecond the vendor's request budget this connector stays under
 * @param encoding how the vendor encodes opt-out (what {@link SourceRecord#optOutValue()} holds)
 * @param writesByEmail whether writes are keyed by e-mail address (no lookup needed), rather than by record id
 * @param ruleFields the vendor fields that hold the opt-out status, the bounce or the address itself: only the decision
 *                   rule writes them, so no field mapping may name them (compared ignoring case; an entry ending in
 *                   {@code *} names every field that starts with it)
 */
public record ConnectorProfile(String system, List<String> objects, int maxBatch, double requestsPerSecond,
                               OptOutEncoding encoding, boolean writesByEmail, java.util.Set<String> ruleFields) {

    public ConnectorProfile {
        ruleFields = java.util.Set.copyOf(ruleFields);
    }

    /** Whether the field is one that only the decision rule writes. */
    public boolean ownsField(final String field) {
        final String name = field.trim().toLowerCase(java.util.Locale.ROOT);
        return ruleFields.stream().map(f -> f.toLowerCase(java.util.Locale.ROOT))
                .anyMatch(f -> f.endsWith("*") ? name.startsWith(f.substring(0, f.length() - 1)) : name.equals(f));
    }
}
