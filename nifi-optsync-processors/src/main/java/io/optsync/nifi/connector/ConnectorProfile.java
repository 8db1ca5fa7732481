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
 */
public record ConnectorProfile(String system, List<String> objects, int maxBatch, double requestsPerSecond,
                               OptOutEncoding encoding, boolean writesByEmail) {
}
