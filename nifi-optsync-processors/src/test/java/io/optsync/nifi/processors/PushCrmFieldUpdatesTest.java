package io.optsync.nifi.processors;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.optsync.nifi.processors.PushCrmFieldUpdates.REL_FAILURE;
import static io.optsync.nifi.processors.PushCrmFieldUpdates.REL_RETRY;
import static io.optsync.nifi.processors.PushCrmFieldUpdates.REL_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

class PushCrmFieldUpdatesTest {
    private ActOnSimulator actOn;
    private SugarV10Simulator sugar;

    @AfterEach
    void stop() {
        if (actOn != null) {
            actOn.close();
        }
        if (sugar != null) {
            sugar.close();
        }
    }

    private static String canonical(final String email, final Object optedOut) {
        return "{\"optsync_email\":\"" + email + "\",\"optsync_opted_out\":" + optedOut + ",\"optsync_bounce\":\"NONE\",\"modified_at\":\"2026-01-01T00:00:00Z\"}";
    }

    @Test
    void routesEachRecordToSuccessFailureOrRetry() throws Exception {
        final SugarStore store = new SugarStore();
        final SugarStore.Bean denied = store.create("Contacts", "D", "Denied", "denied@example.com", Instant.now());
        store.create("Contacts", "O", "Ok", "ok@example.com", Instant.now());
        store.denyAcl(denied.id());
        sugar = new SugarV10Simulator(store);
        sugar.start(0);
        final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
        ConnectorTestSupport.sugar(push, sugar, "v10");
        push.setProperty(OptOutProperties.OBJECT, "Contacts");
        push.enqueue("[" + String.join(",", canonical("ok@example.com", true), canonical("denied@example.com", true), canonical("not an address", true),
                canonical("missing@example.com", true), canonical("subscriber@example.com", false)) + "]");
        push.run();

        final MockFlowFile success = push.getFlowFilesForRelationship(REL_SUCCESS).getFirst();
        success.assertAttributeEquals("record.count", "3"); // ok, missing (nothing to write), subscribed (opt-ins off)
        final List<MockFlowFile> failures = push.getFlowFilesForRelationship(REL_FAILURE);
        assertThat(failures).extracting(f -> f.getAttribute("optsync.failure.value")).containsExactlyInAnyOrder("\"not_authorized\"", "\"not an address\"");
        assertThat(failures).allSatisfy(f -> assertThat(f.getAttribute("optsync.failure.reason")).isNotBlank());
        assertThat(store.isOptedOut("ok@example.com")).isTrue();
        assertThat(store.isOptedOut("denied@example.com")).isFalse();
        assertThat(push.getProvenanceEvents()).extracting(e -> e.getEventType()).contains(ProvenanceEventType.SEND);
        assertThat(push.getProvenanceEvents()).filteredOn(e -> e.getEventType() == ProvenanceEventType.SEND)
                .allSatisfy(e -> assertThat(e.getTransitUri()).isEqualTo("optsync:sugarcrm/Contacts"));
    }

    @Test
    void whatTheVendorCannotTakeNowGoesToRetryPenalized() throws Exception {
        actOn = new ActOnSimulator();
        actOn.start(0);
        final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
        ConnectorTestSupport.actOn(push, actOn);
        push.setProperty(OptOutProperties.OBJECT, "optout");
        actOn.faults(new FaultPlan(1.0, 5, 100));
        push.enqueue("[" + canonical("a@example.com", true) + "," + canonical("b@example.com", true) + "]");
        push.run();
        final MockFlowFile retry = push.getFlowFilesForRelationship(REL_RETRY).getFirst();
        retry.assertAttributeEquals("record.count", "2");
        assertThat(retry.isPenalized()).isTrue();
        assertThat(actOn.optOutAddresses()).isEmpty();

        actOn.faults(FaultPlan.NONE);
        push.clearTransferState();
        push.enqueue(retry.toByteArray());
        push.run();
        push.assertAllFlowFilesTransferred(REL_SUCCESS, 1);
        assertThat(actOn.optOutAddresses()).containsExactlyInAnyOrder("a@example.com", "b@example.com");
    }

    @Test
    void optInsAreWrittenOnlyWhenPropagatedAndNewer() throws Exception {
        final SugarStore store = new SugarStore();
        final SugarStore.Bean bean = store.create("Contacts", "S", "Sub", "sub@example.com", Instant.now());
        bean.primary();
        store.optOutInUi("Contacts", bean.id(), true);
        sugar = new SugarV10Simulator(store);
        sugar.start(0);
        final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
        ConnectorTestSupport.sugar(push, sugar, "v10");
        push.setProperty(OptOutProperties.OBJECT, "Contacts");
        push.setProperty(PushCrmFieldUpdates.CONSENT_TIME_PATH, "/modified_at");
        push.enqueue("[" + canonical("sub@example.com", false) + "]");
        push.run();
        assertThat(store.isOptedOut("sub@example.com")).as("opt-ins off by default").isTrue();

        push.setProperty(PushCrmFieldUpdates.PROPAGATE_OPT_INS, "true");
        push.enqueue("[" + canonical("sub@example.com", false) + "]");
        push.run();
        assertThat(store.isOptedOut("sub@example.com")).as("the target's opt-out time is unknown: never re-subscribed").isTrue();
    }
}
