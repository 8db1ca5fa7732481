package io.optsync.nifi.processors;

import io.optsync.simulators.SimulatorServer;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every connector's full read goes on where it stopped: read a page a run (Full Read Time Per Run 0 sec), it emits
 * the same records as one read of it all, over several runs, never starting over.
 */
class FullReadResumeTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.optsync.nifi.processors.SimulatedVendor#all")
    void aFullReadReadAPageARunEmitsWhatOneReadOfItAllEmits(final SimulatedVendor vendor) throws Exception {
        final String name = vendor.name();
        final String object = vendor.object();
        final BiConsumer<TestRunner, SimulatorServer> connect = vendor.connect();
        try (SimulatorServer sim = vendor.simulator().get()) {
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
