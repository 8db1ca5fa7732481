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

    /** Starts the SugarCRM v10 simulator with one Contact per address. */
    private SugarStore sugarWithContacts(final String... emails) throws java.io.IOException {
        final SugarStore store = new SugarStore();
        for (final String email : emails) {
            store.create("Contacts", "A", "Contact", email, Instant.now());
        }
        sugar = new SugarV10Simulator(store);
        sugar.start(0);
        return store;
    }

    /** A push to the SugarCRM v10 simulator's Contacts. */
    private TestRunner pushToSugarContacts() {
        final TestRunner push = RecordTestSupport.push("Contacts");
        ConnectorTestSupport.sugar(push, sugar, "v10");
        return push;
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
        final TestRunner push = pushToSugarContacts();
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
                .allSatisfy(e -> assertThat(e.getTransitUri()).as("the vendor's endpoint").isEqualTo(sugar.baseUrl() + "/rest/v10/bulk"));
    }

    @Test
    void aRunThatWroteSaysSoInProvenanceAlsoWhenSuccessIsAutoTerminated() throws Exception {
        final SugarStore store = sugarWithContacts("ok@example.com");
        // MockProcessContext never reports a relationship as auto-terminated, so stand in for NiFi's answer, as the templates set it
        final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates() {
            @Override
            java.util.Set<org.apache.nifi.processor.Relationship> relationshipsNotWritten(final org.apache.nifi.processor.ProcessContext context) {
                return java.util.Set.of(REL_SUCCESS);
            }
        }, RecordTestSupport.Format.JSON);
        push.setProperty(OptOutProperties.OBJECT, "Contacts");
        ConnectorTestSupport.sugar(push, sugar, "v10");
        push.enqueue("[" + canonical("ok@example.com", true) + "]");
        push.run();

        assertThat(store.isOptedOut("ok@example.com")).isTrue();
        assertThat(push.getFlowFilesForRelationship(REL_SUCCESS)).isEmpty();
        assertThat(push.getProvenanceEvents()).filteredOn(e -> e.getEventType() == ProvenanceEventType.SEND).singleElement()
                .satisfies(e -> assertThat(e.getTransitUri()).isEqualTo(sugar.baseUrl() + "/rest/v10/bulk"));
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
        push.assertTransferCount(REL_SUCCESS, 1);
        push.assertTransferCount(PushCrmFieldUpdates.REL_AUDIT, 1);
        assertThat(actOn.optOutAddresses()).containsExactlyInAnyOrder("a@example.com", "b@example.com");
    }

    private static String sourced(final String email, final String id) {
        return "{\"system\":\"SugarCRM\",\"object\":\"Contacts\",\"id\":\"" + id + "\",\"modified_at\":\"2026-03-01T10:00:00Z\","
                + "\"optsync_email\":\"" + email + "\",\"optsync_opted_out\":true,\"optsync_bounce\":\"NONE\"}";
    }

    @Test
    void everyWriteLeavesAnAuditRecordAndAProvenanceEventThatSaysSo() throws Exception {
        final SugarStore store = new SugarStore();
        final SugarStore.Bean a = store.create("Contacts", "A", "One", "dup@example.com", Instant.now());
        final SugarStore.Bean b = store.create("Contacts", "B", "Two", "DUP@example.com", Instant.now());
        sugar = new SugarV10Simulator(store);
        sugar.start(0);
        final TestRunner push = pushToSugarContacts();
        push.enqueue("[" + sourced("dup@example.com", "src-1") + "]");
        push.run();

        final List<com.fasterxml.jackson.databind.JsonNode> audit = RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT));
        assertThat(audit).as("one per target record: the duplicate too").hasSize(2);
        assertThat(audit).extracting(r -> r.get("target_id").asText()).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(audit).allSatisfy(r -> {
            assertThat(r.get("outcome").asText()).isEqualTo("WRITTEN");
            assertThat(r.get("dry_run").asBoolean()).isFalse();
            assertThat(r.get("email").asText()).isEqualTo("dup@example.com");
            assertThat(r.get("source_system").asText()).isEqualTo("SugarCRM");
            assertThat(r.get("source_id").asText()).isEqualTo("src-1");
            assertThat(r.get("source_changed_at").asText()).isEqualTo("2026-03-01T10:00:00Z");
            assertThat(r.get("target_system").asText()).isEqualTo("SugarCRM");
            assertThat(r.get("field").asText()).isEqualTo("opt_out");
            assertThat(r.get("old_value").asText()).isEqualTo("false");
            assertThat(r.get("new_value").asText()).isEqualTo("true");
            assertThat(r.get("reason").asText()).contains("an opt-out always wins");
            assertThat(r.get("run_id").asText()).isNotBlank();
        });
        assertThat(push.getProvenanceEvents()).filteredOn(e -> e.getEventType() == ProvenanceEventType.SEND).singleElement()
                .satisfies(e -> assertThat(e.getDetails()).contains("2 field changes written").contains(audit.getFirst().get("run_id").asText()));

        push.clearTransferState();
        push.enqueue("[" + sourced("dup@example.com", "src-1") + "]");
        push.run();
        assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT)).as("already opted out: nothing to write, nothing to audit").isEmpty();
    }

    @Test
    void aDryRunWritesNothingAndAuditsWhatItWouldWrite() throws Exception {
        final SugarStore store = sugarWithContacts("dry@example.com");
        final TestRunner push = pushToSugarContacts();
        push.setProperty(PushCrmFieldUpdates.DRY_RUN, "true");
        push.enqueue("[" + sourced("dry@example.com", "src-9") + "]");
        push.run();
        assertThat(store.isOptedOut("dry@example.com")).isFalse();
        assertThat(sugar.stats().calls("POST /rest/v10/bulk")).isZero();
        push.assertTransferCount(REL_SUCCESS, 1);
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT))).singleElement().satisfies(r -> {
            assertThat(r.get("dry_run").asBoolean()).isTrue();
            assertThat(r.get("outcome").asText()).isEqualTo("DRY_RUN");
            assertThat(r.get("new_value").asText()).isEqualTo("true");
        });
        assertThat(push.getProvenanceEvents()).filteredOn(e -> e.getEventType() == ProvenanceEventType.SEND).singleElement()
                .satisfies(e -> assertThat(e.getDetails()).startsWith("dry run").contains("not written"));
    }

    @Test
    void theBlastRadiusGuardHoldsARunThatWouldChangeTooMuch() throws Exception {
        final SugarStore store = new SugarStore();
        final StringBuilder records = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            store.create("Contacts", "G", "Guard" + i, "guard" + i + "@example.com", Instant.now());
            records.append(i == 0 ? "" : ",").append(sourced("guard" + i + "@example.com", "s" + i));
        }
        records.append("]");
        for (int i = 0; i < 6; i++) {
            store.optOutInUi("Contacts", store.beansWithEmail("guard" + i + "@example.com").getFirst().id(), true);
        }
        sugar = new SugarV10Simulator(store);
        sugar.start(0);
        final TestRunner push = pushToSugarContacts();
        push.setProperty(PushCrmFieldUpdates.MAX_CHANGES, "3");
        push.enqueue(records.toString());
        push.run();
        push.assertAllFlowFilesTransferred(PushCrmFieldUpdates.REL_HELD, 1);
        push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_HELD).getFirst().assertAttributeEquals("record.count", "10");
        assertThat(sugar.stats().calls("POST /rest/v10/bulk")).as("no write").isZero();
        assertThat(push.getLogger().getWarnMessages()).singleElement().satisfies(m -> assertThat(m.getMsg() + java.util.Arrays.toString(m.getArgs()))
                .contains("Held").contains("would change 4 target records").contains("Max Changes Per Run (3)").contains("routing 'held' back"));

        push.clearTransferState();
        push.setProperty(PushCrmFieldUpdates.MAX_CHANGES, "4");
        push.setProperty(PushCrmFieldUpdates.MAX_CHANGE_SHARE, "30");
        push.enqueue(records.toString());
        push.run();
        push.assertTransferCount(PushCrmFieldUpdates.REL_HELD, 1);
        assertThat(sugar.stats().calls("POST /rest/v10/bulk")).as("4 of 10 is over 30 %").isZero();

        push.clearTransferState();
        push.setProperty(PushCrmFieldUpdates.MAX_CHANGE_SHARE, "40");
        push.enqueue(records.toString());
        push.run();
        push.assertTransferCount(PushCrmFieldUpdates.REL_HELD, 0);
        push.assertTransferCount(REL_SUCCESS, 1);
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT))).hasSize(4);
        for (int i = 0; i < 10; i++) {
            assertThat(store.isOptedOut("guard" + i + "@example.com")).isTrue();
        }
    }

    @Test
    void optInsAreWrittenOnlyWhenPropagatedAndNewer() throws Exception {
        final SugarStore store = new SugarStore();
        final SugarStore.Bean bean = store.create("Contacts", "S", "Sub", "sub@example.com", Instant.now());
        bean.primary();
        store.optOutInUi("Contacts", bean.id(), true);
        sugar = new SugarV10Simulator(store);
        sugar.start(0);
        final TestRunner push = pushToSugarContacts();
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
