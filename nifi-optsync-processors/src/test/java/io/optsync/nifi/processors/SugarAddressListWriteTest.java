package io.optsync.nifi.processors;

import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SugarCRM v10 writes a record's whole address list: every address other than the one written must go back as
 * SugarCRM holds it at that moment, whatever happened since the lookup.
 */
class SugarAddressListWriteTest {
    private static final String LOOKUP = "POST /rest/v10/{Module}/filter";
    private SugarStore store;
    private SugarV10Simulator sugar;
    private SugarStore.Bean person;

    @BeforeEach
    void start() throws Exception {
        store = new SugarStore();
        person = store.create("Contacts", "Ann", "Lee", "a@example.com", Instant.now().minusSeconds(3600));
        store.addAddress("Contacts", person.id(), "b@example.com");
        sugar = new SugarV10Simulator(store);
        sugar.start(0);
    }

    @AfterEach
    void stop() {
        sugar.close();
    }

    private TestRunner push() {
        final TestRunner push = RecordTestSupport.push("Contacts");
        ConnectorTestSupport.sugar(push, sugar, "v10");
        return push;
    }

    private static String optOut(final String email) {
        return PushResubscribeGuardTest.record(email, true, Instant.now());
    }

    private boolean optedOut(final String email) {
        return Boolean.TRUE.equals(store.isOptedOut(email));
    }

    @Test
    void bothAddressesOfOneContactOptedOutInOneFlowFileBothEndOptedOut() {
        final TestRunner push = push();
        push.enqueue("[" + optOut("a@example.com") + "," + optOut("b@example.com") + "]");
        push.run();
        assertThat(optedOut("a@example.com")).isTrue();
        assertThat(optedOut("b@example.com")).isTrue();
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT)))
                .as("one audit record per address, each WRITTEN because SugarCRM holds it")
                .hasSize(2).allSatisfy(a -> assertThat(a.path("outcome").asText()).isEqualTo("WRITTEN"));
    }

    @Test
    void anOptOutMadeInSugarBetweenTheLookupAndTheWriteIsKept() {
        final TestRunner push = push();
        // a Sugar user opts b out right after optsync looked the record up to write a
        sugar.afterNextCall(LOOKUP, () -> store.optOutAddressInUi("Contacts", person.id(), "b@example.com", true));
        push.enqueue("[" + optOut("a@example.com") + "]");
        push.run();
        assertThat(optedOut("a@example.com")).isTrue();
        assertThat(optedOut("b@example.com")).as("the sync must not re-subscribe b").isTrue();
    }

    @Test
    void twoPushersWritingTheTwoAddressesOfOneContactLoseNeither() {
        final TestRunner first = push();
        final TestRunner second = push();
        first.enqueue("[" + optOut("a@example.com") + "]");
        second.enqueue("[" + optOut("b@example.com") + "]");
        // the second pusher looks the record up and writes b while the first is between its lookup and its write of a:
        // what two cluster nodes do at the same time
        sugar.afterNextCall(LOOKUP, second::run);
        first.run();
        assertThat(optedOut("a@example.com")).isTrue();
        assertThat(optedOut("b@example.com")).isTrue();
    }
}
