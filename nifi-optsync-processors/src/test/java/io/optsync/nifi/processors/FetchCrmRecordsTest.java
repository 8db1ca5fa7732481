package io.optsync.nifi.processors;

import io.optsync.nifi.connector.Watermark;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.json.JsonRecordSetWriter;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
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
        fetch = TestRunners.newTestRunner(FetchCrmRecords.class);
        fetch.addControllerService("writer", new JsonRecordSetWriter());
        fetch.enableControllerService(fetch.getControllerService("writer"));
        fetch.setProperty(OptOutProperties.RECORD_WRITER, "writer");
        fetch.setProperty(OptOutProperties.OBJECT, "Contacts");
        fetch.setProperty(FetchCrmRecords.PAGE_SIZE, "50");
        fetch.setProperty(FetchCrmRecords.MAX_RECORDS_PER_FLOWFILE, "40");
        ConnectorTestSupport.sugar(fetch, sim, "v10");
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void writesOneSchemaSplitsTheOutputAndKeepsItsState() throws Exception {
        fetch.run();
        final List<MockFlowFile> out = fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS);
        assertThat(out).extracting(f -> f.getAttribute("record.count")).containsExactly("40", "40", "40");
        assertThat(out).allSatisfy(f -> {
            f.assertAttributeEquals("optsync.system", "SugarCRM");
            f.assertAttributeEquals("optsync.object", "Contacts");
            f.assertAttributeEquals("optsync.fetch.modes", "full");
        });
        final var first = RecordTestSupport.records(out.getFirst()).getFirst();
        assertThat(first.fieldNames()).toIterable().containsExactly("system", "object", "id", "email", "opt_out", "hard_bounce", "modified_at", "fields");
        assertThat(first.get("opt_out").asText()).isIn("true", "false");
        final Map<String, String> state = fetch.getStateManager().getState(Scope.CLUSTER).toMap();
        assertThat(state).containsKeys(FetchCrmRecords.STATE_WATERMARK, FetchCrmRecords.STATE_SEEN, FetchCrmRecords.STATE_FULL, FetchCrmRecords.STATE_RECONCILE)
                .containsEntry(FetchCrmRecords.STATE_OBJECT, "Contacts");
        assertThat(Watermark.decode(state.get(FetchCrmRecords.STATE_WATERMARK)).modifiedAt())
                .isEqualTo(store.sortedByModified("Contacts").getLast().dateModified());
        assertThat(fetch.getProvenanceEvents()).extracting(e -> e.getEventType()).containsOnly(ProvenanceEventType.RECEIVE);
        assertThat(fetch.getProvenanceEvents().getFirst().getTransitUri()).isEqualTo("optsync:sugarcrm/Contacts");

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
        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).getFirst().getAttribute("optsync.fetch.modes")).isEqualTo("full");
        assertThat(fetch.getStateManager().getState(Scope.CLUSTER).get(FetchCrmRecords.STATE_OBJECT)).isEqualTo("Leads");
    }
}
