package io.optsync.nifi.processors;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SugarCRM (both APIs) to Act-On and Act-On to SugarCRM, through the four processors in a row, against the simulators:
 * FetchCrmRecords, FilterOptedOut (decoding in one pass, opted out only) and PushCrmFieldUpdates.
 */
class SugarActOnPipelineTest {
    @RegisterExtension
    final Simulators sims = new Simulators();

    /** Credentials are sensitive properties: they appear in no attribute, provenance event or log line of any step. */
    private static void assertNoSecretAnywhere(final PipelineDirection direction) {
        final List<String> secrets = List.of(ActOnSimulator.PASSWORD, ActOnSimulator.CLIENT_SECRET, SugarV10Simulator.PASSWORD);
        for (final TestRunner runner : List.of(direction.fetch, direction.filter, direction.push)) {
            final List<String> seen = new ArrayList<>();
            runner.getProvenanceEvents().forEach(e -> {
                seen.add(String.valueOf(e.getTransitUri()));
                seen.add(String.valueOf(e.getDetails()));
                seen.add(e.getAttributes().toString());
            });
            for (final Relationship relationship : runner.getProcessor().getRelationships()) {
                runner.getFlowFilesForRelationship(relationship).forEach(f -> seen.add(f.getAttributes().toString()));
            }
            final var log = runner.getLogger();
            java.util.stream.Stream.of(log.getDebugMessages(), log.getInfoMessages(), log.getWarnMessages(), log.getErrorMessages())
                    .flatMap(List::stream).forEach(m -> seen.add(m.getMsg() + java.util.Arrays.toString(m.getArgs())));
            assertThat(seen).isNotEmpty().allSatisfy(text -> secrets.forEach(secret -> assertThat(text).doesNotContain(secret)));
        }
    }

    private static Set<String> optedOutContacts(final SugarStore store) {
        final Set<String> out = new HashSet<>();
        store.sortedByModified("Contacts").stream().filter(SugarStore.Bean::emailOptOut)
                .forEach(b -> out.add(b.primary().address().toLowerCase(Locale.ROOT)));
        return out;
    }

    private SimulatorServer sugar(final String version, final SugarStore store) throws Exception {
        return sims.started(version.equals("v10") ? new SugarV10Simulator(store) : new SugarV41Simulator(store));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void sugarOptOutsReachActOnIncludingTheCampaignLinkOnes(final String version) throws Exception {
        final SugarStore store = new SugarStore().seed(300, 9);
        final SimulatorServer sugar = sugar(version, store);
        final ActOnSimulator actOn = sims.started(new ActOnSimulator());
        final PipelineDirection direction = new PipelineDirection("Contacts", version.equals("v10") ? SourceEncoding.SUGARCRM_V10 : SourceEncoding.SUGARCRM_V4_1, "optout");
        ConnectorTestSupport.sugar(direction.fetch, sugar, version);
        ConnectorTestSupport.actOn(direction.push, actOn);
        direction.fetch.setProperty(FetchCrmRecords.RECONCILIATION_INTERVAL, "1 sec");

        direction.run();
        final Set<String> expected = optedOutContacts(store);
        assertThat(expected).hasSizeGreaterThan(30);
        assertThat(actOn.optOutAddresses()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(direction.filter.getFlowFilesForRelationship(FilterOptedOut.REL_FAILURE)).isEmpty();
        assertThat(direction.push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_FAILURE)).isEmpty();
        assertThat(actOn.stats().calls("PUT /api/1/list/optout")).as("one upload for the whole batch").isEqualTo(1);

        final SugarStore.Bean subscribed = store.sortedByModified("Contacts").stream().filter(b -> !b.emailOptOut()).findFirst().orElseThrow();
        store.campaignUnsubscribe(subscribed.primary().address()); // no date_modified change
        Thread.sleep(1100);
        direction.run();
        assertThat(actOn.optOutAddresses()).as("found by the reconciliation read").contains(subscribed.primary().address().toLowerCase(Locale.ROOT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void actOnOptOutsReachEverySugarRecordWithTheAddressAndNobodyIsResubscribed(final String version) throws Exception {
        final SugarStore store = new SugarStore().seed(80, 4);
        final Set<String> optedOutBefore = optedOutContacts(store);
        final SugarStore.Bean first = store.create("Contacts", "Ann", "Lee", "Ann.Lee@Example.com", Instant.now());
        final SugarStore.Bean duplicate = store.create("Contacts", "Ann", "Lee-Two", "ann.lee@example.com", Instant.now());
        final SugarStore.Bean lead = store.create("Leads", "Ann", "Lee", "ann.lee@example.com", Instant.now());
        final SimulatorServer sugar = sugar(version, store);
        final ActOnSimulator actOn = sims.started(new ActOnSimulator());
        actOn.optOut("ANN.LEE@example.com");
        actOn.optOut("nobody.in.sugar@example.org");

        final PipelineDirection direction = new PipelineDirection("optout", SourceEncoding.ACT_ON, "Contacts");
        ConnectorTestSupport.actOn(direction.fetch, actOn);
        ConnectorTestSupport.sugar(direction.push, sugar, version);
        direction.run();

        assertThat(store.bean("Contacts", first.id()).emailOptOut()).isTrue();
        assertThat(store.bean("Contacts", duplicate.id()).emailOptOut()).as("the duplicate too").isTrue();
        assertThat(store.bean("Leads", lead.id()).emailOptOut()).as("the Lead shares the address").isTrue();
        assertThat(direction.pushed(PushCrmFieldUpdates.REL_SUCCESS)).as("both addresses, the unknown one with nothing to write").isEqualTo(2);
        assertThat(optedOutContacts(store)).as("nobody re-subscribed").containsAll(optedOutBefore);

        assertNoSecretAnywhere(direction);

        final long writesBefore = sugar.stats().totalCalls();
        direction.run();
        assertThat(sugar.stats().totalCalls()).as("a second round with no change writes nothing").isEqualTo(writesBefore);
    }
}
