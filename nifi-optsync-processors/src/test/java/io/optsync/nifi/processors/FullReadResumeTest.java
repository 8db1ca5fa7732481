package io.optsync.nifi.processors;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every connector's full read goes on where it stopped: read a page a run (Full Read Time Per Run 0 sec), it emits
 * the same records as one read of it all, over several runs, never starting over.
 */
class FullReadResumeTest {

    static Stream<Arguments> vendors() {
        return Stream.of(
                vendor("SugarCRM v10", () -> new SugarV10Simulator(new SugarStore().seed(230, 3)), (r, s) -> ConnectorTestSupport.sugar(r, s, "v10"), "Contacts"),
                vendor("SugarCRM v4_1", () -> new SugarV41Simulator(new SugarStore().seed(230, 3)), (r, s) -> ConnectorTestSupport.sugar(r, s, "v4_1"), "Contacts"),
                vendor("Act-On", () -> new ActOnSimulator().seed(230, 3), ConnectorTestSupport::actOn, "optout"),
                vendor("ActiveCampaign", () -> new ActiveCampaignSimulator().seed(230, 3), (r, s) -> ConnectorTestSupport.activeCampaign(r, s, null), "contacts"),
                vendor("Mailchimp", () -> new MailchimpSimulator().seed(230, 3), ConnectorTestSupport::mailchimp, "members"),
                vendor("NetSuite", () -> new NetSuiteSimulator().seed(230, 3), ConnectorTestSupport::netSuite, "customer"),
                vendor("Salesforce", () -> {
                    final SalesforceSimulator sim = new SalesforceSimulator().seed(1200, 3); // short pages hold up to 250 records
                    sim.shortPages(true);
                    return sim;
                }, ConnectorTestSupport::salesforce, "Contact"));
    }

    private static Arguments vendor(final String name, final Supplier<SimulatorServer> sim, final BiConsumer<TestRunner, SimulatorServer> connect,
                                    final String object) {
        return Arguments.of(name, sim, connect, object);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void aFullReadReadAPageARunEmitsWhatOneReadOfItAllEmits(final String name, final Supplier<SimulatorServer> sims,
                                                            final BiConsumer<TestRunner, SimulatorServer> connect, final String object) throws Exception {
        try (SimulatorServer sim = sims.get()) {
            sim.start(0);
            final TestRunner whole = fetch(sim, connect, object, "10 min");
            whole.run();
            final Set<String> expected = ids(whole);
            assertThat(expected).hasSizeGreaterThan(100);

            final TestRunner sliced = fetch(sim, connect, object, "0 sec");
            final List<String> read = new ArrayList<>();
            int runs = 0;
            do {
                sliced.clearTransferState();
                sliced.run();
                read.addAll(ids(sliced));
                runs++;
            } while (sliced.getStateManager().getState(Scope.CLUSTER).get(FetchCrmRecords.STATE_FULL_CURSOR) != null && runs < 100);
            assertThat(new HashSet<>(read)).as(name + ": the same records").isEqualTo(expected);
            assertThat(runs).as(name + ": read over several runs").isGreaterThan(2);
            // starting over would read the first pages again every run: about runs / 2 times everything
            assertThat(read.size()).as(name + ": never started over (a quarter of a page again a run at most, where a read goes on a little back)")
                    .isLessThanOrEqualTo(expected.size() + runs * 50 / 4);
            assertThat(sliced.getStateManager().getState(Scope.CLUSTER).get(FetchCrmRecords.STATE_FULL)).as(name + ": done").isNotNull();
        }
    }

    private static TestRunner fetch(final SimulatorServer sim, final BiConsumer<TestRunner, SimulatorServer> connect, final String object,
                                    final String slice) throws Exception {
        final TestRunner fetch = RecordTestSupport.fetch(object);
        fetch.setProperty(FetchCrmRecords.PAGE_SIZE, "50");
        fetch.setProperty(FetchCrmRecords.FULL_READ_TIME, slice);
        connect.accept(fetch, sim);
        return fetch;
    }

    private static Set<String> ids(final TestRunner fetch) {
        final Set<String> ids = new HashSet<>();
        RecordTestSupport.records(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).stream()
                .filter(f -> "full".equals(f.getAttribute("optsync.fetch.mode"))).toList()).forEach(r -> ids.add(r.path("id").asText() + " " + r.path("email").asText()));
        return ids;
    }
}
