package io.optsync.it;

import java.util.List;
import java.util.Map;

import static io.optsync.it.FlowBuilder.parameter;

/** The flow definitions in {@code templates/}: every pair of systems optsync ships, and the parameters each side brings. */
final class Templates {
    static final String SUGAR_URL = "SugarCRM Site URL";
    static final String SUGAR_API = "SugarCRM API Version";
    static final String SUGAR_ENCODING = "SugarCRM Opt-Out Encoding";
    static final String SUGAR_USER = "SugarCRM Username";
    static final String SUGAR_PASSWORD = "SugarCRM Password";
    static final String ACTON_URL = "Act-On Base URL";
    static final String ACTON_USER = "Act-On Username";
    static final String ACTON_PASSWORD = "Act-On Password";
    static final String ACTON_CLIENT_ID = "Act-On Client ID";
    static final String ACTON_CLIENT_SECRET = "Act-On Client Secret";
    static final String SF_LOGIN_URL = "Salesforce Login URL";
    static final String SF_AUTHENTICATION = "Salesforce Authentication";
    static final String SF_CLIENT_ID = "Salesforce Client ID";
    static final String SF_CLIENT_SECRET = "Salesforce Client Secret";
    static final String SF_USERNAME = "Salesforce Username";
    static final String SF_PRIVATE_KEY = "Salesforce Private Key";
    static final String SF_REFRESH_TOKEN = "Salesforce Refresh Token";
    static final String AC_URL = "ActiveCampaign Base URL";
    static final String AC_TOKEN = "ActiveCampaign API Token";
    static final String AC_LISTS = "ActiveCampaign Lists";
    static final String MC_API_KEY = "Mailchimp API Key";
    static final String MC_LIST_ID = "Mailchimp List ID";
    static final String MC_BASE_URL = "Mailchimp Base URL";
    static final String NS_HOST = "NetSuite Host";
    static final String NS_ACCOUNT = "NetSuite Account ID";
    static final String NS_CLIENT_ID = "NetSuite Client ID";
    static final String NS_CERTIFICATE_ID = "NetSuite Certificate ID";
    static final String NS_PRIVATE_KEY = "NetSuite Private Key";

    static final String AUDIT_DB_URL = "Audit Database URL";
    static final String AUDIT_DB_DRIVER = "Audit Database Driver Class";
    static final String AUDIT_DB_DRIVER_LOCATION = "Audit Database Driver Location";
    static final String AUDIT_DB_USER = "Audit Database User";
    static final String AUDIT_DB_PASSWORD = "Audit Database Password";
    static final String AUDIT_TABLE = "Audit Table";

    static final String ALLOW_PLAIN_HTTP = "Allow Plain HTTP";

    /** How every template's connectors reach their vendors: https only, unless the user allows plain HTTP for a test system. */
    static final String QUIET_READ_INTERVAL = "Quiet Read Interval";

    /** How every template's connectors reach their vendors (https only, unless the user allows plain HTTP), and how its fetches poll. */
    static final List<Map<String, Object>> CONNECTIVITY_PARAMETERS = List.of(parameter(ALLOW_PLAIN_HTTP, "false", false,
            "true only for a simulator or a test system served over http://: credentials then cross the network in clear"),
            parameter(QUIET_READ_INTERVAL, "0 sec", false, "Every fetch's adaptive polling: while a source is quiet, the time between its reads "
                    + "of changes doubles from 30 sec up to this; the first change brings it back to every 15 sec. 0 sec reads every 15 sec. "
                    + "5 min cut a quiet SugarCRM fetch from 5,811 calls a day to 435 in the connector measures, and a change made after a "
                    + "quiet spell then waits up to 5 min"));

    /** Every template's audit trail: NiFi's DatabaseRecordSink on a DBCPConnectionPool, into the table of docs/optsync_audit.sql. */
    static final List<Map<String, Object>> AUDIT_PARAMETERS = List.of(
            parameter(AUDIT_DB_URL, "jdbc:postgresql://localhost:5432/optsync", false,
                    "The JDBC URL of the database the audit trail goes to (create its table with docs/optsync_audit.sql)"),
            parameter(AUDIT_DB_DRIVER, "org.postgresql.Driver", false, "The JDBC driver's class, for example org.postgresql.Driver"),
            parameter(AUDIT_DB_DRIVER_LOCATION, "", false, "The JDBC driver's jar on every NiFi node, for example /opt/nifi/drivers/postgresql-42.7.7.jar"),
            parameter(AUDIT_DB_USER, "optsync", false, "The database user that inserts the audit rows"),
            parameter(AUDIT_DB_PASSWORD, null, true, "That user's password"),
            parameter(AUDIT_TABLE, "optsync_audit", false, "The audit table"));

    private static final String CONNECTOR = "io.optsync.nifi.connector.";

    static final PairTemplate.Side SUGARCRM = new PairTemplate.Side("SugarCRM", CONNECTOR + "sugarcrm.SugarCrmConnectorService",
            Map.of("Site URL", ref(SUGAR_URL), "API Version", ref(SUGAR_API), "Username", ref(SUGAR_USER), "Password", ref(SUGAR_PASSWORD)),
            List.of(parameter(SUGAR_URL, "https://crm.example.com", false, "The SugarCRM site, e.g. https://crm.example.com"),
                    parameter(SUGAR_API, "v10", false, "v10 (Sugar 7+) or v4_1 (SugarCRM 5.5+/6.x, SuiteCRM 7)"),
                    parameter(SUGAR_ENCODING, "sugarcrm-v10", false, "sugarcrm-v10 with API v10, sugarcrm-v4_1 with API v4_1"),
                    parameter(SUGAR_USER, "", false, "The SugarCRM user the sync signs in as"),
                    parameter(SUGAR_PASSWORD, null, true, "That user's password")),
            List.of("Contacts", "Leads"), ref(SUGAR_ENCODING), false, List.of("Contacts", "Leads"),
            "read the Contacts and Leads changed in SugarCRM (every hour, also the whole opted-out set: the campaign unsubscribe link "
                    + "changes no date_modified)", "opt out every SugarCRM Contact and Lead with that address", null);

    static final PairTemplate.Side ACT_ON = new PairTemplate.Side("Act-On", CONNECTOR + "acton.ActOnConnectorService",
            Map.of("Base URL", ref(ACTON_URL), "Username", ref(ACTON_USER), "Password", ref(ACTON_PASSWORD), "Client ID", ref(ACTON_CLIENT_ID),
                    "Client Secret", ref(ACTON_CLIENT_SECRET)),
            List.of(parameter(ACTON_URL, "https://restapi.actonsoftware.com", false, "Act-On's API; https://api-eu.actonsoftware.com for EU accounts"),
                    parameter(ACTON_USER, "", false, "The Act-On user; it picks the account"),
                    parameter(ACTON_PASSWORD, null, true, "That user's password"),
                    parameter(ACTON_CLIENT_ID, "", false, "The integration's OAuth client id"),
                    parameter(ACTON_CLIENT_SECRET, null, true, "The integration's OAuth client secret")),
            List.of("optout"), "act-on", false, List.of("optout"),
            "read the addresses added to Act-On's opt-out list (hard bounces stay on Act-On's hard-bounce list)",
            "add them to Act-On's account opt-out list (one CSV upload per batch)", null);

    static final PairTemplate.Side SALESFORCE = new PairTemplate.Side("Salesforce", CONNECTOR + "salesforce.SalesforceConnectorService",
            Map.of("Login URL", ref(SF_LOGIN_URL), "Authentication", ref(SF_AUTHENTICATION), "Client ID", ref(SF_CLIENT_ID),
                    "Client Secret", ref(SF_CLIENT_SECRET), "Username", ref(SF_USERNAME), "Private Key", ref(SF_PRIVATE_KEY),
                    "Refresh Token", ref(SF_REFRESH_TOKEN)),
            List.of(parameter(SF_LOGIN_URL, "https://login.salesforce.com", false,
                            "Where tokens are issued: login.salesforce.com, test.salesforce.com, or the org's My Domain (Client Credentials needs it)"),
                    parameter(SF_AUTHENTICATION, "client-credentials", false, "client-credentials, jwt-bearer or refresh-token"),
                    parameter(SF_CLIENT_ID, "", false, "The connected app's consumer key"),
                    parameter(SF_CLIENT_SECRET, null, true, "The connected app's consumer secret (client-credentials, refresh-token)"),
                    parameter(SF_USERNAME, "", false, "The user a JWT is issued for (jwt-bearer)"),
                    parameter(SF_PRIVATE_KEY, null, true, "The connected app certificate's PKCS#8 PEM private key (jwt-bearer)"),
                    parameter(SF_REFRESH_TOKEN, null, true, "A refresh token issued to the connected app (refresh-token)")),
            List.of("Contact", "Lead"), "salesforce", true, List.of("Contact", "Lead"),
            "read the Contacts and Leads changed in Salesforce (on SystemModstamp, which bounce flagging moves too; converted Leads are left out)",
            "tick Email Opt Out (HasOptedOutOfEmail) on every Salesforce Contact and Lead with that address, 200 a request", null);

    static final PairTemplate.Side ACTIVECAMPAIGN = new PairTemplate.Side("ActiveCampaign", CONNECTOR + "activecampaign.ActiveCampaignConnectorService",
            Map.of("Base URL", ref(AC_URL), "API Token", ref(AC_TOKEN), "Lists", ref(AC_LISTS)),
            List.of(parameter(AC_URL, "https://youraccount.api-us1.com", false, "The account's API URL from Settings > Developer"),
                    parameter(AC_TOKEN, null, true, "The API key of the user the sync acts as"),
                    parameter(AC_LISTS, null, false, "The list ids that count, comma-separated; empty: every list a contact is on")),
            List.of("contacts"), "activecampaign", true, List.of("contacts"),
            "read the ActiveCampaign contacts changed, with their list memberships and hard bounces (opted out: unsubscribed from the "
                    + "mapped lists and active on none)", "unsubscribe the contact (status 2) from every mapped ActiveCampaign list it is on", null);

    static final PairTemplate.Side MAILCHIMP = new PairTemplate.Side("Mailchimp", CONNECTOR + "mailchimp.MailchimpConnectorService",
            Map.of("API Key", ref(MC_API_KEY), "List ID", ref(MC_LIST_ID), "Base URL", ref(MC_BASE_URL)),
            List.of(parameter(MC_API_KEY, null, true, "The API key, ending in its data centre (e.g. -us19)"),
                    parameter(MC_LIST_ID, "", false, "The audience (list) id"),
                    parameter(MC_BASE_URL, null, false, "Leave empty: https://<data centre>.api.mailchimp.com (set only for a proxy)")),
            List.of("members"), "mailchimp", true, List.of("members"),
            "read the Mailchimp members changed (unsubscribed is opted out, cleaned a hard bounce)",
            "unsubscribe the address in the Mailchimp audience, 500 a request (an address not on it is added as unsubscribed)", null);

    static final PairTemplate.Side NETSUITE = new PairTemplate.Side("NetSuite", CONNECTOR + "netsuite.NetSuiteConnectorService",
            Map.of("Host", ref(NS_HOST), "Account ID", ref(NS_ACCOUNT), "Client ID", ref(NS_CLIENT_ID), "Certificate ID", ref(NS_CERTIFICATE_ID),
                    "Private Key", ref(NS_PRIVATE_KEY)),
            List.of(parameter(NS_HOST, "https://1234567.suitetalk.api.netsuite.com", false, "The account's SuiteTalk domain from Company URLs"),
                    parameter(NS_ACCOUNT, "", false, "The account id, e.g. 1234567 or 1234567_SB1"),
                    parameter(NS_CLIENT_ID, "", false, "The integration record's client id"),
                    parameter(NS_CERTIFICATE_ID, "", false, "The certificate id of the OAuth 2.0 client credentials mapping"),
                    parameter(NS_PRIVATE_KEY, null, true, "That certificate's RSA private key, PKCS#8 PEM")),
            List.of("customer", "contact"), "netsuite", false, List.of("customer", "contact"),
            "read the NetSuite customers (leads included) and contacts changed (Soft and Confirmed Opt-Out are opted out; a 2-hour overlap "
                    + "covers the account's time zone)", "set Soft Opt-Out on every NetSuite customer, lead and contact with that address", "2 hours");

    static final PairTemplate SUGARCRM_ACTON = new PairTemplate("sugarcrm-acton-optout-sync.json", SUGARCRM, ACT_ON);
    static final PairTemplate SALESFORCE_ACTIVECAMPAIGN = new PairTemplate("salesforce-activecampaign-optout-sync.json", SALESFORCE, ACTIVECAMPAIGN);
    static final PairTemplate SALESFORCE_ACTON = new PairTemplate("salesforce-acton-optout-sync.json", SALESFORCE, ACT_ON);
    static final PairTemplate SALESFORCE_MAILCHIMP = new PairTemplate("salesforce-mailchimp-optout-sync.json", SALESFORCE, MAILCHIMP);
    static final PairTemplate NETSUITE_MAILCHIMP = new PairTemplate("netsuite-mailchimp-optout-sync.json", NETSUITE, MAILCHIMP);
    static final List<PairTemplate> ALL = List.of(SUGARCRM_ACTON, SALESFORCE_ACTIVECAMPAIGN, SALESFORCE_ACTON, SALESFORCE_MAILCHIMP, NETSUITE_MAILCHIMP);

    private Templates() {
    }

    static String ref(final String parameter) {
        return "#{" + parameter + "}";
    }
}
