package io.optsync.nifi.connector.salesforce;

import io.optsync.nifi.connector.ConnectorException;

import java.util.List;
import java.util.Locale;

/**
 * The objects optsync reads and writes in Salesforce, with the fields that hold the address, the opt-out checkbox and
 * the bounce flag, and the condition that keeps out what cannot be written (converted Leads).
 *
 * @param name the object as the Connector's users name it
 * @param sobject the sObject type in SOQL and in writes
 * @param emailField the address
 * @param optOutField the "Email Opt Out" checkbox
 * @param bounceField set by Salesforce's bounce management: a bounce, not an opt-out
 * @param condition a SOQL condition every read adds, or {@code null}
 */
record SalesforceObject(String name, String sobject, String emailField, String optOutField, String bounceField, String condition) {

    static final SalesforceObject CONTACT = new SalesforceObject("Contact", "Contact", "Email", "HasOptedOutOfEmail", "IsEmailBounced", null);
    static final SalesforceObject LEAD = new SalesforceObject("Lead", "Lead", "Email", "HasOptedOutOfEmail", "IsEmailBounced", "IsConverted = false");
    static final SalesforceObject PERSON_ACCOUNT = new SalesforceObject("PersonAccount", "Account", "PersonEmail", "PersonHasOptedOutOfEmail",
            "PersonIsEmailBounced", "IsPersonAccount = true");
    static final List<SalesforceObject> ALL = List.of(CONTACT, LEAD, PERSON_ACCOUNT);

    static SalesforceObject named(final String name) throws ConnectorException {
        for (final SalesforceObject object : ALL) {
            if (object.name.equalsIgnoreCase(name.trim())) {
                return object;
            }
        }
        throw new ConnectorException("object", "Salesforce objects are Contact, Lead and PersonAccount, not '" + name + "'", false);
    }

    /** The fields every read selects. */
    String fields() {
        return "Id, " + emailField + ", " + optOutField + ", " + bounceField + ", SystemModstamp";
    }

    /** {@code SELECT ... FROM ... WHERE} the given conditions and this object's own, ordered for a stable watermark. */
    String select(final List<String> conditions, final boolean ordered) {
        final StringBuilder soql = new StringBuilder("SELECT ").append(fields()).append(" FROM ").append(sobject);
        final List<String> all = new java.util.ArrayList<>(conditions);
        if (condition != null) {
            all.add(condition);
        }
        if (!all.isEmpty()) {
            soql.append(" WHERE ").append(String.join(" AND ", all));
        }
        if (ordered) {
            soql.append(" ORDER BY SystemModstamp, Id");
        }
        return soql.toString();
    }

    /** A SOQL string literal: quotes and backslashes escaped, as SOQL requires. */
    static String literal(final String value) {
        final StringBuilder out = new StringBuilder("'");
        for (final char c : value.toCharArray()) {
            switch (c) {
                case '\'' -> out.append("\\'");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    @Override
    public String toString() {
        return name.toLowerCase(Locale.ROOT);
    }
}
