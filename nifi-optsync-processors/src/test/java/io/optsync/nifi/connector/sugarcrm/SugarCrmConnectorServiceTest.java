package io.optsync.nifi.connector.sugarcrm;

import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.nifi.optout.OptOutStatus;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.util.TestRunner;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The SugarCRM connector against the simulators, through both APIs. */
class SugarCrmConnectorServiceTest {
    private SugarStore store;
    private SimulatorServer sim;
    private SugarCrmConnectorService service;

    private void start(final String version, final int seed) throws Exception {
        store = new SugarStore().seed(seed, 5);
        sim = version.equals("v10") ? new SugarV10Simulator(store) : new SugarV41Simulator(store);
        sim.start(0);
        final TestRunner runner = ConnectorTestRunners.hostRunner();
        service = new SugarCrmConnectorService();
        runner.addControllerService("sugar", service);
        runner.setProperty(service, io.optsync.nifi.connector.ConnectorProperties.ALLOW_PLAIN_HTTP, "true");
        runner.setProperty(service, SugarCrmConnectorService.SITE_URL, sim.baseUrl());
        runner.setProperty(service, SugarCrmConnectorService.API_VERSION, version);
        runner.setProperty(service, SugarCrmConnectorService.USERNAME, SugarV10Simulator.USERNAME);
        runner.setProperty(service, SugarCrmConnectorService.PASSWORD, SugarV10Simulator.PASSWORD);
        runner.enableControllerService(service);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private List<SourceRecord> fetch(final FetchMode mode, final Watermark since, final Watermark[] next) throws Exception {
        final List<SourceRecord> records = new ArrayList<>();
        next[0] = service.fetch(new FetchRequest("Contacts", mode, since, 100), records::addAll);
        return records;
    }

    private static OptOutStatus status(final SourceRecord record, final String version) {
        return (version.equals("v10") ? io.optsync.nifi.optout.OptOutEncoding.SUGARCRM_V10 : io.optsync.nifi.optout.OptOutEncoding.SUGARCRM_V4_1)
                .decoder().decode(record.optOutValue()).status();
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void readsEveryContactPageByPageThenOnlyWhatChanged(final String version) throws Exception {
        start(version, 250);
        final Watermark[] next = new Watermark[1];
        final List<SourceRecord> all = fetch(FetchMode.FULL, Watermark.START, next);
        assertThat(all).extracting(SourceRecord::id).doesNotHaveDuplicates().hasSize(250);
        assertThat(all).allSatisfy(r -> assertThat(status(r, version)).isIn(OptOutStatus.OPTED_OUT, OptOutStatus.SUBSCRIBED));
        final long optedOut = all.stream().filter(r -> status(r, version) == OptOutStatus.OPTED_OUT).count();
        assertThat(optedOut).isEqualTo(store.sortedByModified("Contacts").stream().filter(SugarStore.Bean::emailOptOut).count());

        final SugarStore.Bean changed = store.sortedByModified("Contacts").get(17);
        Thread.sleep(1100); // date_modified has one-second precision
        store.optOutInUi("Contacts", changed.id(), !changed.emailOptOut());
        final Watermark before = next[0];
        final List<SourceRecord> changes = fetch(FetchMode.INCREMENTAL, before, next);
        assertThat(changes).extracting(SourceRecord::id).contains(changed.id());
        assertThat(changes).as("only the change, and records in the watermark's second (read again on purpose)")
                .allSatisfy(r -> assertThat(r.id().equals(changed.id()) || !r.modifiedAt().isAfter(before.modifiedAt())).isTrue());
        assertThat(next[0].modifiedAt()).isAfter(before.modifiedAt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void theOptedOutSetFindsWhatTheCampaignLinkOptedOut(final String version) throws Exception {
        start(version, 60);
        final SugarStore.Bean bean = store.sortedByModified("Contacts").stream().filter(b -> !b.emailOptOut()).findFirst().orElseThrow();
        store.campaignUnsubscribe(bean.primary().address());
        final Watermark[] next = new Watermark[1];
        final List<SourceRecord> incremental = fetch(FetchMode.INCREMENTAL, new Watermark(Instant.now().minusSeconds(5), ""), next);
        assertThat(incremental).extracting(SourceRecord::id).as("date_modified did not move").doesNotContain(bean.id());
        final List<SourceRecord> optedOut = fetch(FetchMode.OPTED_OUT, Watermark.START, next);
        assertThat(optedOut).filteredOn(r -> r.id().equals(bean.id())).singleElement()
                .satisfies(r -> assertThat(status(r, version)).isEqualTo(OptOutStatus.OPTED_OUT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void findsEveryRecordWithAnAddressAndOptsThemOut(final String version) throws Exception {
        start(version, 40);
        final SugarStore.Bean contact = store.create("Contacts", "Ann", "Lee", "Ann.Lee@Example.com", Instant.now());
        final SugarStore.Bean duplicate = store.create("Contacts", "Ann", "Lee-Two", "ann.lee@example.COM", Instant.now());
        final SugarStore.Bean lead = store.create("Leads", "Ann", "Lee", "ANN.LEE@example.com", Instant.now());
        final Map<String, List<RecordRef>> found = service.lookupByEmail("Contacts", List.of("ann.lee@example.com", "nobody@example.com"));
        assertThat(found).containsOnlyKeys("ann.lee@example.com");
        assertThat(found.get("ann.lee@example.com")).extracting(RecordRef::id).containsExactlyInAnyOrder(contact.id(), duplicate.id());

        final List<FieldUpdate> updates = found.get("ann.lee@example.com").stream()
                .map(ref -> new FieldUpdate(ref.id(), "ann.lee@example.com", true, Map.of())).toList();
        final List<WriteOutcome> outcomes = service.write("Contacts", updates);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.status()).isEqualTo(WriteOutcome.Status.SUCCESS));
        assertThat(store.isOptedOut("ann.lee@example.com")).isTrue();
        assertThat(store.bean("Leads", lead.id()).emailOptOut()).as("the Lead shares the address row").isTrue();

        assertThat(service.write("Contacts", List.of(new FieldUpdate(store.sortedByModified("Contacts").get(2).id(), "nope@example.com", true, Map.of()))))
                .singleElement().satisfies(o -> assertThat(o.code()).isEqualTo("unknown_address"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void aRecordSugarDoesNotSaveFailsOnItsOwn(final String version) throws Exception {
        start(version, 10);
        final SugarStore.Bean denied = store.create("Contacts", "Bo", "Denied", "bo@example.com", Instant.now());
        final SugarStore.Bean allowed = store.create("Contacts", "Cy", "Allowed", "cy@example.com", Instant.now());
        // v4_1 writes the opt-out on the address row, v10 through the record: what SugarCRM refuses to save differs
        store.denyAcl(version.equals("v10") ? denied.id() : store.addressRowId("bo@example.com"));
        service.lookupByEmail("Contacts", List.of("bo@example.com", "cy@example.com"));
        final List<WriteOutcome> outcomes = service.write("Contacts", List.of(
                new FieldUpdate(denied.id(), "bo@example.com", true, Map.of()), new FieldUpdate(allowed.id(), "cy@example.com", true, Map.of())));
        assertThat(outcomes.get(0).status()).isEqualTo(WriteOutcome.Status.FAILED);
        assertThat(outcomes.get(0).code()).isIn("not_saved", "not_authorized");
        assertThat(outcomes.get(1).status()).isEqualTo(WriteOutcome.Status.SUCCESS);
        assertThat(store.isOptedOut("bo@example.com")).isFalse();
        assertThat(store.isOptedOut("cy@example.com")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void anExpiredSessionIsRenewedOnce(final String version) throws Exception {
        start(version, 5);
        final Watermark[] next = new Watermark[1];
        fetch(FetchMode.FULL, Watermark.START, next);
        final String expire = version.equals("v10") ? "/_sim/sugar/expire-tokens" : "/_sim/sugar/expire-sessions";
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + expire)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(fetch(FetchMode.FULL, Watermark.START, next)).hasSize(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void quotesInAddressesAreEscaped(final String version) throws Exception {
        start(version, 3);
        final SugarStore.Bean bean = store.create("Contacts", "Pat", "O'Brien", "o'brien@example.com", Instant.now());
        assertThat(service.lookupByEmail("Contacts", List.of("o'brien@example.com")).get("o'brien@example.com"))
                .extracting(RecordRef::id).containsExactly(bean.id());
        assertThat(bean.primary().address().toLowerCase(Locale.ROOT)).isEqualTo("o'brien@example.com");
    }

    /** Ann: primary address a, further addresses b (opted out by a Sugar user) and c. */
    private SugarStore.Bean annWithThreeAddresses() {
        final SugarStore.Bean ann = store.create("Contacts", "Ann", "Lee", "a@example.com", Instant.now().minusSeconds(60));
        store.addAddress("Contacts", ann.id(), "b@example.com");
        store.addAddress("Contacts", ann.id(), "c@example.com");
        store.optOutAddressInUi("Contacts", ann.id(), "b@example.com", true);
        return ann;
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void anyAddressOfARecordIsOptedOutAndTheOthersKeepTheirFlags(final String version) throws Exception {
        start(version, 3);
        final SugarStore.Bean ann = annWithThreeAddresses();
        assertThat(service.write("Contacts", List.of(new FieldUpdate(ann.id(), "a@example.com", true, Map.of()))))
                .singleElement().satisfies(o -> assertThat(o.status()).isEqualTo(WriteOutcome.Status.SUCCESS));
        assertThat(store.isOptedOut("b@example.com")).as("SuiteCRM's save clears the other addresses' flags: the write must not save the record").isTrue();
        assertThat(service.write("Contacts", List.of(new FieldUpdate(ann.id(), "c@example.com", true, Map.of()))))
                .singleElement().satisfies(o -> assertThat(o.status()).as("a non-primary address: " + o.message()).isEqualTo(WriteOutcome.Status.SUCCESS));
        assertThat(List.of("a@example.com", "b@example.com", "c@example.com")).allSatisfy(e -> assertThat(store.isOptedOut(e)).as(e).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void aMappedFieldSavedOnTheRecordLeavesEveryOptOutOfItsAddresses(final String version) throws Exception {
        start(version, 3);
        final SugarStore.Bean ann = annWithThreeAddresses();
        assertThat(service.write("Contacts", List.of(new FieldUpdate(ann.id(), "a@example.com", null, Map.of("first_name", "Anne")))))
                .singleElement().satisfies(o -> assertThat(o.status()).isEqualTo(WriteOutcome.Status.SUCCESS));
        assertThat(store.isOptedOut("b@example.com")).as("the opt-out SuiteCRM's save cleared is set again").isTrue();
        assertThat(store.isOptedOut("c@example.com")).as("and nothing else is set").isFalse();
    }

    @org.junit.jupiter.api.Test
    void aV41OutcomeSaysWhatSugarHoldsAfterTheWrite() throws Exception {
        start("v4_1", 3);
        final SugarStore.Bean ann = annWithThreeAddresses();
        // a Sugar user opts c back in right after optsync's write is answered, before its read-back
        sim.afterNextCall("POST /service/v4_1/rest.php set_entries", () -> store.optOutAddressInUi("Contacts", ann.id(), "c@example.com", false));
        assertThat(service.write("Contacts", List.of(new FieldUpdate(ann.id(), "c@example.com", true, Map.of()))))
                .singleElement().satisfies(o -> {
                    assertThat(o.status()).isEqualTo(WriteOutcome.Status.RETRY);
                    assertThat(o.message()).contains("opt_out=0");
                });
    }
}
