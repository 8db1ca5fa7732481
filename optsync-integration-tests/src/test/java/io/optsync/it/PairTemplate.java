package io.optsync.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opt-out sync between two systems, both directions, built through NiFi's REST API; {@link BuildTemplatesIT}
 * downloads it into {@code templates/}. Each direction: one FetchCrmRecords per object read, FilterOptedOut decoding
 * the vendor's value in one pass (opted out only), one PushCrmFieldUpdates per object written with its retry loop; failures, held
 * records and the audit trail leave through labelled Output Ports, whose connections never push back. Every setting is a parameter; credentials are sensitive
 * parameters, so the downloaded file holds none.
 *
 * @param file the file name in {@code templates/}
 * @param first the system listed first (the CRM)
 * @param second the other one
 */
record PairTemplate(String file, Side first, Side second) {
    private static final String P = "io.optsync.nifi.processors.";
    static final String FETCH_PERIOD = "15 sec";

    /**
     * One system of the pair.
     *
     * @param system its name
     * @param serviceType its connector controller service
     * @param serviceProperties the service's properties, parameter references included
     * @param parameters its parameters in the context
     * @param reads the objects fetched from it, each by a FetchCrmRecords of its own
     * @param encoding the Source Encoding of what it returns (a value or a parameter reference)
     * @param bounces whether its fetched hard bounces count (they do, as opt-outs, by default)
     * @param writes the objects opted out in it, each by a PushCrmFieldUpdates of its own
     * @param reading what its fetches read, for the label
     * @param writing what its pushes do, for the label
     * @param overlap its fetches' Overlap Window, or {@code null} for the default
     */
    record Side(String system, String serviceType, Map<String, String> serviceProperties, List<Map<String, Object>> parameters, List<String> reads,
                String encoding, boolean bounces, List<String> writes, String reading, String writing, String overlap) {
    }

    String name() {
        return first.system() + " <-> " + second.system() + " opt-out sync";
    }

    String context() {
        return "optsync " + first.system() + " <-> " + second.system();
    }

    String build(final NiFiRest rest, final String rootId) throws IOException, InterruptedException {
        final List<Map<String, Object>> parameters = new ArrayList<>(first.parameters());
        parameters.addAll(second.parameters());
        parameters.addAll(Templates.AUDIT_PARAMETERS);
        parameters.addAll(Templates.CONNECTIVITY_PARAMETERS);
        final String context = FlowBuilder.parameterContext(rest, context(), "Settings of the " + name() + ". Credentials are sensitive.", parameters);
        final FlowBuilder flow = FlowBuilder.group(rest, rootId, name(), context);
        final String reader = flow.service("org.apache.nifi.json.JsonTreeReader", "JSON Reader", Map.of());
        final String writer = flow.service("org.apache.nifi.json.JsonRecordSetWriter", "JSON Writer", Map.of());
        final Map<String, String> services = new LinkedHashMap<>();
        for (final Side side : List.of(first, second)) {
            final Map<String, String> properties = new LinkedHashMap<>(side.serviceProperties());
            properties.put(Templates.ALLOW_PLAIN_HTTP, Templates.ref(Templates.ALLOW_PLAIN_HTTP));
            services.put(side.system(), flow.service(side.serviceType(), side.system(), properties));
        }
        final String database = flow.service("org.apache.nifi.dbcp.DBCPConnectionPool", "Audit Database", Map.of(
                "Database Connection URL", Templates.ref(Templates.AUDIT_DB_URL), "Database Driver Class Name", Templates.ref(Templates.AUDIT_DB_DRIVER),
                "database-driver-locations", Templates.ref(Templates.AUDIT_DB_DRIVER_LOCATION), "Database User", Templates.ref(Templates.AUDIT_DB_USER),
                "Password", Templates.ref(Templates.AUDIT_DB_PASSWORD)));
        final String auditTrail = flow.service("org.apache.nifi.record.sink.db.DatabaseRecordSink", "Audit Trail", Map.of(
                "db-record-sink-dcbp-service", database, "db-record-sink-table-name", Templates.ref(Templates.AUDIT_TABLE)));
        final Map<String, String> records = Map.of("Record Reader", reader, "Record Writer", writer);
        final List<String> pushes = new ArrayList<>();
        pushes.addAll(direction(flow, first, second, services, records, writer, auditTrail, 0));
        pushes.addAll(direction(flow, second, first, services, records, writer, auditTrail, 820));

        final String[] all = pushes.toArray(String[]::new);
        flow.outputPort(1900, 520, "audit", "audit", all);
        flow.outputPort(1900, 760, "held", "held", all);
        flow.label("Held by the blast-radius guard: when a push's Max Changes Per Run or Max Change Share is set and a run would change "
                + "more, nothing is written and its records leave through the 'held' Output Port. Check them, raise the limit, route them "
                + "back to the push.", 1980, 720, 420, 110);
        flow.label("Audit trail: one row per change written (address, source and target system, object and id, field, old -> new "
                + "value, reason, run id) in the table #{" + Templates.AUDIT_TABLE + "} of the Audit Database (parameters Audit Database *; "
                + "create the table with docs/optsync_audit.sql). What the database cannot take leaves through the 'audit' Output Port "
                + "instead, with the reason in optsync.audit.sink.failure, and raises a bulletin: connect it to keep those. Its connection has "
                + "no back pressure, so the sync never stops for it.", 1980, 420, 420, 170);
        return flow.group();
    }

    /** One direction at height {@code top}; returns its pushes. */
    private static List<String> direction(final FlowBuilder flow, final Side from, final Side to, final Map<String, String> services,
                                          final Map<String, String> records, final String writer, final String auditTrail, final int top)
            throws IOException, InterruptedException {
        final String arrow = from.system() + " -> " + to.system();
        flow.label(arrow + ". Every " + FETCH_PERIOD + ", " + from.reading() + "; decode " + from.system() + "'s opt-out value, keep the opted-out "
                + "records" + (from.bounces() ? " (a hard bounce counts as an opt-out)" : "") + " and " + to.writing()
                + ". Nobody is ever re-subscribed: opt-in propagation is off.", 0, top - 170, 1560, 80);
        final List<String> sources = new ArrayList<>();
        for (int i = 0; i < from.reads().size(); i++) {
            final String object = from.reads().get(i);
            final Map<String, String> fetching = with(Map.of("Connector", services.get(from.system()), "Object", object, "Record Writer", writer,
                    Templates.QUIET_READ_INTERVAL, Templates.ref(Templates.QUIET_READ_INTERVAL)));
            if (from.overlap() != null) {
                fetching.put("Overlap Window", from.overlap());
            }
            sources.add(flow.processor(P + "FetchCrmRecords", "Fetch " + from.system() + " " + object, 0, top + i * 220, fetching, FETCH_PERIOD, List.of()));
        }
        // one pass: FilterOptedOut decodes the vendor's value and the address itself; the NormalizeOptOutValue ->
        // FilterOptedOut chain would parse and write every record twice (RecordBenchmarks: a against a2)
        final Map<String, String> decoding = with(records, "Status Source", "decode-source-fields", "Opt-Out Field", "/opt_out", "E-mail Field", "/email",
                "Source Encoding", from.encoding());
        if (from.bounces()) {
            decoding.put("Hard Bounce Field", "/hard_bounce");
        }
        final int middle = top + (from.reads().size() - 1) * 110;
        // a record with no address has nothing to sync: counted (Records to no address), not written, not a failure
        final String filter = flow.processor(P + "FilterOptedOut", "Keep " + from.system() + " opt-outs", 675, middle, decoding, "0 sec",
                List.of("subscribed", "unknown", "no address"));
        final List<String> pushes = new ArrayList<>();
        for (int i = 0; i < to.writes().size(); i++) {
            final String object = to.writes().get(i);
            final String push = flow.processor(P + "PushCrmFieldUpdates", "Opt out in " + to.system() + " " + object, 1350, top - 90 + i * 200,
                    with(records, "Connector", services.get(to.system()), "Object", object, "Audit Record Sink", auditTrail), "0 sec", List.of("success"));
            flow.connect(filter, push, "opted out");
            flow.retryLoop(push, "retry");
            pushes.add(push);
        }
        for (final String fetch : sources) {
            flow.connect(fetch, "PROCESSOR", filter, "PROCESSOR", List.of("success"), true, FlowBuilder.BackPressure.DEFAULT); // fetches run on the primary node only
        }
        final List<String> failing = new ArrayList<>(sources);
        failing.add(filter);
        failing.addAll(pushes);
        flow.outputPort(920, top + 300, "failure " + arrow, "failure", failing.toArray(String[]::new));
        flow.label("Failures " + arrow + ": the records that could not be read or written leave through this Output Port, one FlowFile "
                + "per reason with it in the optsync.failure.* attributes. Nothing is dropped, and nothing stops the sync while they wait.",
                1000, top + 280, 560, 70);
        return pushes;
    }

    private static Map<String, String> with(final Map<String, String> base, final String... pairs) {
        final Map<String, String> all = new LinkedHashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            all.put(pairs[i], pairs[i + 1]);
        }
        return all;
    }
}
