package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.json.JsonRecordSetWriter;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An adversarial-history checker, the way Jepsen checks databases: it drives the real processors and connectors
 * (FetchCrmRecords, FilterOptedOut decoding in one pass as the templates run it, PushCrmFieldUpdates, through
 * nifi-mock) against three simulators at once, SugarCRM v10 (Contacts and Leads sharing address rows), Act-On and Mailchimp, wired as the
 * templates wire them (SugarCRM to and from each marketing platform), and checks after every step:
 * <ul>
 * <li><b>I1</b> no address opted out in a system is moved back to subscribed by a sync (nothing here opts in but the
 * flow, and its consents are never newer than an opt-out it has seen);</li>
 * <li><b>I2</b> once the history's steps are over and no fault is injected, a round that writes nothing comes within
 * {@link #QUIET_ROUNDS} rounds, and by then every opt-out has reached every connected system;</li>
 * <li><b>I3</b> once a round wrote nothing, the next one writes nothing either;</li>
 * <li><b>I4</b> every change a sync made to a system has its audit record, and no record is dropped (a push's records
 * all leave on success, retry or held; none on failure).</li>
 * </ul>
 * A history is a seeded list of steps: people with several addresses, one address on Contacts and Leads, opt-outs
 * made in each system, address edits, changes made by a vendor-side user while a fetch pages or between a lookup and
 * its write, two pushers at once (two cluster nodes), injected faults (5xx, 429, timeouts, resets, lost responses) and
 * re-deliveries, the hourly read of the opted-out set, and full reads (the initial load, and another when a day passes)
 * that go one page a round while all this happens. A failing history is shrunk to a minimal one and printed with its seed.
 * <p>
 * Many histories run at once in one set of systems, each on addresses of its own ({@code g<history>p<person>...}):
 * the invariants are per address, so histories cannot mask each other, while the vendors' request budgets (Act-On's
 * 5 a second) are shared the way a real flow shares them. The global steps (faults, two pushers, re-delivery, edits
 * made in the middle of a call) of any history apply to the whole run, which only makes every history harder.
 */
final class HistoryChecker implements AutoCloseable {
    static final int QUIET_ROUNDS = 6;

    /** One step of a history; {@code a} and {@code b} pick a person and an address, {@code c} a variant. */
    record Step(Kind kind, int a, int b, int c) {
        @Override
        public String toString() {
            return kind + "(" + a + "," + b + "," + c + ")";
        }
    }

    enum Kind {
        SUGAR_OPT_OUT, SUGAR_ADD_ADDRESS, SUGAR_NEW_LEAD, ACTON_OPT_OUT, MAILCHIMP_UNSUBSCRIBE, MAILCHIMP_SIGN_UP,
        EDIT_DURING_FETCH, EDIT_BETWEEN_LOOKUP_AND_WRITE, FAULTS, TWO_PUSHERS, REDELIVER, AN_HOUR_PASSES, A_DAY_PASSES, QUIET
    }

    /** A history's outcome: the first invariant broken, or none. */
    record Verdict(String violation, int stepsRun) {
        boolean ok() {
            return violation == null;
        }
    }

    /** What a run of several histories found: the first violation of each history that broke an invariant, by history. */
    record Run(Map<Integer, String> violations, long steps, int roundsToQuiet) {
    }

    static List<Step> randomHistory(final long seed, final int length) {
        final Random random = new Random(seed);
        final Kind[] kinds = Kind.values();
        final List<Step> steps = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            steps.add(new Step(kinds[random.nextInt(kinds.length)], random.nextInt(PEOPLE), random.nextInt(3), random.nextInt(1000)));
        }
        return steps;
    }

    private static final int PEOPLE = 3;
    private final int histories;
    private final boolean propagateOptIns;
    private final SugarStore store = new SugarStore();
    private final SugarV10Simulator sugar = new SugarV10Simulator(store);
    private final ActOnSimulator actOn = new ActOnSimulator();
    private final MailchimpSimulator mailchimp = new MailchimpSimulator();
    private final List<Direction> directions = new ArrayList<>();
    private final List<List<SugarStore.Bean>> people = new ArrayList<>();
    private final Set<String> userOptOuts = new HashSet<>();
    private final List<String> audited = new ArrayList<>();
    private final List<String> lastAudits = new ArrayList<>();
    private final Map<Integer, String> violations = new java.util.TreeMap<>();
    private int roundsToQuiet;

    /** One direction of a template, with a second push (another cluster node) and the retry loop. */
    private final class Direction {
        final String name;
        final String target;
        final PipelineDirection flow;
        final TestRunner secondPush;
        final List<MockFlowFile> retry = new ArrayList<>();

        Direction(final String name, final String sourceObject, final SourceEncoding encoding, final String targetObject, final String target,
                  final Wiring wiring) throws Exception {
            this.name = name;
            this.target = target;
            flow = new PipelineDirection(sourceObject, encoding, targetObject);
            if (propagateOptIns) {
                flow.alsoPushingSubscribed();
                flow.push.setProperty(PushCrmFieldUpdates.PROPAGATE_OPT_INS, "true");
            }
            wiring.source.accept(flow.fetch);
            flow.fetch.setProperty(FetchCrmRecords.PAGE_SIZE, "100"); // several pages per read of a whole run
            flow.fetch.setProperty(FetchCrmRecords.OVERLAP, "5 sec");
            // the full read (the first round's initial load, and another after A_DAY_PASSES) goes a page a round, with the
            // history's changes, faults and second pushers around it
            flow.fetch.setProperty(FetchCrmRecords.FULL_READ_TIME, "0 sec");
            // the hourly read of the opted-out set (the template's) comes when a history says an hour has passed: the
            // only way to see an opt-out that arrived before its address existed in the CRM
            flow.fetch.setProperty(FetchCrmRecords.RECONCILIATION_INTERVAL, "1 hour");
            wiring.target.accept(flow.push);
            tune(flow.push);
            tune(flow.fetch);
            secondPush = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
            flow.push.getProcessContext().getProperties().forEach((descriptor, value) -> {
                if (value != null && !descriptor.equals(OptOutProperties.CONNECTOR) && !descriptor.equals(OptOutProperties.RECORD_READER)
                        && !descriptor.equals(OptOutProperties.RECORD_WRITER)) {
                    secondPush.setProperty(descriptor, value);
                }
            });
            wiring.target.accept(secondPush);
            tune(secondPush);
        }

        /** One round: fetch, decode and filter in one pass (as the templates do), then push what came through with what was left to retry. */
        void round(final boolean twoPushers) throws Exception {
            flow.fetch.clearTransferState();
            flow.fetch.run();
            pass(flow.fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS), flow.filter);
            final List<MockFlowFile> toPush = new ArrayList<>(flow.filter.getFlowFilesForRelationship(FilterOptedOut.REL_OPTED_OUT));
            if (propagateOptIns) {
                toPush.addAll(flow.filter.getFlowFilesForRelationship(FilterOptedOut.REL_SUBSCRIBED));
            }
            toPush.addAll(retry);
            retry.clear();
            if (toPush.isEmpty()) {
                return;
            }
            if (!twoPushers) {
                push(flow.push, toPush);
                return;
            }
            // round robin over two nodes, both pushing at the same time, as the load-balanced connection does
            final List<MockFlowFile> first = new ArrayList<>();
            final List<MockFlowFile> second = new ArrayList<>();
            for (int i = 0; i < toPush.size(); i++) {
                (i % 2 == 0 ? first : second).add(toPush.get(i));
            }
            final Thread other = new Thread(() -> push(secondPush, second));
            other.start();
            push(flow.push, first);
            other.join();
        }

        /** The reconciliation read is due: its last time is forgotten, as an hour's wait would make it due. */
        void anHourPassed() {
            forget(FetchCrmRecords.STATE_RECONCILE);
        }

        /** A full read is due (unless one is under way): its last time is forgotten, as a day's wait would make it due. */
        void aDayPassed() {
            forget(FetchCrmRecords.STATE_FULL);
        }

        private void forget(final String key) {
            try {
                final var state = flow.fetch.getStateManager().getState(org.apache.nifi.components.state.Scope.CLUSTER);
                final Map<String, String> kept = new java.util.HashMap<>(state.toMap());
                kept.remove(key);
                flow.fetch.getStateManager().setState(kept, org.apache.nifi.components.state.Scope.CLUSTER);
            } catch (final java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        String describe() {
            try {
                return name + " state " + flow.fetch.getStateManager().getState(org.apache.nifi.components.state.Scope.CLUSTER).toMap().entrySet().stream()
                        .map(e -> e.getKey() + "=" + (e.getValue().length() > 300 ? e.getValue().substring(0, 300).replace('\n', ' ') + "...(" + e.getValue().length() + ")" : e.getValue().replace('\n', ' ')))
                        .toList() + ", last fetch emitted " + RecordTestSupport.records(flow.fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS)).stream()
                        .map(r -> r.path("id").asText() + " " + r.path("email").asText() + " " + r.path("opt_out").asText() + " " + r.path("modified_at").asText()).toList()
                        + " modes " + flow.fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).stream().map(f -> f.getAttribute("optsync.fetch.mode")).toList();
            } catch (final java.io.IOException e) {
                return e.toString();
            }
        }

        void redeliver() {
            // what a node restart or a replay does: the last fetched records come again
            retry.addAll(flow.filter.getFlowFilesForRelationship(FilterOptedOut.REL_OPTED_OUT));
        }

        private void push(final TestRunner push, final List<MockFlowFile> input) {
            synchronized (push) {
                push.clearTransferState();
                ConnectorTestSupport.pass(input, push);
                if (input.isEmpty()) {
                    return;
                }
                push.run(input.size());
                final long in = input.stream().mapToLong(HistoryChecker::count).sum();
                final long out = count(push, PushCrmFieldUpdates.REL_SUCCESS) + count(push, PushCrmFieldUpdates.REL_RETRY)
                        + count(push, PushCrmFieldUpdates.REL_HELD);
                final long failed = count(push, PushCrmFieldUpdates.REL_FAILURE);
                for (final MockFlowFile failure : push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_FAILURE)) {
                    final String reason = failure.getAttribute("optsync.failure.reason");
                    if (!reason.contains("Compliance State")) { // Mailchimp refusing a subscribe is the vendor keeping an opt-out
                        for (final JsonNode record : RecordTestSupport.records(failure)) {
                            broken(record.path("optsync_email").asText(), "I4: a record on failure in " + name + ": " + reason);
                        }
                    }
                }
                if (in != out + failed) {
                    broken(null, "I4: " + name + " received " + in + " records and routed " + (out + failed));
                }
                retry.addAll(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_RETRY));
                for (final JsonNode audit : RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT))) {
                    synchronized (audited) {
                        audited.add(target + " " + audit.path("email").asText());
                        lastAudits.add(name + ": " + audit.path("email").asText() + " " + audit.path("outcome").asText() + " from " + audit.path("source_id").asText() + " " + audit.path("source_changed_at").asText() + ": " + audit.path("reason").asText(""));
                    }
                }
            }
        }
    }

    /** How a direction reaches its source and its target. */
    private record Wiring(java.util.function.Consumer<TestRunner> source, java.util.function.Consumer<TestRunner> target) {
    }

    private static final java.util.concurrent.atomic.AtomicInteger SERVICES = new java.util.concurrent.atomic.AtomicInteger();

    private static void tune(final TestRunner runner) {
        final var service = runner.getControllerService("connector");
        final Map<String, String> fast = new java.util.HashMap<>(Map.of(ConnectorProperties.TIMEOUT.getName(), "2 sec"));
        if (service instanceof io.optsync.nifi.connector.sugarcrm.SugarCrmConnectorService) {
            // a platform of its own per service, as SugarCRM asks of every integration: a password grant on a platform
            // logs out the other sessions of that user on it
            fast.put("Platform", "optsync-" + SERVICES.incrementAndGet());
        }
        // as fast as each connector allows (its maximum is the vendor's documented limit)
        service.getPropertyDescriptors().stream().filter(d -> d.getName().equals("Requests Per Second")).findFirst().ifPresent(d -> {
            for (final String rate : List.of("100", "5")) {
                if (d.validate(rate, new org.apache.nifi.util.MockValidationContext(new org.apache.nifi.util.MockProcessContext(service))).isValid()) {
                    fast.put(d.getName(), rate);
                    return;
                }
            }
        });
        ConnectorTestRunners.reconfigured(runner, service, fast);
    }

    private static void pass(final List<MockFlowFile> input, final TestRunner next) {
        next.clearTransferState();
        ConnectorTestSupport.pass(input, next);
        if (!input.isEmpty()) {
            next.run(input.size());
        }
    }

    private static long count(final MockFlowFile flowFile) {
        return Long.parseLong(flowFile.getAttribute("record.count"));
    }

    private static long count(final TestRunner runner, final org.apache.nifi.processor.Relationship relationship) {
        return runner.getFlowFilesForRelationship(relationship).stream().mapToLong(HistoryChecker::count).sum();
    }

    HistoryChecker(final boolean propagateOptIns, final int histories) throws Exception {
        this.propagateOptIns = propagateOptIns;
        this.histories = histories;
        final Instant start = Instant.now().minusSeconds(3600);
        for (int h = 0; h < histories; h++) {
            final List<SugarStore.Bean> group = new ArrayList<>();
            for (int p = 0; p < PEOPLE; p++) {
                group.add(store.create("Contacts", "P" + p, "Person", address(h, p, 0), start.plusSeconds(p)));
            }
            store.create("Leads", "P0", "Lead", address(h, 0, 0).toUpperCase(Locale.ROOT), start); // one address on a Contact and a Lead
            people.add(group);
        }
        for (final SimulatorServer sim : List.of(sugar, actOn, mailchimp)) {
            sim.start(0);
        }
        final java.util.function.Consumer<TestRunner> toSugar = r -> ConnectorTestSupport.sugar(r, sugar, "v10");
        final java.util.function.Consumer<TestRunner> toActOn = r -> ConnectorTestSupport.actOn(r, actOn);
        final java.util.function.Consumer<TestRunner> toMailchimp = r -> ConnectorTestSupport.mailchimp(r, mailchimp);
        directions.add(new Direction("SugarCRM -> Act-On", "Contacts", SourceEncoding.SUGARCRM_V10, "optout", "acton", new Wiring(toSugar, toActOn)));
        directions.add(new Direction("Act-On -> SugarCRM", "optout", SourceEncoding.ACT_ON, "Contacts", "sugar", new Wiring(toActOn, toSugar)));
        directions.add(new Direction("SugarCRM -> Mailchimp", "Contacts", SourceEncoding.SUGARCRM_V10, "members", "mailchimp", new Wiring(toSugar, toMailchimp)));
        directions.add(new Direction("Mailchimp -> SugarCRM", "members", SourceEncoding.MAILCHIMP, "Contacts", "sugar", new Wiring(toMailchimp, toSugar)));
    }

    static String address(final int history, final int person, final int n) {
        return "g" + history + "p" + person + (n == 0 ? "" : "." + n) + "@example.com";
    }

    /** Records a broken invariant against the history that owns the address (every history, when there is none). */
    private void broken(final String email, final String what) {
        synchronized (violations) {
            final java.util.regex.Matcher owner = email == null ? null : java.util.regex.Pattern.compile("^g(\\d+)p").matcher(email);
            if (owner != null && owner.find()) {
                violations.putIfAbsent(Integer.parseInt(owner.group(1)), what);
            } else {
                for (int h = 0; h < histories; h++) {
                    violations.putIfAbsent(h, what);
                }
            }
        }
    }

    /** What each system holds opted out now, by normalized address. */
    private Map<String, Set<String>> optedOut() {
        final Set<String> inSugar = new TreeSet<>();
        store.optedOutAddresses().forEach(a -> inSugar.add(a.toLowerCase(Locale.ROOT)));
        final Set<String> inActOn = new TreeSet<>(actOn.optOutAddresses());
        final Set<String> inMailchimp = new TreeSet<>();
        mailchimp.all().stream().filter(m -> m.status().equals("unsubscribed") || m.status().equals("cleaned"))
                .forEach(m -> inMailchimp.add(m.email().toLowerCase(Locale.ROOT)));
        return Map.of("sugar", inSugar, "acton", inActOn, "mailchimp", inMailchimp);
    }

    /**
     * Runs the histories side by side, step i of each before round i, then the quiet rounds; the verdicts name the
     * first invariant each history broke.
     */
    Run run(final List<List<Step>> all) throws Exception {
        final int length = all.stream().mapToInt(List::size).max().orElse(0);
        long steps = 0;
        boolean twoPushers = false;
        for (int i = 0; i < length; i++) {
            final Map<String, Set<String>> before = optedOut();
            FaultPlan faults = null;
            for (int h = 0; h < all.size(); h++) {
                if (i < all.get(h).size()) {
                    final Step step = all.get(h).get(i);
                    apply(h, step);
                    steps++;
                    twoPushers |= step.kind() == Kind.TWO_PUSHERS;
                    if (step.kind() == Kind.FAULTS) {
                        faults = new FaultPlan(0.1, step.c(), 50);
                    }
                }
            }
            if (faults != null) {
                final FaultPlan plan = faults;
                List.of(sugar, actOn, mailchimp).forEach(s -> s.faults(plan));
            }
            round(twoPushers, before);
        }
        List.of(sugar, actOn, mailchimp).forEach(s -> {
            s.faults(FaultPlan.NONE);
            s.cancelAfterCalls(); // the vendor-side users are done too: what they had not done yet they never do
        });
        directions.forEach(Direction::anHourPassed); // the first quiet round reads every source's opted-out set again
        int quiet = 0;
        long writes;
        do { // quiet rounds until one writes nothing: each opt-out travels at most two hops (Act-On -> SugarCRM -> Mailchimp)
            writes = writeCalls();
            round(false, optedOut());
            quiet++;
        } while (writeCalls() != writes && quiet < QUIET_ROUNDS);
        if (writeCalls() != writes) {
            broken(null, "I3: still writing after " + QUIET_ROUNDS + " quiet rounds (" + writeCallsByEndpoint() + "); the last round audited "
                    + lastAudits.subList(0, Math.min(6, lastAudits.size())) + "; " + directions.get(0).describe());
        }
        roundsToQuiet = quiet;
        converged();
        writes = writeCalls();
        final String byEndpoint = writeCallsByEndpoint();
        round(false, optedOut());
        if (writeCalls() != writes) {
            broken(null, "I3: a round after a quiet one made " + (writeCalls() - writes) + " write calls (before: " + byEndpoint + "; after: "
                    + writeCallsByEndpoint() + ")");
        }
        return new Run(java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(violations)), steps, roundsToQuiet); // the lowest history first
    }

    private String writeCallsByEndpoint() {
        return "SugarCRM bulk " + sugar.stats().calls("POST /rest/v10/bulk") + ", Act-On uploads " + actOn.stats().calls("PUT /api/1/list/optout")
                + "+" + actOn.stats().calls("PUT /api/1/list/optin") + ", Mailchimp batches " + mailchimp.stats().calls("POST /3.0/lists/{id}");
    }

    private long writeCalls() {
        return sugar.stats().calls("POST /rest/v10/bulk") + actOn.stats().calls("PUT /api/1/list/optout") + actOn.stats().calls("PUT /api/1/list/optin")
                + mailchimp.stats().calls("POST /3.0/lists/{id}");
    }

    /** One round of every direction, then I1 (no opt-out undone) and I4 (every change a sync made is audited). */
    private void round(final boolean twoPushers, final Map<String, Set<String>> before) throws Exception {
        audited.clear();
        lastAudits.clear();
        for (final Direction direction : directions) {
            direction.round(twoPushers);
        }
        final Map<String, Set<String>> after = optedOut();
        for (final String system : after.keySet()) {
            for (final String email : before.get(system)) {
                if (!after.get(system).contains(email)) {
                    broken(email, "I1: " + email + " was opted out in " + system + " and a sync moved it back to subscribed");
                }
            }
            for (final String email : after.get(system)) {
                if (!before.get(system).contains(email) && !userOptOuts.contains(system + " " + email) && !audited.contains(system + " " + email)) {
                    broken(email, "I4: " + email + " was opted out in " + system + " by a sync with no audit record");
                }
            }
        }
    }

    /** I2: every address opted out anywhere that SugarCRM holds on a Contact is opted out in all three systems. */
    private void converged() {
        final Map<String, Set<String>> now = optedOut();
        final Set<String> anywhere = new TreeSet<>();
        now.values().forEach(anywhere::addAll);
        for (final String email : anywhere) {
            final boolean connected = store.beansWithEmail(email).stream().anyMatch(b -> b.module().equals("Contacts"));
            if (!connected) {
                continue;
            }
            for (final Map.Entry<String, Set<String>> system : now.entrySet()) {
                if (!system.getValue().contains(email)) {
                    broken(email, "I2: " + email + " is opted out somewhere but not in " + system.getKey() + " once quiet");
                }
            }
        }
    }

    private void apply(final int history, final Step step) {
        final SugarStore.Bean person = people.get(history).get(step.a());
        final String email = address(history, step.a(), step.b());
        switch (step.kind()) {
            case SUGAR_OPT_OUT -> sugarOptOut(person, email);
            case SUGAR_ADD_ADDRESS -> {
                if (store.beansWithEmail(email).stream().noneMatch(b -> b.id().equals(person.id()))) {
                    store.addAddress("Contacts", person.id(), email);
                }
            }
            case SUGAR_NEW_LEAD -> store.create("Leads", "L" + step.a(), "Lead", email.toUpperCase(Locale.ROOT), Instant.now());
            case ACTON_OPT_OUT -> {
                actOn.optOut(email);
                userOptOuts.add("acton " + email);
            }
            case MAILCHIMP_UNSUBSCRIBE -> mailchimpUnsubscribe(email);
            case MAILCHIMP_SIGN_UP -> {
                if (mailchimp.member(email) == null) {
                    mailchimp.put(email, "subscribed", Instant.now());
                }
            }
            case EDIT_DURING_FETCH -> {
                final String endpoint = step.c() % 2 == 0 ? "POST /rest/v10/{Module}/filter" : "GET /3.0/lists/{id}/members";
                (step.c() % 2 == 0 ? sugar : mailchimp).afterNextCall(endpoint, () -> edit(step, person, email));
            }
            case EDIT_BETWEEN_LOOKUP_AND_WRITE -> {
                // the push's lookup is a filter by address: the next one that is not a fetch page is the push's
                sugar.afterNextCall("POST /rest/v10/{Module}/filter", () -> sugar.afterNextCall("POST /rest/v10/{Module}/filter", () -> edit(step, person, email)));
            }
            case REDELIVER -> directions.get(step.c() % directions.size()).redeliver();
            case AN_HOUR_PASSES -> directions.forEach(Direction::anHourPassed);
            case A_DAY_PASSES -> directions.get(step.c() % directions.size()).aDayPassed();
            default -> {
            }
        }
    }

    /** A vendor-side user's change made while the flow is in the middle of a call. */
    private void edit(final Step step, final SugarStore.Bean person, final String email) {
        switch (step.c() % 3) {
            case 0 -> sugarOptOut(person, email);
            case 1 -> mailchimpUnsubscribe(email);
            default -> {
                actOn.optOut(email);
                userOptOuts.add("acton " + email);
            }
        }
    }

    private void sugarOptOut(final SugarStore.Bean person, final String email) {
        if (store.beansWithEmail(email).stream().anyMatch(b -> b.id().equals(person.id()))) {
            store.optOutAddressInUi("Contacts", person.id(), email, true);
            userOptOuts.add("sugar " + email);
        }
    }

    private void mailchimpUnsubscribe(final String email) {
        if (mailchimp.member(email) == null) {
            mailchimp.put(email, "unsubscribed", Instant.now());
        } else {
            mailchimp.setStatus(email, "unsubscribed");
        }
        userOptOuts.add("mailchimp " + email);
    }

    @Override
    public void close() {
        List.of(sugar, actOn, mailchimp).forEach(SimulatorServer::close);
    }

    /** Runs histories side by side on a fresh set of systems. */
    static Run check(final List<List<Step>> histories, final boolean propagateOptIns) throws Exception {
        try (HistoryChecker checker = new HistoryChecker(propagateOptIns, histories.size())) {
            return checker.run(histories);
        }
    }

    /** Runs one history alone on a fresh set of systems. */
    static Verdict checkOne(final List<Step> steps, final boolean propagateOptIns) {
        try {
            final Run run = check(List.of(steps), propagateOptIns);
            return new Verdict(run.violations().get(0), (int) run.steps());
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shortest history found by removing steps one at a time from a failing one while it still fails. */
    static List<Step> shrink(final List<Step> failing, final Function<List<Step>, Verdict> check) {
        List<Step> current = failing;
        boolean smaller = true;
        while (smaller) {
            smaller = false;
            for (int i = 0; i < current.size(); i++) {
                final List<Step> without = new ArrayList<>(current);
                without.remove(i);
                if (!check.apply(without).ok()) {
                    current = without;
                    smaller = true;
                    break;
                }
            }
        }
        return current;
    }
}
