package io.optsync.nifi.processors;

import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 opt-outs pushed (to Act-On, SugarCRM v10 and v4_1, Salesforce) while the simulator fails 20 % of calls with
 * 500, 503, 429, the vendor's own limit error (Salesforce's 403 REQUEST_LIMIT_EXCEEDED, SugarCRM's fault 90),
 * timeouts, connection resets and lost responses (applied, answer never sent). The retry relationship is looped back
 * as a template does. Every opt-out arrives, every record with the address is opted out, no other record changes,
 * nobody is re-subscribed and nothing ends on failure. The figures are printed for the CI log.
 */
class FaultInjectionTest {
    private static final int PUSHED = 10_000;
    private static final double FAULT_SHARE = 0.2;
    private static final int MAX_ROUNDS = 30;
    private static final List<String> FIGURES = new ArrayList<>();

    @AfterAll
    static void printFigures() {
        FIGURES.forEach(System.out::println);
    }

    private static List<String> targets() {
        return IntStream.range(0, PUSHED).mapToObj(i -> "Target" + i + "@Example.com").toList();
    }

    private static String canonicalRecords(final List<String> emails) {
        return emails.stream().map(e -> "{\"optsync_email\":\"" + e.toLowerCase(Locale.ROOT) + "\",\"optsync_opted_out\":true,\"optsync_bounce\":\"NONE\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    /**
     * Client time-outs shorter than the simulator's held-back answers, so that injected time-outs are time-outs, and
     * connector properties set for the test (more calls for Act-On, a quicker pace for SugarCRM).
     */
    private static void tune(final TestRunner runner, final String property, final String value) {
        ConnectorTestRunners.reconfigured(runner, runner.getControllerService("connector"), Map.of(ConnectorProperties.TIMEOUT.getName(), "1 sec", property, value));
    }

    /** Result of pushing through faults: the rounds it took and what ended where. */
    private record Pushed(int rounds, long retried, long failed, long succeeded, Map<String, Object> faults) {
    }

    /** Runs the push until nothing is left to retry, re-queuing the retry relationship each round, as the template's loop does. */
    private static Pushed pushThroughFaults(final TestRunner push, final SimulatorServer sim) {
        sim.faults(new FaultPlan(FAULT_SHARE, 2026, 1500));
        push.enqueue(canonicalRecords(targets()).getBytes(StandardCharsets.UTF_8));
        int rounds = 0;
        long retried = 0;
        long failed = 0;
        long succeeded = 0;
        while (!push.isQueueEmpty() && rounds < MAX_ROUNDS) {
            rounds++;
            push.clearTransferState();
            push.run(push.getQueueSize().getObjectCount());
            final List<MockFlowFile> retry = push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_RETRY);
            retried += count(retry);
            failed += count(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_FAILURE));
            succeeded += count(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS));
            assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_HELD)).isEmpty();
            ConnectorTestSupport.pass(retry, push);
        }
        sim.faults(FaultPlan.NONE);
        return new Pushed(rounds, retried, failed, succeeded, sim.stats().snapshot());
    }

    private static long count(final List<MockFlowFile> flowFiles) {
        return flowFiles.stream().mapToLong(f -> Long.parseLong(f.getAttribute(OptOutAttributes.RECORD_COUNT))).sum();
    }

    private static TestRunner pushRunner(final String object) {
        return RecordTestSupport.push(object);
    }

    @Test
    void everyOptOutReachesActOnThroughFaults() throws Exception {
        try (ActOnSimulator actOn = new ActOnSimulator()) {
            actOn.seed(500, 11);
            actOn.start(0);
            final Set<String> before = new HashSet<>(actOn.optOutAddresses());
            final TestRunner push = pushRunner("optout");
            ConnectorTestSupport.actOn(push, actOn);
            tune(push, "Batch Size", "250"); // 40 uploads rather than 1, so that faults hit them

            final Pushed pushed = pushThroughFaults(push, actOn);

            final List<String> after = actOn.optOutAddresses();
            final Set<String> expected = new HashSet<>(before);
            targets().forEach(t -> expected.add(t.toLowerCase(Locale.ROOT)));
            final long lost = targets().stream().filter(t -> !after.contains(t.toLowerCase(Locale.ROOT))).count();
            final long resubscribed = before.stream().filter(a -> !after.contains(a)).count();
            final long duplicated = after.size() - new HashSet<>(after).size();
            report("Act-On", pushed, lost, resubscribed, duplicated, new HashSet<>(after).equals(expected) ? 0 : 1);
            assertThat(lost).isZero();
            assertThat(resubscribed).isZero();
            assertThat(duplicated).isZero();
            assertThat(new HashSet<>(after)).isEqualTo(expected);
            assertThat(pushed.failed()).as("no opt-out ends on failure").isZero();
            assertThat(push.isQueueEmpty()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void everyOptOutReachesEverySugarRecordThroughFaults(final String version) throws Exception {
        final SugarStore store = new SugarStore().seed(2_000, 5);
        final List<String> targets = targets();
        for (int i = 0; i < targets.size(); i++) {
            store.create("Contacts", "T", "Target" + i, targets.get(i), Instant.now());
            if (i % 20 == 0) { // a duplicate Contact and a Lead with the same address, in another case
                store.create("Contacts", "T", "Twin" + i, targets.get(i).toUpperCase(Locale.ROOT), Instant.now());
                store.create("Leads", "T", "Lead" + i, targets.get(i), Instant.now());
            }
        }
        final Map<String, Boolean> othersBefore = otherRecords(store, targets);
        final int recordsBefore = store.size("Contacts") + store.size("Leads");
        try (SimulatorServer sugar = version.equals("v10") ? new SugarV10Simulator(store) : new SugarV41Simulator(store)) {
            sugar.start(0);
            final TestRunner push = pushRunner("Contacts");
            ConnectorTestSupport.sugar(push, sugar, version);
            tune(push, "Requests Per Second", "50");

            final Pushed pushed = pushThroughFaults(push, sugar);

            long lost = 0;
            for (final String target : targets) {
                lost += store.beansWithEmail(target).stream().filter(b -> !b.emailOptOut()).count();
            }
            final Map<String, Boolean> othersAfter = otherRecords(store, targets);
            final long resubscribed = othersBefore.entrySet().stream().filter(e -> e.getValue() && !othersAfter.get(e.getKey())).count();
            final long wrong = othersBefore.entrySet().stream().filter(e -> !e.getValue().equals(othersAfter.get(e.getKey()))).count();
            final long created = store.size("Contacts") + store.size("Leads") - recordsBefore;
            report("SugarCRM " + version, pushed, lost, resubscribed, created, wrong);
            assertThat(lost).as("records with a pushed address still opted in").isZero();
            assertThat(resubscribed).isZero();
            assertThat(wrong).as("records without a pushed address that changed").isZero();
            assertThat(created).as("records created").isZero();
            assertThat(pushed.failed()).as("no opt-out ends on failure").isZero();
            assertThat(push.isQueueEmpty()).isTrue();
        }
    }

    @Test
    void everyOptOutReachesSalesforceThroughFaultsIncludingItsRequestLimitError() throws Exception {
        try (io.optsync.simulators.SalesforceSimulator salesforce = new io.optsync.simulators.SalesforceSimulator()) {
            salesforce.seed(1_000, 5);
            final List<String> targets = targets();
            for (int i = 0; i < targets.size(); i++) {
                salesforce.create("Contact", "T", "Target" + i, targets.get(i));
                if (i % 20 == 0) {
                    salesforce.create("Contact", "T", "Twin" + i, targets.get(i).toUpperCase(Locale.ROOT));
                }
            }
            final Map<String, Boolean> othersBefore = new HashMap<>();
            final Set<String> pushed = targets.stream().map(t -> t.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
            salesforce.all("Contact").stream().filter(r -> !pushed.contains(r.email().toLowerCase(Locale.ROOT)))
                    .forEach(r -> othersBefore.put(r.id(), r.optedOut()));
            final int recordsBefore = salesforce.all("Contact").size();
            salesforce.start(0);
            final TestRunner push = pushRunner("Contact");
            ConnectorTestSupport.salesforce(push, salesforce);
            tune(push, "Requests Per Second", "50");

            final Pushed result = pushThroughFaults(push, salesforce);

            final long lost = salesforce.all("Contact").stream().filter(r -> pushed.contains(r.email().toLowerCase(Locale.ROOT)) && !r.optedOut()).count();
            final long resubscribed = othersBefore.entrySet().stream().filter(e -> e.getValue() && !salesforce.record(e.getKey()).optedOut()).count();
            final long wrong = othersBefore.entrySet().stream().filter(e -> e.getValue() != salesforce.record(e.getKey()).optedOut()).count();
            final long created = salesforce.all("Contact").size() - recordsBefore;
            report("Salesforce", result, lost, resubscribed, created, wrong);
            assertThat(created).as("records created").isZero();
            assertThat(lost).isZero();
            assertThat(resubscribed).isZero();
            assertThat(wrong).isZero();
            assertThat(result.failed()).isZero();
            assertThat(push.isQueueEmpty()).isTrue();
        }
    }

    /** The opt-out flag of every Contact and Lead whose address was not pushed, by module and id. */
    private static Map<String, Boolean> otherRecords(final SugarStore store, final List<String> targets) {
        final Set<String> pushed = targets.stream().map(t -> t.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        final Map<String, Boolean> flags = new HashMap<>();
        for (final String module : SugarStore.MODULES) {
            store.sortedByModified(module).stream().filter(b -> !pushed.contains(b.primary().address().toLowerCase(Locale.ROOT)))
                    .forEach(b -> flags.put(module + "/" + b.id(), b.emailOptOut()));
        }
        return flags;
    }

    private static void report(final String target, final Pushed pushed, final long lost, final long resubscribed, final long duplicated, final long wrong) {
        FIGURES.add(String.format(Locale.ROOT, "FIGURE fault injection, %s: %,d opt-outs pushed at %.0f %% faults %s in %d round(s), %,d record retries; "
                        + "lost %d, re-subscribed %d, duplicated %d, wrong state %d, on failure %d", target, PUSHED, FAULT_SHARE * 100,
                pushed.faults().get("faults"), pushed.rounds(), pushed.retried(), lost, resubscribed, duplicated, wrong, pushed.failed()));
    }
}
