package io.optsync.it;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static io.optsync.it.FlowBuilder.parameter;

/**
 * The SugarCRM ↔ Act-On opt-out sync, built through NiFi's REST API; {@link BuildTemplatesIT} downloads it as
 * {@code templates/sugarcrm-acton-optout-sync.json}. Every setting a user gives is a parameter; credentials are
 * sensitive parameters, so the downloaded file holds none.
 */
final class SugarActOnTemplate {
    static final String FILE = "sugarcrm-acton-optout-sync.json";
    static final String CONTEXT = "optsync SugarCRM <-> Act-On";

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

    private static final String P = "io.optsync.nifi.processors.";

    private SugarActOnTemplate() {
    }

    static String build(final NiFiRest rest, final String rootId) throws IOException, InterruptedException {
        final String context = FlowBuilder.parameterContext(rest, CONTEXT, "Settings of the SugarCRM <-> Act-On opt-out sync. Credentials are sensitive.", List.of(
                parameter(SUGAR_URL, "https://crm.example.com", false, "The SugarCRM site, e.g. https://crm.example.com"),
                parameter(SUGAR_API, "v10", false, "v10 (Sugar 7+) or v4_1 (SugarCRM 5.5+/6.x, SuiteCRM 7)"),
                parameter(SUGAR_ENCODING, "sugarcrm-v10", false, "sugarcrm-v10 with API v10, sugarcrm-v4_1 with API v4_1"),
                parameter(SUGAR_USER, "", false, "The SugarCRM user the sync signs in as"),
                parameter(SUGAR_PASSWORD, null, true, "That user's password"),
                parameter(ACTON_URL, "https://restapi.actonsoftware.com", false, "Act-On's API; https://api-eu.actonsoftware.com for EU accounts"),
                parameter(ACTON_USER, "", false, "The Act-On user; it picks the account"),
                parameter(ACTON_PASSWORD, null, true, "That user's password"),
                parameter(ACTON_CLIENT_ID, "", false, "The integration's OAuth client id"),
                parameter(ACTON_CLIENT_SECRET, null, true, "The integration's OAuth client secret")));
        final FlowBuilder flow = FlowBuilder.group(rest, rootId, "SugarCRM <-> Act-On opt-out sync", context);

        final String reader = flow.service("org.apache.nifi.json.JsonTreeReader", "JSON Reader", Map.of());
        final String writer = flow.service("org.apache.nifi.json.JsonRecordSetWriter", "JSON Writer", Map.of());
        final String sugar = flow.service("io.optsync.nifi.connector.sugarcrm.SugarCrmConnectorService", "SugarCRM", Map.of(
                "Site URL", "#{" + SUGAR_URL + "}", "API Version", "#{" + SUGAR_API + "}",
                "Username", "#{" + SUGAR_USER + "}", "Password", "#{" + SUGAR_PASSWORD + "}"));
        final String actOn = flow.service("io.optsync.nifi.connector.acton.ActOnConnectorService", "Act-On", Map.of(
                "Base URL", "#{" + ACTON_URL + "}", "Username", "#{" + ACTON_USER + "}", "Password", "#{" + ACTON_PASSWORD + "}",
                "Client ID", "#{" + ACTON_CLIENT_ID + "}", "Client Secret", "#{" + ACTON_CLIENT_SECRET + "}"));
        final Map<String, String> records = Map.of("Record Reader", reader, "Record Writer", writer);

        // SugarCRM -> Act-On
        flow.label("SugarCRM -> Act-On. Every 15 s, read the Contacts and Leads changed in SugarCRM (every hour, also the whole "
                + "opted-out set: the campaign unsubscribe link changes no date_modified), decode Sugar's opt-out value, keep the "
                + "opted-out records and add them to Act-On's account opt-out list (one CSV upload per batch).", 0, -170, 1560, 80);
        final String fetchContacts = flow.processor(P + "FetchCrmRecords", "Fetch SugarCRM Contacts", 0, 0,
                Map.of("Connector", sugar, "Object", "Contacts", "Record Writer", writer), "15 sec", List.of());
        final String fetchLeads = flow.processor(P + "FetchCrmRecords", "Fetch SugarCRM Leads", 0, 220,
                Map.of("Connector", sugar, "Object", "Leads", "Record Writer", writer), "15 sec", List.of());
        final String normalizeSugar = flow.processor(P + "NormalizeOptOutValue", "Decode SugarCRM opt-out", 450, 110,
                with(records, "Opt-Out Field", "/opt_out", "E-mail Field", "/email", "Source Encoding", "#{" + SUGAR_ENCODING + "}"), "0 sec", List.of());
        final String filterSugar = flow.processor(P + "FilterOptedOut", "Keep SugarCRM opt-outs", 900, 110, records, "0 sec",
                List.of("subscribed", "unknown"));
        final String pushActOn = flow.processor(P + "PushCrmFieldUpdates", "Add to Act-On opt-out list", 1350, 110,
                with(records, "Connector", actOn, "Object", "optout"), "0 sec", List.of("success"));
        flow.connect(fetchContacts, normalizeSugar, "success");
        flow.connect(fetchLeads, normalizeSugar, "success");
        flow.connect(normalizeSugar, filterSugar, "success");
        flow.connect(filterSugar, pushActOn, "opted out");
        flow.connect(pushActOn, pushActOn, "retry");
        flow.funnel(920, 420, "failure", fetchContacts, fetchLeads, normalizeSugar, filterSugar, pushActOn);
        flow.label("Failures SugarCRM -> Act-On: each record that could not be read or written waits here, with its reason in "
                + "the optsync.failure.* attributes. Nothing is dropped.", 1000, 400, 560, 70);

        // Act-On -> SugarCRM
        flow.label("Act-On -> SugarCRM. Every 15 s, read the addresses added to Act-On's opt-out list (and hard bounces are left to "
                + "the hard-bounce list), keep the opt-outs and opt out every SugarCRM Contact and Lead with that address. Nobody is "
                + "ever re-subscribed: opt-in propagation is off.", 0, 620, 1560, 80);
        final String fetchActOn = flow.processor(P + "FetchCrmRecords", "Fetch Act-On opt-out list", 0, 790,
                Map.of("Connector", actOn, "Object", "optout", "Record Writer", writer), "15 sec", List.of());
        final String normalizeActOn = flow.processor(P + "NormalizeOptOutValue", "Decode Act-On list membership", 450, 790,
                with(records, "Opt-Out Field", "/opt_out", "E-mail Field", "/email", "Source Encoding", "act-on"), "0 sec", List.of());
        final String filterActOn = flow.processor(P + "FilterOptedOut", "Keep Act-On opt-outs", 900, 790, records, "0 sec",
                List.of("subscribed", "unknown"));
        final String pushContacts = flow.processor(P + "PushCrmFieldUpdates", "Opt out SugarCRM Contacts", 1350, 700,
                with(records, "Connector", sugar, "Object", "Contacts"), "0 sec", List.of("success"));
        final String pushLeads = flow.processor(P + "PushCrmFieldUpdates", "Opt out SugarCRM Leads", 1350, 900,
                with(records, "Connector", sugar, "Object", "Leads"), "0 sec", List.of("success"));
        flow.connect(fetchActOn, normalizeActOn, "success");
        flow.connect(normalizeActOn, filterActOn, "success");
        flow.connect(filterActOn, pushContacts, "opted out");
        flow.connect(filterActOn, pushLeads, "opted out");
        flow.connect(pushContacts, pushContacts, "retry");
        flow.connect(pushLeads, pushLeads, "retry");
        flow.funnel(920, 1100, "failure", fetchActOn, normalizeActOn, filterActOn, pushContacts, pushLeads);
        flow.label("Failures Act-On -> SugarCRM: each record waits here with the vendor's reason in optsync.failure.reason.",
                1000, 1080, 560, 60);

        // Audit trail, both directions
        flow.funnel(1900, 520, "audit", pushActOn, pushContacts, pushLeads);
        flow.funnel(1900, 760, "held", pushActOn, pushContacts, pushLeads);
        flow.label("Held by the blast-radius guard: when a push's Max Changes Per Run or Max Change Share is set and a run would change "
                + "more, nothing is written and its records wait here. Check them, raise the limit, route them back to the push.",
                1980, 720, 420, 110);
        flow.label("Audit trail: one record per change written (address, source and target system, object and id, field, old -> new "
                + "value, reason, run id). Connect this funnel to where you keep records (PutFile, PutDatabaseRecord, PublishKafka, ...).",
                1980, 470, 420, 110);
        return flow.group();
    }

    private static Map<String, String> with(final Map<String, String> base, final String... pairs) {
        final Map<String, String> all = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            all.put(pairs[i], pairs[i + 1]);
        }
        return all;
    }
}
