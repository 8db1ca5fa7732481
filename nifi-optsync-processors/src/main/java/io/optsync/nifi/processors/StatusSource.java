package io.optsync.nifi.processors;

import org.apache.nifi.components.DescribedValue;

/** Where FilterOptedOut reads a record's status from. */
enum StatusSource implements DescribedValue {
    CANONICAL_FIELDS("canonical-fields", "Canonical fields",
            "The opted-out flag and bounce kind that NormalizeOptOutValue wrote. Records pass through unchanged."),
    DECODE_SOURCE_FIELDS("decode-source-fields", "Decode source fields",
            "Decode the source system's opt-out value and e-mail address here, as NormalizeOptOutValue would, and add the canonical "
                    + "fields: normalizing and filtering in one pass.");

    private final String value;
    private final String displayName;
    private final String description;

    StatusSource(final String value, final String displayName, final String description) {
        this.value = value;
        this.displayName = displayName;
        this.description = description;
    }

    @Override
    public String getValue() {
        return value;
    }

    @Override
    public String getDisplayName() {
        return displayName;
    }

    @Override
    public String getDescription() {
        return description;
    }
}
