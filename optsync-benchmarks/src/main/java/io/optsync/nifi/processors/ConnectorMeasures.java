package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.activecampaign.ActiveCampaignTestConnectors;
import io.optsync.nifi.connector.acton.ActOnTestConnectors;
import io.optsync.nifi.connector.mailchimp.MailchimpTestConnectors;
import io.optsync.nifi.connector.netsuite.NetSuiteTestConnectors;
import io.optsync.nifi.connector.salesforce.SalesforceTestConnectors;
import io.optsync.nifi.connector.sugarcrm.SugarTestConnectors;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.MovingClock;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.json.JsonRecordSetWriter;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The connector figures of the SugarCRM / Act-On issue, printed from real runs against the simulators:
 * <ol>
 * <li>HTTP calls PushCrmFieldUpdates makes to push 10,000 opt-outs to Act-On, ActiveCampaign, SugarCRM (v10, v4_1),
 * Salesforce, Mailchimp and NetSuite, against each vendor's floor;</li>
 * <li>the highest request rate the Act-On simulator sees (its 5/s limit on) and how many calls it refused;</li>
 * <li>calls for an incremental fetch of 1,000,000 SugarCRM contacts of which 100 changed, and the time of a quiet poll;</li>
 * <li>the heap used to fetch the 1,000,000 records, streamed through a JSON Record Writer, in this JVM (-Xmx256m);</li>
 * <li>a fetch's calls a day when nothing changes, and p99 propagation after a quiet hour, per Quiet Read Interval.</li>
 * </ol>
 * The million-contact simulator runs in a JVM of its own, so that its data does not count against this heap.
 */
public final class ConnectorMeasures {
    private static final ObjectMapper SIM_JSON = new ObjectMapper();
    private static final int PUSHED = 10_000;
    private static final int CONTACTS = 1_000_000;

    public static class NoOp extends AbstractProcessor {
        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) {
        }
    }

    private ConnectorMeasures() {
    }

    public static void main(final String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "optsync connector measures (heap limit of this JVM: %d MiB)%n%n", Runtime.getRuntime().maxMemory() >> 20);
        pushToActOn();
        pushToActiveCampaign();
        pushToSugar("v10");
        pushToSugar("v4_1");
        pushToSalesforce();
        pushToMailchimp();
        pushToNetSuite();
        actOnRate();
        millionContacts();
        for (final String quiet : List.of("0 sec", "1 min", "5 min")) {
            idleCost(quiet);
        }
        templatesIdleCost("5 min");
    }


    /**
     * What one fetch costs a day when nothing changes, and how long a change made after a quiet hour takes to be read
     * (p99 over 100 changes, each at a random moment between two runs), for a Quiet Read Interval: a real FetchCrmRecords
     * and SugarCRM connector against the simulator, 1,000 contacts, runs every 15 s, the default Full Resync (24 h) and
     * Reconciliation (1 h) intervals; time is the processor's clock, moved run by run.
     */
    private static void idleCost(final String quiet) throws Exception {
        final SugarStore store = new SugarStore().seed(1_000, 9);
        try (SugarV10Simulator sugar = new SugarV10Simulator(store)) {
            sugar.start(0);
            final MovingClock clock = new MovingClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
            final TestRunner fetch = quietFetch(f -> SugarTestConnectors.add(f, "connector", sugar.baseUrl(), "v10"), "1000", "Contacts", quiet, clock);
            final long callsADay = quietDay(fetch, sugar, clock);
            final java.util.Random random = new java.util.Random(5);
            final List<Double> latencies = new ArrayList<>();
            final List<SugarStore.Bean> contacts = store.sortedByModified("Contacts");
            for (int trial = 0; trial < 100; trial++) {
                for (int i = 0; i < 240; i++) { // a quiet hour
                    step(fetch, clock);
                }
                final double offset = random.nextDouble() * 15; // the change lands between two runs
                final SugarStore.Bean bean = contacts.get(trial);
                store.optOutInUi("Contacts", bean.id(), !bean.emailOptOut());
                double waited = 15 - offset;
                while (step(fetch, clock) == 0) {
                    waited += 15;
                }
                latencies.add(waited);
            }
            latencies.sort(null);
            System.out.printf(Locale.ROOT, "6. idle cost of one fetch (SugarCRM Contacts, runs every 15 s), Quiet Read Interval %s: %,d calls a day when "
                    + "nothing changes; p99 propagation after a quiet hour %.0f s (median %.0f s, 100 changes)%n", quiet, callsADay,
                    latencies.get(98), latencies.get(50));
        }
    }

    /**
     * A FetchCrmRecords of {@code object} through the connector {@code connect} adds (at {@code requestsPerSecond}, since
     * the moved clock makes the runs come faster than the vendor's rate), on {@code clock}, after its initial full read.
     */
    private static TestRunner quietFetch(final java.util.function.Function<TestRunner, OptOutConnectorService> connect, final String requestsPerSecond,
                                         final String object, final String quiet, final MovingClock clock) {
        final TestRunner fetch = TestRunners.newTestRunner(FetchCrmRecords.class);
        try {
            fetch.addControllerService("writer", new JsonRecordSetWriter());
        } catch (final org.apache.nifi.reporting.InitializationException e) {
            throw new IllegalStateException(e);
        }
        fetch.enableControllerService(fetch.getControllerService("writer"));
        fetch.setProperty(OptOutProperties.RECORD_WRITER, "writer");
        fetch.setProperty(OptOutProperties.OBJECT, object);
        fetch.setProperty(FetchCrmRecords.QUIET_READ_INTERVAL, quiet);
        io.optsync.nifi.connector.ConnectorTestRunners.reconfigured(fetch, connect.apply(fetch), Map.of("Requests Per Second", requestsPerSecond));
        fetch.setProperty(OptOutProperties.CONNECTOR, "connector");
        ((FetchCrmRecords) fetch.getProcessor()).setClock(clock);
        fetch.run(1, false, true); // the initial full read
        return fetch;
    }

    /** The calls {@code sim} takes from {@code fetch} in a day of runs every 15 s with nothing changing. */
    private static long quietDay(final TestRunner fetch, final SimulatorServer sim, final MovingClock clock) {
        sim.stats().reset();
        for (int i = 0; i < 86_400 / 15; i++) {
            step(fetch, clock);
        }
        return sim.stats().totalCalls();
    }

    /**
     * Calls a day when nothing changes, per template: every fetch a template runs, each against its vendor's simulator
     * (1,000 records, its rate limit off since the clock is moved) for a quiet day, added up by template.
     */
    private static void templatesIdleCost(final String quiet) throws Exception {
        final Map<String, Long> byFetch = new java.util.LinkedHashMap<>();
        final SugarStore store = new SugarStore().seed(1_000, 9);
        try (SugarV10Simulator sugar = new SugarV10Simulator(store); ActOnSimulator actOn = new ActOnSimulator();
             SalesforceSimulator sf = new SalesforceSimulator(); ActiveCampaignSimulator ac = new ActiveCampaignSimulator();
             MailchimpSimulator mc = new MailchimpSimulator(); NetSuiteSimulator ns = new NetSuiteSimulator()) {
            sugar.start(0);
            actOn.seed(1_000, 9).rateLimit(false);
            actOn.start(0);
            sf.seed(1_000, 9).start(0);
            ac.seed(1_000, 9).rateLimit(false);
            ac.start(0);
            mc.seed(1_000, 9).start(0);
            ns.seed(1_000, 9).start(0);
            for (final String object : List.of("Contacts", "Leads")) {
                byFetch.put("SugarCRM " + object, quietDay(sugar, object, quiet, "1000", f -> SugarTestConnectors.add(f, "connector", sugar.baseUrl(), "v10")));
            }
            byFetch.put("Act-On optout", quietDay(actOn, "optout", quiet, "5", f -> ActOnTestConnectors.add(f, "connector", actOn.baseUrl())));
            for (final String object : List.of("Contact", "Lead")) {
                byFetch.put("Salesforce " + object, quietDay(sf, object, quiet, "100", f -> SalesforceTestConnectors.add(f, "connector", sf.baseUrl())));
            }
            byFetch.put("ActiveCampaign contacts", quietDay(ac, "contacts", quiet, "5", f -> ActiveCampaignTestConnectors.add(f, "connector", ac.baseUrl(), "1,2")));
            byFetch.put("Mailchimp members", quietDay(mc, "members", quiet, "100", f -> MailchimpTestConnectors.add(f, "connector", mc.baseUrl())));
            for (final String object : List.of("customer", "contact")) {
                byFetch.put("NetSuite " + object, quietDay(ns, object, quiet, "100", f -> NetSuiteTestConnectors.add(f, "connector", ns.baseUrl())));
            }
        }
        final Map<String, List<String>> templates = new java.util.LinkedHashMap<>();
        templates.put("SugarCRM <-> Act-On", List.of("SugarCRM Contacts", "SugarCRM Leads", "Act-On optout"));
        templates.put("Salesforce <-> Act-On", List.of("Salesforce Contact", "Salesforce Lead", "Act-On optout"));
        templates.put("Salesforce <-> ActiveCampaign", List.of("Salesforce Contact", "Salesforce Lead", "ActiveCampaign contacts"));
        templates.put("Salesforce <-> Mailchimp", List.of("Salesforce Contact", "Salesforce Lead", "Mailchimp members"));
        templates.put("NetSuite <-> Mailchimp", List.of("NetSuite customer", "NetSuite contact", "Mailchimp members"));
        templates.forEach((template, fetches) -> System.out.printf(Locale.ROOT, "7. idle calls a day, template %s, Quiet Read Interval %s: %,d (goal <= 1,500; "
                + "%s)%n", template, quiet, fetches.stream().mapToLong(byFetch::get).sum(),
                fetches.stream().map(f -> f + " " + byFetch.get(f)).collect(Collectors.joining(", "))));
    }

    private static long quietDay(final SimulatorServer sim, final String object, final String quiet, final String requestsPerSecond,
                                 final java.util.function.Function<TestRunner, OptOutConnectorService> connect) {
        final MovingClock clock = new MovingClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
        return quietDay(quietFetch(connect, requestsPerSecond, object, quiet, clock), sim, clock);
    }

    /** One run of the fetch, 15 s after the last: how many FlowFiles it emitted. */
    private static int step(final TestRunner fetch, final MovingClock clock) {
        clock.advance(Duration.ofSeconds(15));
        fetch.clearTransferState();
        fetch.run(1, false, false);
        return fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).size();
    }

    private static String canonicalRecords(final List<String> emails) {
        return emails.stream().map(e -> "{\"optsync_email\":\"" + e + "\",\"optsync_opted_out\":true,\"optsync_bounce\":\"NONE\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static TestRunner pushRunner(final String object) throws Exception {
        final TestRunner push = TestRunners.newTestRunner(PushCrmFieldUpdates.class);
        push.addControllerService("reader", new org.apache.nifi.json.JsonTreeReader());
        push.addControllerService("writer", new JsonRecordSetWriter());
        push.enableControllerService(push.getControllerService("reader"));
        push.enableControllerService(push.getControllerService("writer"));
        push.setProperty(OptOutProperties.RECORD_READER, "reader");
        push.setProperty(OptOutProperties.RECORD_WRITER, "writer");
        push.setProperty(OptOutProperties.OBJECT, object);
        return push;
    }

    private static void pushToActOn() throws Exception {
        try (ActOnSimulator actOn = new ActOnSimulator()) {
            actOn.start(0);
            final TestRunner push = pushRunner("optout");
            ActOnTestConnectors.add(push, "connector", actOn.baseUrl());
            push.setProperty(OptOutProperties.CONNECTOR, "connector");
            final List<String> emails = IntStream.range(0, PUSHED).mapToObj(i -> "optout" + i + "@example.com").toList();
            push.enqueue(canonicalRecords(emails).getBytes(StandardCharsets.UTF_8));
            push.run();
            final long uploads = actOn.stats().calls("PUT /api/1/list/optout");
            final long auth = actOn.stats().calls("POST /token");
            final int batch = 10_000;
            System.out.printf(Locale.ROOT, "1. push %,d opt-outs to Act-On: %d upload(s) + %d sign-in = %d calls (floor: ceil(%d / %d) = %d writes + auth); "
                    + "%,d on the opt-out list%n", PUSHED, uploads, auth, actOn.stats().totalCalls(), PUSHED, batch, (PUSHED + batch - 1) / batch,
                    actOn.optOutAddresses().size());
        }
    }

    private static void pushToActiveCampaign() throws Exception {
        try (ActiveCampaignSimulator ac = new ActiveCampaignSimulator()) {
            ac.seed(PUSHED, 1).start(0);
            final TestRunner push = pushRunner("contacts");
            ActiveCampaignTestConnectors.add(push, "connector", ac.baseUrl(), "1,2");
            push.setProperty(OptOutProperties.CONNECTOR, "connector");
            push.enqueue(canonicalRecords(ac.all().stream().map(ActiveCampaignSimulator.Contact::email).toList()).getBytes(StandardCharsets.UTF_8));
            final long started = System.nanoTime();
            push.run();
            final long imports = ac.stats().calls("POST /api/3/import/bulk_import");
            final long statusReads = ac.stats().calls("GET /api/3/import/info");
            final long unsubscribed = ac.all().stream().filter(c -> c.statuses().values().stream().allMatch(status -> status == 2)).count();
            System.out.printf(Locale.ROOT, "1. push %,d opt-outs to ActiveCampaign (Lists 1,2): %d bulk imports (floor ceil(%d / 250) = %d) + %d import status "
                            + "reads + %d other calls, %.1f s; %,d of %,d unsubscribed from every list; calls per endpoint: %s%n", PUSHED, imports, PUSHED,
                    (PUSHED + 249) / 250, statusReads, ac.stats().totalCalls() - imports - statusReads, (System.nanoTime() - started) / 1e9, unsubscribed,
                    PUSHED, ac.stats().snapshot().get("calls"));
        }
    }

    private static void pushToSugar(final String version) throws Exception {
        final SugarStore store = new SugarStore();
        final List<String> emails = new ArrayList<>();
        for (int i = 0; i < PUSHED; i++) {
            final String email = "contact" + i + "@example.com";
            store.create("Contacts", "C", "Contact" + i, email, java.time.Instant.now());
            emails.add(email);
        }
        try (SimulatorServer sim = version.equals("v10") ? new SugarV10Simulator(store) : new SugarV41Simulator(store)) {
            sim.start(0);
            final TestRunner push = pushRunner("Contacts");
            SugarTestConnectors.add(push, "connector", sim.baseUrl(), version);
            push.setProperty(OptOutProperties.CONNECTOR, "connector");
            push.enqueue(canonicalRecords(emails).getBytes(StandardCharsets.UTF_8));
            push.run();
            final Map<String, Object> calls = sim.stats().snapshot();
            final long optedOut = emails.stream().filter(store::isOptedOut).count();
            final int batch = 100;
            final long writes = version.equals("v10") ? sim.stats().calls("POST /rest/v10/bulk")
                    : sim.stats().calls("POST /service/v4_1/rest.php set_entries");
            final long auth = version.equals("v10") ? sim.stats().calls("POST /rest/v10/oauth2/token")
                    : sim.stats().calls("POST /service/v4_1/rest.php login");
            System.out.printf(Locale.ROOT, "1. push %,d opt-outs to SugarCRM %s: %d %s (floor ceil(%d / %d) = %d writes) + %d sign-in + %d lookups; "
                            + "%,d of %,d opted out; calls per endpoint: %s%n", PUSHED, version, writes, version.equals("v10")
                            ? "bulk calls (each batch a bulk of GETs that reads its records fresh, then a bulk of PUTs: v10's PUT replaces a record's address list)"
                            : "writes", PUSHED, batch, (PUSHED + batch - 1) / batch,
                    auth, sim.stats().totalCalls() - writes - auth, optedOut, PUSHED, calls.get("calls"));
        }
    }

    /**
     * Pushes the opt-outs of {@code emails} through a PushCrmFieldUpdates whose connector {@code connect} adds, and prints
     * the calls by endpoint against the vendor's floor of write calls.
     */
    private static void pushMeasured(final String vendor, final SimulatorServer sim, final String object, final List<String> emails, final String writes,
                                     final int batch, final java.util.function.Consumer<TestRunner> connect,
                                     final java.util.function.LongSupplier optedOut) {
        final TestRunner push;
        try {
            push = pushRunner(object);
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
        connect.accept(push);
        push.setProperty(OptOutProperties.CONNECTOR, "connector");
        push.enqueue(canonicalRecords(emails).getBytes(StandardCharsets.UTF_8));
        sim.stats().reset();
        final long started = System.nanoTime();
        push.run();
        final long written = sim.stats().calls(writes);
        System.out.printf(Locale.ROOT, "1. push %,d opt-outs to %s: %d write calls (floor ceil(%d / %d) = %d) + %d other calls, %.1f s; %,d of %,d opted out; "
                        + "calls per endpoint: %s%n", emails.size(), vendor, written, emails.size(), batch, (emails.size() + batch - 1) / batch,
                sim.stats().totalCalls() - written, (System.nanoTime() - started) / 1e9, optedOut.getAsLong(), emails.size(),
                sim.stats().snapshot().get("calls"));
    }

    private static void pushToSalesforce() throws Exception {
        try (SalesforceSimulator sf = new SalesforceSimulator()) {
            final List<String> emails = IntStream.range(0, PUSHED).mapToObj(i -> {
                sf.create("Contact", "First" + i, "Last" + i, "sf" + i + "@example.com");
                return "sf" + i + "@example.com";
            }).toList();
            sf.start(0);
            pushMeasured("Salesforce (Contact)", sf, "Contact", emails, "PATCH /services/data/{v}/composite/sobjects", 200,
                    push -> SalesforceTestConnectors.add(push, "connector", sf.baseUrl()),
                    () -> sf.all("Contact").stream().filter(SalesforceSimulator.SfRecord::optedOut).count());
        }
    }

    private static void pushToMailchimp() throws Exception {
        try (MailchimpSimulator mc = new MailchimpSimulator()) {
            final List<String> emails = IntStream.range(0, PUSHED).mapToObj(i -> {
                mc.put("mc" + i + "@example.com", "subscribed", java.time.Instant.now());
                return "mc" + i + "@example.com";
            }).toList();
            mc.start(0);
            pushMeasured("Mailchimp", mc, "members", emails, "POST /3.0/lists/{id}", 500,
                    push -> MailchimpTestConnectors.add(push, "connector", mc.baseUrl()),
                    () -> mc.all().stream().filter(m -> m.status().equals("unsubscribed")).count());
        }
    }

    private static void pushToNetSuite() throws Exception {
        try (NetSuiteSimulator ns = new NetSuiteSimulator()) {
            final List<String> emails = IntStream.range(0, PUSHED).mapToObj(i -> ns.create("customer", "ns" + i + "@example.com", "1").email()).toList();
            ns.start(0);
            pushMeasured("NetSuite (customer)", ns, "customer", emails, "PATCH /services/rest/record/v1/{type}", 100,
                    push -> NetSuiteTestConnectors.add(push, "connector", ns.baseUrl()),
                    () -> ns.all().stream().filter(e -> e.status().equals("2")).count());
        }
    }

    private static void actOnRate() throws Exception {
        try (ActOnSimulator actOn = new ActOnSimulator()) {
            actOn.seed(40_000, 3);
            actOn.start(0);
            final TestRunner runner = TestRunners.newTestRunner(NoOp.class);
            final OptOutConnectorService connector = ActOnTestConnectors.add(runner, "connector", actOn.baseUrl());
            final AtomicLong read = new AtomicLong();
            final long started = System.nanoTime();
            for (int round = 0; round < 2; round++) {
                connector.fetch(new FetchRequest("optout", FetchMode.FULL, Watermark.START, 1000), page -> read.addAndGet(page.size()));
            }
            final double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "2. Act-On: %d calls in %.1f s (%,d records read); highest rate the simulator saw: %d calls/s "
                            + "(limit 5/s); calls it refused for rate: %d%n", actOn.stats().totalCalls(), seconds, read.get(),
                    actOn.stats().maxPerSecond(), actOn.stats().faults("rate-limited"));
        }
    }

    private static void millionContacts() throws Exception {
        final Process simulator = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx6g", "-cp",
                System.getProperty("java.class.path"), "io.optsync.simulators.SimulatorMain", "sugarcrm-v10", "0", String.valueOf(CONTACTS))
                .redirectErrorStream(true).start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(simulator.getInputStream(), StandardCharsets.UTF_8));
            final String line = out.readLine();
            if (line == null || !line.startsWith("sugarcrm-v10 ")) {
                throw new IllegalStateException("the simulator did not start: " + line);
            }
            final String url = line.substring("sugarcrm-v10 ".length()).trim();
            final TestRunner runner = TestRunners.newTestRunner(NoOp.class);
            final OptOutConnectorService connector = SugarTestConnectors.add(runner, "connector", url, "v10");
            runner.addControllerService("writer", new JsonRecordSetWriter());
            runner.enableControllerService(runner.getControllerService("writer"));
            final RecordSetWriterFactory writerFactory = (RecordSetWriterFactory) runner.getControllerService("writer");

            final long[] bytes = {0};
            final OutputStream sink = new OutputStream() {
                @Override
                public void write(final int b) {
                    bytes[0]++;
                }

                @Override
                public void write(final byte[] b, final int off, final int len) {
                    bytes[0] += len;
                }
            };
            resetPeaks();
            final long started = System.nanoTime();
            final AtomicLong records = new AtomicLong();
            final Watermark watermark;
            try (RecordSetWriter writer = writerFactory.createWriter(runner.getLogger(), SourceRecords.SCHEMA, sink, Map.of())) {
                writer.beginRecordSet();
                watermark = connector.fetch(new FetchRequest("Contacts", FetchMode.FULL, Watermark.START, 2000), page -> {
                    for (final var record : page) {
                        writer.write(SourceRecords.toRecord("SugarCRM", record));
                        records.incrementAndGet();
                    }
                });
                writer.finishRecordSet();
            }
            final double seconds = (System.nanoTime() - started) / 1e9;
            final long fullCalls = stat(url, "\"POST /rest/v10/{Module}/filter\":");
            System.out.printf(Locale.ROOT, "4. full fetch of %,d contacts through a JSON Record Writer: %,d records, %,d MiB written, %.1f s, %d filter calls; "
                    + "peak heap used %d MiB of %d MiB%n", CONTACTS, records.get(), bytes[0] >> 20, seconds, fullCalls, peakHeapMiB(), Runtime.getRuntime().maxMemory() >> 20);

            post(url + "/_sim/stats/reset");
            Thread.sleep(1100);
            post(url + "/_sim/sugar/ui-changes?count=100");
            final AtomicLong changed = new AtomicLong();
            final Watermark latest = connector.fetch(new FetchRequest("Contacts", FetchMode.INCREMENTAL, watermark.minus(Duration.ofSeconds(60)), 200),
                    page -> changed.addAndGet(page.size()));
            System.out.printf(Locale.ROOT, "3. incremental fetch of %,d contacts of which 100 changed (60 s overlap): %d records, %d calls (goal <= 2)%n",
                    CONTACTS, changed.get(), stat(url, "\"totalCalls\":"));
            quietPolls(url, latest);
        } finally {
            simulator.destroy();
            simulator.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * What a template's 15-second polls cost the simulator when nothing changed: each is one filter call from the last
     * watermark whose answer is empty, and must not cost a scan of the million records (a month soak's polls time out
     * when it does). Timed against the simulator itself: through the connector it would time the connector's own pacing
     * (10 calls/s by default).
     */
    private static void quietPolls(final String url, final Watermark latest) throws Exception {
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // no h2c upgrade per request
        final String token = SIM_JSON.readTree(send(client, url + "/rest/v10/oauth2/token", null, "{\"grant_type\":\"password\",\"client_id\":\"sugar\","
                + "\"client_secret\":\"\",\"username\":\"admin\",\"password\":\"sugar-password\",\"platform\":\"measures\"}")).path("access_token").asText();
        // from just after the last change: an empty answer, as a poll after a quiet minute (the overlap window's last minute) gets
        final String since = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(latest.modifiedAt().plusSeconds(1).atOffset(ZoneOffset.UTC));
        final String body = "{\"filter\":[{\"date_modified\":{\"$gte\":\"" + since + "\"}}],\"order_by\":\"date_modified:ASC,id:ASC\",\"max_num\":200,\"offset\":0}";
        final int polls = 200;
        final long[] nanos = new long[polls];
        for (int i = 0; i < polls; i++) {
            final long started = System.nanoTime();
            send(client, url + "/rest/v10/Contacts/filter", token, body);
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "5. %d quiet polls (filter from just after the last change, empty answers) of %,d contacts: the simulator answers in median %.1f ms, p99 %.1f ms%n",
                polls, CONTACTS, nanos[polls / 2] / 1e6, nanos[polls * 99 / 100] / 1e6);
    }

    private static String send(final HttpClient client, final String url, final String token, final String json) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("OAuth-Token", token);
        }
        final HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return response.body();
    }

    private static void post(final String url) throws Exception {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private static long stat(final String url, final String key) throws Exception {
        final String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/_sim/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        final int at = body.indexOf(key);
        if (at < 0) {
            return 0;
        }
        final String rest = body.substring(at + key.length());
        return Long.parseLong(rest.replaceAll("^(\\d+).*$", "$1").trim().split("[^0-9]")[0]);
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeapMiB() {
        long peak = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
