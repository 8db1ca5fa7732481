package io.optsync.nifi.processors;

import io.optsync.simulators.MovingClock;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** FetchCrmRecords' Quiet Read Interval against the SugarCRM simulator: fewer reads while nothing changes, none missed. */
class FetchQuietReadsTest {
    private static final String FILTER = "POST /rest/v10/{Module}/filter";


    @Test
    void quietRunsReadLessAndTheFirstChangeIsReadWithinTheIntervalThenEveryRunAgain() throws Exception {
        final SugarStore store = new SugarStore().seed(50, 2);
        try (SugarV10Simulator sugar = new SugarV10Simulator(store)) {
            sugar.start(0);
            final MovingClock clock = new MovingClock(Instant.parse("2026-12-01T00:00:00Z"));
            final TestRunner fetch = fetch(sugar, clock, "2 min");
            fetch.run(1, false, true); // the initial full read
            sugar.stats().reset();

            final int quietRuns = quiet(fetch, clock, 40); // 10 minutes
            assertThat(sugar.stats().calls(FILTER)).as("7 reads in 10 quiet minutes (gaps 30, 60, 120 s ...), not 40").isEqualTo(7);

            final String changed = store.sortedByModified("Contacts").getFirst().id();
            store.optOutInUi("Contacts", changed, !store.bean("Contacts", changed).emailOptOut());
            int waited = 0;
            while (emitted(fetch, clock) == 0) {
                waited += 15;
                assertThat(waited).as("read within the Quiet Read Interval").isLessThanOrEqualTo(120);
            }
            final long before = sugar.stats().calls(FILTER);
            emitted(fetch, clock);
            assertThat(sugar.stats().calls(FILTER)).as("after a change, the next run reads").isEqualTo(before + 1);
            assertThat(quietRuns).isEqualTo(40);
        }
    }

    @Test
    void zeroReadsOnEveryRun() throws Exception {
        try (SugarV10Simulator sugar = new SugarV10Simulator(new SugarStore().seed(20, 2))) {
            sugar.start(0);
            final MovingClock clock = new MovingClock(Instant.parse("2026-12-01T00:00:00Z"));
            final TestRunner fetch = fetch(sugar, clock, "0 sec");
            fetch.run(1, false, true);
            sugar.stats().reset();
            quiet(fetch, clock, 40);
            assertThat(sugar.stats().calls(FILTER)).isEqualTo(40);
        }
    }

    private static TestRunner fetch(final SugarV10Simulator sugar, final Clock clock, final String quiet) throws Exception {
        final TestRunner fetch = RecordTestSupport.fetch("Contacts");
        fetch.setProperty(FetchCrmRecords.FULL_RESYNC_INTERVAL, "0 sec");
        fetch.setProperty(FetchCrmRecords.RECONCILIATION_INTERVAL, "0 sec");
        fetch.setProperty(FetchCrmRecords.QUIET_READ_INTERVAL, quiet);
        ConnectorTestSupport.sugar(fetch, sugar, "v10");
        ((FetchCrmRecords) fetch.getProcessor()).setClock(clock);
        return fetch;
    }

    private static int quiet(final TestRunner fetch, final MovingClock clock, final int runs) {
        for (int i = 0; i < runs; i++) {
            assertThat(emitted(fetch, clock)).isZero();
        }
        return runs;
    }

    /** One run, 15 s after the last: the records it emitted. */
    private static int emitted(final TestRunner fetch, final MovingClock clock) {
        clock.advance(java.time.Duration.ofSeconds(15));
        fetch.clearTransferState();
        fetch.run(1, false, false);
        return fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).size();
    }
}
