package io.optsync.nifi.connector.activecampaign;

import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.nifi.optout.OptOutEncoding;
import io.optsync.nifi.optout.OptOutStatus;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ActiveCampaign connector against the simulator: list statuses, bounces, paging, the per-account rate. */
class ActiveCampaignConnectorServiceTest {
    private final ActiveCampaignSimulator sim = new ActiveCampaignSimulator();

    @AfterEach
    void stop() {
        sim.close();
    }

    private OptOutConnectorService connector(final String lists) throws Exception {
        sim.start(0);
        return ActiveCampaignTestConnectors.add(ConnectorTestRunners.hostRunner(), "ac", sim.baseUrl(), lists);
    }

    private static List<SourceRecord> read(final OptOutConnectorService connector, final FetchMode mode, final Watermark since) throws Exception {
        return ConnectorTestRunners.fetchAll(connector, new FetchRequest("contacts", mode, since, 100));
    }

    private static OptOutStatus status(final SourceRecord record) {
        return OptOutEncoding.ACTIVECAMPAIGN.decoder().decode(record.optOutValue()).status();
    }

    @Test
    void optedOutMeansUnsubscribedFromTheMappedListsAndActiveOnNone() throws Exception {
        final var both = sim.create("both@example.com", "B", "Oth");
        sim.setStatus(both.id(), 1, 2);
        sim.setStatus(both.id(), 2, 2);
        final var oneLeft = sim.create("one.left@example.com", "O", "Ne");
        sim.setStatus(oneLeft.id(), 1, 2);
        sim.setStatus(oneLeft.id(), 2, 1);
        final var unmapped = sim.create("unmapped@example.com", "U", "N");
        sim.setStatus(unmapped.id(), 1, 2);
        sim.setStatus(unmapped.id(), 3, 1); // active on a list that does not count
        final var bounced = sim.create("bounced@example.com", "B", "Ounce");
        sim.setStatus(bounced.id(), 1, 1);
        sim.bounceHard(bounced.id());

        final List<SourceRecord> records = read(connector("1,2"), FetchMode.FULL, Watermark.START);
        final Map<String, SourceRecord> byEmail = new java.util.HashMap<>();
        records.forEach(r -> byEmail.put(r.email(), r));
        assertThat(status(byEmail.get("both@example.com"))).isEqualTo(OptOutStatus.OPTED_OUT);
        assertThat(status(byEmail.get("one.left@example.com"))).isEqualTo(OptOutStatus.SUBSCRIBED);
        assertThat(status(byEmail.get("unmapped@example.com"))).as("list 3 does not count").isEqualTo(OptOutStatus.OPTED_OUT);
        assertThat(byEmail.get("bounced@example.com").hardBounce()).isTrue();
        assertThat(byEmail.get("both@example.com").hardBounce()).isFalse();
    }

    @Test
    void pagesByIdAndReadsIncrementallyFromTheWatermark() throws Exception {
        sim.seed(350, 2);
        final OptOutConnectorService connector = connector(null);
        final List<SourceRecord> all = read(connector, FetchMode.FULL, Watermark.START);
        assertThat(all).hasSize(350);
        assertThat(sim.stats().calls("GET /api/3/contacts")).isEqualTo(4);
        final Watermark reached = all.stream().map(SourceRecord::watermark).max(Watermark::compareTo).orElseThrow();
        Thread.sleep(1100);
        final var changed = sim.all().get(42);
        sim.setStatus(changed.id(), 1, 2);
        assertThat(read(connector, FetchMode.INCREMENTAL, reached)).extracting(SourceRecord::id).contains(String.valueOf(changed.id()));
        assertThat(read(connector, FetchMode.OPTED_OUT, Watermark.START)).allSatisfy(r -> assertThat(status(r) == OptOutStatus.OPTED_OUT
                || Boolean.TRUE.equals(r.hardBounce())).isTrue()).isNotEmpty();
    }

    @Test
    void anOptOutUnsubscribesFromEveryMappedListAndAnOptInOnlyLiftsUnsubscribes() throws Exception {
        final var contact = sim.create("ann@example.com", "A", "Nn");
        sim.setStatus(contact.id(), 1, 1);
        sim.setStatus(contact.id(), 2, 1);
        sim.setStatus(contact.id(), 3, 1);
        final OptOutConnectorService connector = connector("1,2");
        final RecordRef ref = connector.lookupByEmail("contacts", List.of("ann@example.com")).get("ann@example.com").getFirst();
        assertThat(ref.optOutValue()).isEqualTo("1,1");
        assertThat(connector.write("contacts", List.of(new FieldUpdate(ref.id(), "ann@example.com", true, Map.of())))).containsExactly(WriteOutcome.SUCCESS);
        assertThat(sim.contact(contact.id()).statuses()).containsEntry(1, 2).containsEntry(2, 2).containsEntry(3, 1);
        assertThat(sim.stats().calls("POST /api/3/contactLists")).isEqualTo(2);
        connector.write("contacts", List.of(new FieldUpdate(ref.id(), "ann@example.com", true, Map.of())));
        assertThat(sim.stats().calls("POST /api/3/contactLists")).as("already unsubscribed: nothing written").isEqualTo(2);
        assertThat(sim.resubscribes()).isZero();
    }

    @Test
    void optOutsGoInBulkImportsOf250AndCountOnlyOnceTheImportCompleted() throws Exception {
        sim.seed(600, 5);
        final OptOutConnectorService connector = connector("1,2");
        final List<FieldUpdate> updates = new java.util.ArrayList<>();
        sim.all().forEach(c -> updates.add(new FieldUpdate(null, c.email().toUpperCase(java.util.Locale.ROOT), true, Map.of())));
        updates.add(new FieldUpdate(null, "new.person@example.org", true, Map.of()));
        updates.add(new FieldUpdate(null, "not an address", true, Map.of()));
        sim.exclude(sim.all().get(7).email());

        final List<WriteOutcome> outcomes = new java.util.ArrayList<>();
        for (int from = 0; from < updates.size(); from += 250) { // as PushCrmFieldUpdates calls it: one chunk of the batch size per call
            outcomes.addAll(connector.write("contacts", updates.subList(from, Math.min(updates.size(), from + 250))));
        }

        assertThat(sim.stats().calls("POST /api/3/import/bulk_import")).as("ceil(602 / 250) imports, no look-up").isEqualTo(3);
        assertThat(sim.stats().calls("GET /api/3/contacts")).isZero();
        assertThat(sim.stats().calls("POST /api/3/contactLists")).isZero();
        assertThat(outcomes.subList(0, 601)).allMatch(o -> o.status() == WriteOutcome.Status.SUCCESS);
        assertThat(outcomes.get(601).code()).as("the import's failure list").isEqualTo("import-failure");
        assertThat(sim.all()).filteredOn(c -> !c.email().equals(sim.all().get(7).email()))
                .allSatisfy(c -> assertThat(c.statuses()).as(c.email()).containsEntry(1, 2).containsEntry(2, 2));
        assertThat(sim.withEmail("new.person@example.org")).as("added, unsubscribed").singleElement()
                .satisfies(c -> assertThat(c.statuses()).containsEntry(1, 2));
        assertThat(sim.resubscribes()).isZero();
    }

    @Test
    void withoutListsTheContactsListsAreLookedUpAndOnlyThoseAreImported() throws Exception {
        sim.seed(40, 6);
        final OptOutConnectorService connector = connector(null);
        final List<String> emails = sim.all().stream().map(ActiveCampaignSimulator.Contact::email).toList();
        final List<FieldUpdate> updates = connector.lookupByEmail("contacts", emails).values().stream().flatMap(List::stream)
                .map(ref -> new FieldUpdate(ref.id(), ref.email(), true, Map.of())).toList();
        assertThat(connector.write("contacts", updates)).allMatch(o -> o.status() == WriteOutcome.Status.SUCCESS);
        assertThat(sim.stats().calls("POST /api/3/import/bulk_import")).isEqualTo(1);
        assertThat(sim.all()).allSatisfy(c -> assertThat(c.statuses().values()).as("only the lists it was on").containsOnly(2));
        assertThat(sim.all()).filteredOn(c -> c.id() % 3 != 1).allSatisfy(c -> assertThat(c.statuses()).doesNotContainKey(2));
    }

    @Test
    void staysUnderFiveRequestsASecondAndWaitsWhenRefused() throws Exception {
        sim.seed(1_000, 4);
        final OptOutConnectorService connector = connector(null);
        final List<String> emails = sim.all().stream().limit(25).map(ActiveCampaignSimulator.Contact::email).toList();
        assertThat(connector.lookupByEmail("contacts", emails)).hasSize(25);
        assertThat(read(connector, FetchMode.FULL, Watermark.START)).hasSize(1_000);
        assertThat(sim.stats().maxPerSecond()).isLessThanOrEqualTo(5);
        assertThat(sim.stats().faults("rate-limited")).isZero();

    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {429, 503})
    void twoIntegrationsOverTheAccountLimitAreRefusedAndRetriedUntilEveryCallSucceeds(final int refusal) throws Exception {
        sim.seed(60, 4);
        sim.limitStatus(refusal); // 429 with Retry-After as documented; 503 as some clients report
        final OptOutConnectorService first = connector(null);
        final OptOutConnectorService second = ActiveCampaignTestConnectors.add(ConnectorTestRunners.hostRunner(), "second", sim.baseUrl(), null);
        final List<String> emails = sim.all().stream().limit(15).map(ActiveCampaignSimulator.Contact::email).toList();
        final var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            final var a = pool.submit(() -> first.lookupByEmail("contacts", emails));
            final var b = pool.submit(() -> second.lookupByEmail("contacts", emails));
            assertThat(a.get()).hasSize(15);
            assertThat(b.get()).hasSize(15);
        } finally {
            pool.shutdownNow();
        }
        assertThat(sim.stats().faults("rate-limited")).as("6 a second together, over the account's 5: it refused some").isPositive();
    }
}
