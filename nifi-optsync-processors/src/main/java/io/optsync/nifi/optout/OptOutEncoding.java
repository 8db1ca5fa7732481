package io.optsync.nifi.optout;

import java.util.List;

/**
 * The opt-out encodings of the systems optsync connects (see {@code shared/vendor-apis.md} section 1 and
 * {@code vendor-netsuite.md} section 1), each with the values it reads and the value it writes.
 * <p>
 * Reading is lenient about form (case, surrounding spaces, {@code "1"} versus {@code 1} versus {@code true}) and strict
 * about meaning: a value an encoding does not list is unrecognized, never subscribed. Writing is vendor-native:
 * SugarCRM v4_1 stores only {@code "1"} as an opt-out (the string {@code "true"} does not opt anybody out there).
 */
public enum OptOutEncoding {

    SUGARCRM_V4_1("SugarCRM v4_1",
            "SugarCRM 5.x/6.x and SuiteCRM 7 legacy REST: email_opt_out is \"1\" or \"0\"; true/\"True\" seen in exports is read as opted out",
            sugarTable("SugarCRM v4_1"), "1", "0"),

    SUGARCRM_V10("SugarCRM v10",
            "SugarCRM 7+ REST v10: email[].opt_out is a boolean, or \"1\"/\"0\" in Sugar 7 era data",
            sugarTable("SugarCRM v10"), Boolean.TRUE, Boolean.FALSE),

    SALESFORCE("Salesforce",
            "HasOptedOutOfEmail / PersonHasOptedOutOfEmail: true or false (\"1\"/\"0\" from exports)",
            TokenDecoder.named("Salesforce").optedOut("true", "1").subscribed("false", "0").build(),
            Boolean.TRUE, Boolean.FALSE),

    ACT_ON("Act-On",
            "Act-On list membership: the list a row came from (optout, spamcomplaint, hardbounce, optin) or an on-opt-out-list flag",
            TokenDecoder.named("Act-On")
                    .add(OptOutStatus.OPTED_OUT, BounceKind.NONE, "on the opt-out list", "optout", "opt-out", "opt_out", "true")
                    .add(OptOutStatus.OPTED_OUT, BounceKind.NONE, "on the spam-complaint list", "spamcomplaint", "spam")
                    .add(OptOutStatus.UNKNOWN, BounceKind.HARD, "on the hard-bounce list", "hardbounce", "hard-bounce")
                    .add(OptOutStatus.SUBSCRIBED, BounceKind.NONE, "not on the opt-out list", "optin", "opt-in", "false")
                    .build(),
            "optout", "optin"),

    ACTIVECAMPAIGN("ActiveCampaign",
            "contactList.status per list: 0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced, 91 removed; several lists (a list, or \"2,2\"): opted out "
                    + "when unsubscribed from every list still held and active on none",
            TokenDecoder.named("ActiveCampaign")
                    .add(OptOutStatus.UNKNOWN, BounceKind.NONE, "unconfirmed", "0")
                    .add(OptOutStatus.SUBSCRIBED, BounceKind.NONE, "active", "1")
                    .add(OptOutStatus.OPTED_OUT, BounceKind.NONE, "unsubscribed", "2")
                    .add(OptOutStatus.UNKNOWN, BounceKind.HARD, "bounced", "3")
                    .add(OptOutStatus.UNKNOWN, BounceKind.NONE, "removed from the list", "91")
                    .combiner(ActiveCampaignLists::combine)
                    .build(),
            2, 1),

    MAILCHIMP("Mailchimp",
            "member status: subscribed, unsubscribed, cleaned (bounce), pending, transactional, archived",
            TokenDecoder.named("Mailchimp")
                    .subscribed("subscribed")
                    .optedOut("unsubscribed")
                    .add(OptOutStatus.UNKNOWN, BounceKind.HARD, "cleaned (hard bounce or abuse)", "cleaned")
                    .add(OptOutStatus.UNKNOWN, BounceKind.NONE, "pending confirmation, not yet subscribed", "pending")
                    .add(OptOutStatus.UNKNOWN, BounceKind.NONE, "transactional only, never a marketing subscriber", "transactional")
                    .add(OptOutStatus.UNKNOWN, BounceKind.NONE, "archived, no current status", "archived")
                    .build(),
            "unsubscribed", "subscribed"),

    NETSUITE("NetSuite",
            "globalSubscriptionStatus: 1 Soft Opt-In, 2 Soft Opt-Out, 3 Confirmed Opt-In, 4 Confirmed Opt-Out (id, label or SOAP name); "
                    + "writes only the soft statuses",
            TokenDecoder.named("NetSuite")
                    .add(OptOutStatus.SUBSCRIBED, BounceKind.NONE, "soft opt-in", "1", "Soft Opt-In", "_softOptIn")
                    .add(OptOutStatus.OPTED_OUT, BounceKind.NONE, "soft opt-out", "2", "Soft Opt-Out", "_softOptOut")
                    .add(OptOutStatus.SUBSCRIBED, BounceKind.NONE, "confirmed opt-in", "3", "Confirmed Opt-In", "_confirmedOptIn")
                    .add(OptOutStatus.OPTED_OUT, BounceKind.NONE, "confirmed opt-out", "4", "Confirmed Opt-Out", "_confirmedOptOut")
                    .build(),
            "2", "1");

    private final String displayName;
    private final String description;
    private final OptOutDecoder decoder;
    private final Object optedOutValue;
    private final Object subscribedValue;

    OptOutEncoding(final String displayName, final String description, final OptOutDecoder decoder,
                   final Object optedOutValue, final Object subscribedValue) {
        this.displayName = displayName;
        this.description = description;
        this.decoder = decoder;
        this.optedOutValue = optedOutValue;
        this.subscribedValue = subscribedValue;
    }

    private static OptOutDecoder sugarTable(final String name) {
        return TokenDecoder.named(name).optedOut("1", "true").subscribed("0", "false").build();
    }

    public String displayName() {
        return displayName;
    }

    public String description() {
        return description;
    }

    public OptOutDecoder decoder() {
        return decoder;
    }

    /**
     * The value this system stores for the status, as its API must be sent it.
     *
     * @param optedOut {@code true} for the opt-out value, {@code false} for the subscribed one
     * @return a vendor-native value: a string, boolean or number
     */
    public Object encode(final boolean optedOut) {
        return optedOut ? optedOutValue : subscribedValue;
    }

    /** Finds an encoding by its enum name or display name, ignoring case. */
    public static OptOutEncoding forName(final String name) {
        for (final OptOutEncoding encoding : values()) {
            if (encoding.name().equalsIgnoreCase(name) || encoding.displayName.equalsIgnoreCase(name)) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("unknown opt-out encoding: " + name);
    }

    /** ActiveCampaign's rule over several list memberships of one contact. */
    static final class ActiveCampaignLists {
        private ActiveCampaignLists() {
        }

        /**
         * Active on any list: subscribed. Otherwise unsubscribed from at least one list it still holds: opted out.
         * Otherwise bounced on a list: a hard bounce. Otherwise (unconfirmed or removed only): unknown.
         */
        static Decoding combine(final List<?> statuses) {
            final OptOutDecoder single = ACTIVECAMPAIGN.decoder;
            Decoding active = null;
            Decoding unsubscribed = null;
            Decoding bounced = null;
            Decoding other = null;
            for (final Object status : statuses) {
                final Decoding decoding = single.decode(status);
                if (decoding.isUnrecognized()) {
                    return decoding;
                }
                if (decoding.kind() == Decoding.Kind.ABSENT) {
                    continue;
                }
                switch (decoding.status()) {
                    case SUBSCRIBED -> active = decoding;
                    case OPTED_OUT -> unsubscribed = decoding;
                    default -> {
                        if (decoding.bounce() == BounceKind.HARD) {
                            bounced = decoding;
                        } else {
                            other = decoding;
                        }
                    }
                }
            }
            if (active != null) {
                return Decoding.decoded(OptOutStatus.SUBSCRIBED, BounceKind.NONE, "ActiveCampaign: active on at least one of " + statuses.size() + " lists");
            }
            if (unsubscribed != null) {
                return Decoding.decoded(OptOutStatus.OPTED_OUT, bounced != null ? BounceKind.HARD : BounceKind.NONE,
                        "ActiveCampaign: unsubscribed, active on none of " + statuses.size() + " lists");
            }
            if (bounced != null) {
                return Decoding.decoded(OptOutStatus.UNKNOWN, BounceKind.HARD, "ActiveCampaign: bounced, active on none of " + statuses.size() + " lists");
            }
            return other != null ? other : single.decode(null);
        }
    }
}
