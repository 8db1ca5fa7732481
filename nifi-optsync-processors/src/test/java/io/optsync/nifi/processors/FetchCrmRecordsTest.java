package io.optsync.nifi.processors;

import io.optsync.nifi.connector.Watermark;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FetchCrmRecordsTest {
    private SugarStore store;
    private SugarV10Simulator sim;
    private TestRunner fetch;

    @BeforeEach
    void setUp() throws Exception {
        store = new SugarStore().seed(120, 2);
        sim = new SugarV10Simulator(store);
        sim.start(0);
        fetch = RecordTestSupport.fetch("Contacts");
        fetch.setProperty(FetchCrmRecords.PAGE_SIZE, "40");
        fetch.setProperty(FetchCrmRecords.MAX_RECORDS_PER_FLOWFILE, "40");
        ConnectorTestSupport.sugar(fetch, sim, "v10");
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void writesOneSchemaSplitsTheOutputAndKeepsItsState() throws Exception {
        final java.time.Instant before = java.time.Instant.now();
        fetch.run();
        final List<MockFlowFile> out = fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS);
        assertThat(out).extracting(f -> f.getAttribute("record.count")).containsExactly("40", "40", "40");
        assertThat(out).allSatisfy(f -> {
            f.assertAttributeEquals("optsync.system", "SugarCRM");
            f.assertAttributeEquals("optsync.object", "Contacts");
            f.assertAttributeEquals("optsync.fetch.mode", "full");
        });
        final var first = RecordTestSupport.records(out.getFirst()).getFirst();
        assertThat(first.fieldNames()).toIterable().containsExactly("system", "object", "id", "email", "opt_out", "hard_bounce", "modified_at", "fields");
        assertThat(first.get("opt_out").asText()).isIn("true", "false");
        final Map<String, String> state = fetch.getStateManager().getState(Scope.CLUSTER).toMap();
        assertThat(state).containsKeys(FetchCrmRecords.STATE_WATERMARK, FetchCrmRecords.STATE_SEEN, FetchCrmRecords.STATE_FULL, FetchCrmRecords.STATE_RECONCILE)
                .containsEntry(FetchCrmRecords.STATE_OBJECT, "Contacts");
        assertThat(Watermark.decode(state.get(FetchCrmRecords.STATE_WATERMARK)).modifiedAt()).as("the first full read: the changes are read from then on")
                .isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(state).doesNotContainKeys(FetchCrmRecords.STATE_FULL_CURSOR, FetchCrmRecords.STATE_FULL_STARTED);
        assertThat(fetch.getProvenanceEvents()).extracting(e -> e.getEventType()).containsOnly(ProvenanceEventType.RECEIVE);
        assertThat(fetch.getProvenanceEvents().getFirst().getTransitUri()).as("the vendor's endpoint").isEqualTo(sim.baseUrl() + "/rest/v10/Contacts/filter");

        fetch.clearTransferState();
        fetch.run();
        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS)).as("nothing changed: the overlap is not emitted again").isEmpty();
    }

    @Test
    void aFailedReadEmitsNothingAndLeavesTheStateAlone() throws Exception {
        fetch.run();
        final Map<String, String> before = fetch.getStateManager().getState(Scope.CLUSTER).toMap();
        fetch.clearTransferState();
        sim.faults(new FaultPlan(1.0, 9, 50));
        store.optOutInUi("Contacts", store.sortedByModified("Contacts").get(3).id(), true);
        fetch.run();
        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS)).isEmpty();
        assertThat(fetch.getStateManager().getState(Scope.CLUSTER).toMap()).isEqualTo(before);

        sim.faults(FaultPlan.NONE);
        fetch.run();
        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS)).as("the next run picks the change up").isNotEmpty();
    }

    @Test
    void changingTheObjectStartsOver() throws Exception {
        fetch.run();
        fetch.clearTransferState();
        fetch.setProperty(OptOutProperties.OBJECT, "Leads");
        fetch.run();
        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).getFirst().getAttribute("optsync.fetch.mode")).isEqualTo("full");
        assertThat(fetch.getStateManager().getState(Scope.CLUSTER).get(FetchCrmRecords.STATE_OBJECT)).isEqualTo("Leads");
    }

    private static final String FILTER = "POST /rest/v10/{Module}/filter";

    private List<String> ids(final String mode) {
        return RecordTestSupport.records(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).stream()
                .filter(f -> mode.equals(f.getAttribute("optsync.fetch.mode"))).toList()).stream().map(r -> r.path("id").asText()).toList();
    }

    private Map<String, String> state() throws java.io.IOException {
        return fetch.getStateManager().getState(Scope.CLUSTER).toMap();
    }

    @Test
    void aReadThatFailsLosesOnlyItsOwnRecords() throws Exception {
        fetch.run();
        final String changed = store.sortedByModified("Contacts").get(3).id();
        store.optOutInUi("Contacts", changed, true);
        final Map<String, String> due = new java.util.HashMap<>(state());
        due.remove(FetchCrmRecords.STATE_RECONCILE); // the hourly read of the opted-out set is due
        fetch.getStateManager().setState(due, Scope.CLUSTER);
        fetch.clearTransferState();
        sim.afterNextCall(FILTER, () -> sim.faults(new FaultPlan(1.0, 9, 50))); // the incremental read is answered, the opted-out read is not
        fetch.run();

        assertThat(ids("incremental")).as("the incremental read committed on its own").containsExactly(changed);
        assertThat(ids("opted-out")).isEmpty();
        assertThat(Watermark.decode(state().get(FetchCrmRecords.STATE_WATERMARK)).modifiedAt()).isAfterOrEqualTo(store.bean("Contacts", changed).dateModified());
        assertThat(state()).as("the opted-out read is still due").doesNotContainKey(FetchCrmRecords.STATE_RECONCILE);

        sim.faults(FaultPlan.NONE);
        fetch.clearTransferState();
        fetch.run();
        assertThat(ids("opted-out")).contains(changed);
        assertThat(ids("incremental")).as("already emitted").isEmpty();
    }

    @Test
    void aFullReadGoesOnWhereItStoppedAndTheChangesComeFirst() throws Exception {
        fetch.setProperty(FetchCrmRecords.FULL_READ_TIME, "0 sec"); // every run reads one page of it
        final List<String> everyId = store.sortedByModified("Contacts").stream().map(SugarStore.Bean::id).toList();
        fetch.run();
        final List<String> full = new java.util.ArrayList<>(ids("full"));
        assertThat(full).containsExactlyElementsOf(everyId.subList(0, 40));
        assertThat(state()).containsKeys(FetchCrmRecords.STATE_FULL_CURSOR, FetchCrmRecords.STATE_FULL_STARTED).doesNotContainKey(FetchCrmRecords.STATE_FULL);
        assertThat(fetch.getCounterValue("Full reads completed")).as("a full read is counted when it ends").isNull();
        final String began = state().get(FetchCrmRecords.STATE_FULL_STARTED);

        final String changed = everyId.get(3);
        store.optOutInUi("Contacts", changed, true);
        fetch.clearTransferState();
        fetch.run();
        assertThat(ids("incremental")).as("a change made during a full read is not held until it ends").containsExactly(changed);
        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).getFirst().getAttribute("optsync.fetch.mode")).isEqualTo("incremental");
        full.addAll(ids("full"));

        final long callsBefore = sim.stats().calls(FILTER);
        for (int run = 0; run < 5 && state().containsKey(FetchCrmRecords.STATE_FULL_CURSOR); run++) {
            fetch.clearTransferState();
            fetch.run();
            full.addAll(ids("full"));
        }
        assertThat(state()).doesNotContainKeys(FetchCrmRecords.STATE_FULL_CURSOR, FetchCrmRecords.STATE_FULL_STARTED)
                .containsEntry(FetchCrmRecords.STATE_FULL, began);
        assertThat(fetch.getCounterValue("Full reads completed")).isEqualTo(1L);
        assertThat(full).as("every record once, and the changed one again at its new place: the read never started over")
                .hasSize(121).containsAll(everyId).endsWith(changed);
        assertThat(sim.stats().calls(FILTER) - callsBefore).as("one incremental call and one page a run").isEqualTo(2 * 2);
    }

    @Test
    void aFullReadThatFailsMidwayGoesOnFromItsLastCommit() throws Exception {
        final List<String> everyId = store.sortedByModified("Contacts").stream().map(SugarStore.Bean::id).toList();
        // the first run is the full read alone: two pages are read, then the third fails all its attempts
        sim.afterNextCall(FILTER, () -> sim.afterNextCall(FILTER, () -> {
            for (int i = 0; i < 4; i++) {
                sim.faultNext(FILTER, FaultPlan.Fault.SERVER_ERROR);
            }
        }));
        fetch.run();
        assertThat(ids("full")).as("the pages committed before the failure stay").containsExactlyElementsOf(everyId.subList(0, 80));
        assertThat(state()).containsKey(FetchCrmRecords.STATE_FULL_CURSOR).doesNotContainKey(FetchCrmRecords.STATE_FULL);

        fetch.clearTransferState();
        fetch.run();
        assertThat(ids("full")).as("the next run reads only the rest").containsExactlyElementsOf(everyId.subList(80, 120));
        assertThat(state()).doesNotContainKey(FetchCrmRecords.STATE_FULL_CURSOR).containsKey(FetchCrmRecords.STATE_FULL);
    }
}
