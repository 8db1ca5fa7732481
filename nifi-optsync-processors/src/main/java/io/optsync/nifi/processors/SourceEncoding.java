package io.optsync.nifi.processors;

import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.components.DescribedValue;

/** The choices of the Source Encoding property: auto-detect, a vendor encoding, or a custom value set. */
enum SourceEncoding implements DescribedValue {
    AUTO_DETECT("auto-detect", "Auto-detect",
            "Reads yes/no values in fields whose name says opt-out (email_opt_out, HasOptedOutOfEmail, unsubscribed, do_not_email), "
                    + "NetSuite's globalSubscriptionStatus, and self-describing words (Mailchimp statuses, Act-On list names). "
                    + "Anything ambiguous, such as a 1 in a field called status, goes to failure asking for a named encoding.",
            null),
    SUGARCRM_V4_1("sugarcrm-v4_1", OptOutEncoding.SUGARCRM_V4_1),
    SUGARCRM_V10("sugarcrm-v10", OptOutEncoding.SUGARCRM_V10),
    SALESFORCE("salesforce", OptOutEncoding.SALESFORCE),
    ACT_ON("act-on", OptOutEncoding.ACT_ON),
    ACTIVECAMPAIGN("activecampaign", OptOutEncoding.ACTIVECAMPAIGN),
    MAILCHIMP("mailchimp", OptOutEncoding.MAILCHIMP),
    NETSUITE("netsuite", OptOutEncoding.NETSUITE),
    CUSTOM("custom", "Custom value set",
            "The values in Opted-Out Values mean opted out and those in Subscribed Values mean subscribed (case and surrounding "
                    + "spaces ignored); any other value goes to failure.",
            null);

    private final String value;
    private final String displayName;
    private final String description;
    private final OptOutEncoding encoding;

    SourceEncoding(final String value, final OptOutEncoding encoding) {
        this(value, encoding.displayName(), encoding.description(), encoding);
    }

    SourceEncoding(final String value, final String displayName, final String description, final OptOutEncoding encoding) {
        this.value = value;
        this.displayName = displayName;
        this.description = description;
        this.encoding = encoding;
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

    /** The vendor encoding, or {@code null} for auto-detect and custom. */
    OptOutEncoding encoding() {
        return encoding;
    }

    static SourceEncoding fromValue(final String value) {
        for (final SourceEncoding candidate : values()) {
            if (candidate.value.equals(value)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("unknown source encoding: " + value);
    }
}
