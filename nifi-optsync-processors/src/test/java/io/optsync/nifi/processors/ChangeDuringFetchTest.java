package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Changes made in the vendor while FetchCrmRecords is in the middle of paging: a record already read changes (it
 * moves to the end of the modification order, which shifts every later record by one under offset paging) and a
 * record is created. The next run must emit the change and the new record, and no record may be skipped by either run.
 */
class ChangeDuringFetchTest {
    private static final List<String> FIGURES = new ArrayList<>();

    @AfterAll
    static void printFigures() {
        FIGURES.forEach(System.out::println);
    }

    private static TestRunner fetch(final String object) throws Exception {
        final TestRunner fetch = RecordTestSupport.fetch(object);
        fetch.setProperty(FetchCrmRecords.PAGE_SIZE, "10");
        fetch.setProperty(FetchCrmRecords.FULL_RESYNC_INTERVAL, "0 sec");
        fetch.setProperty(FetchCrmRecords.RECONCILIATION_INTERVAL, "0 sec");
        return fetch;
    }

    /** The records a run emitted, by id, with their opt-out value (the last one emitted wins). */
    private static Map<String, String> run(final TestRunner fetch) {
        fetch.clearTransferState();
        fetch.run();
        final Map<String, String> emitted = new LinkedHashMap<>();
        for (final JsonNode record : RecordTestSupport.records(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS))) {
            emitted.put(record.get("id").asText() + " " + record.get("email").asText().toLowerCase(Locale.ROOT), record.get("opt_out").asText());
        }
        return emitted;
    }

    @ParameterizedTest
    @ValueSource(strings = {"v10", "v4_1"})
    void aSugarChangeMadeWhilePagingIsPickedUpByTheNextRunAndNothingIsSkipped(final String version) throws Exception {
        // 95 contacts, several saved in the same second (an import): ties in date_modified at page boundaries
        final Instant base = Instant.parse("2026-10-01T08:00:00Z");
        final SugarStore store = new SugarStore(Clock.fixed(base.plusSeconds(86_400), ZoneOffset.UTC));
        final List<SugarStore.Bean> beans = new ArrayList<>();
        for (int i = 0; i < 95; i++) {
            beans.add(store.create("Contacts", "C", "Contact" + i, "contact" + i + "@example.com", base.plusSeconds(i / 4)));
        }
        final String endpoint = version.equals("v10") ? "POST /rest/v10/{Module}/filter" : "POST /service/v4_1/rest.php get_entry_list";
        try (SimulatorServer sugar = version.equals("v10") ? new SugarV10Simulator(store) : new SugarV41Simulator(store)) {
            sugar.start(0);
            final TestRunner fetch = fetch("Contacts");
            ConnectorTestSupport.sugar(fetch, sugar, version);
            final SugarStore.Bean changed = beans.get(3); // on the first page
            final SugarStore.Bean[] created = new SugarStore.Bean[1];
            sugar.afterNextCall(endpoint, () -> {
                store.optOutInUi("Contacts", changed.id(), true);
                created[0] = store.create("Contacts", "N", "New", "new.contact@example.com", base.plusSeconds(86_400));
            });

            final Map<String, String> first = run(fetch);
            final Map<String, String> second = run(fetch);

            final Set<String> everyRecord = new HashSet<>();
            store.sortedByModified("Contacts").forEach(b -> everyRecord.add(b.id() + " " + b.primary().address().toLowerCase(Locale.ROOT)));
            final Set<String> emitted = new HashSet<>(first.keySet());
            emitted.addAll(second.keySet());
            final Set<String> skipped = new HashSet<>(everyRecord);
            skipped.removeAll(emitted);
            final String changedKey = changed.id() + " " + changed.primary().address().toLowerCase(Locale.ROOT);
            final String lastValue = second.containsKey(changedKey) ? second.get(changedKey) : first.get(changedKey);
            FIGURES.add(String.format(Locale.ROOT, "FIGURE change during a fetch, SugarCRM %s: %d records, run 1 emitted %d, run 2 emitted %d; "
                    + "skipped %d; the change %s; the record created %s", version, everyRecord.size(), first.size(), second.size(), skipped.size(),
                    isOptedOut(lastValue) ? "picked up" : "missed",
                    emitted.stream().anyMatch(k -> k.startsWith(created[0].id())) ? "picked up" : "missed"));
            assertThat(skipped).as("records no run emitted").isEmpty();
            assertThat(isOptedOut(lastValue)).as("the opt-out made while paging, as last emitted").isTrue();
            assertThat(emitted).anySatisfy(k -> assertThat(k).startsWith(created[0].id()));
        }
    }

    private static boolean isOptedOut(final String value) {
        return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
    }

    @Test
    void anActOnOptOutAddedWhilePagingIsPickedUpByTheNextRun() throws Exception {
        try (ActOnSimulator actOn = new ActOnSimulator()) {
            actOn.seed(2_500, 7); // three pages of 1,000
            actOn.start(0);
            final TestRunner fetch = fetch("optout");
            fetch.setProperty(FetchCrmRecords.PAGE_SIZE, "1000");
            ConnectorTestSupport.actOn(fetch, actOn);
            actOn.afterNextCall("GET /api/1/list/optout", () -> actOn.optOut("added.while.paging@example.com"));

            final Map<String, String> first = run(fetch);
            final Map<String, String> second = run(fetch);
            final Set<String> emitted = new HashSet<>(first.keySet());
            emitted.addAll(second.keySet());
            final Set<String> everyAddress = new HashSet<>();
            actOn.optOutAddresses().forEach(a -> everyAddress.add(a + " " + a));
            final Set<String> skipped = new HashSet<>(everyAddress);
            skipped.removeAll(emitted);
            FIGURES.add(String.format(Locale.ROOT, "FIGURE change during a fetch, Act-On: %d addresses, run 1 emitted %d, run 2 emitted %d; skipped %d; "
                    + "the opt-out added while paging %s", everyAddress.size(), first.size(), second.size(), skipped.size(),
                    emitted.contains("added.while.paging@example.com added.while.paging@example.com") ? "picked up" : "missed"));
            assertThat(skipped).isEmpty();
            assertThat(emitted).contains("added.while.paging@example.com added.while.paging@example.com");
        }
    }

    @org.junit.jupiter.api.Test
    void anActiveCampaignContactAlreadyReadThatUnsubscribesMidReadIsPickedUpByTheNextRun() throws Exception {
        try (io.optsync.simulators.ActiveCampaignSimulator activeCampaign = new io.optsync.simulators.ActiveCampaignSimulator().seed(60, 3)) {
            activeCampaign.start(0);
            final TestRunner fetch = fetch("contacts");
            ConnectorTestSupport.activeCampaign(fetch, activeCampaign, null);
            run(fetch); // the watermark is now the seed's newest udate
            // two people change while the next read pages: one already read (lowest id), then, seconds later, one on a later page
            final io.optsync.simulators.ActiveCampaignSimulator.Contact early = activeCampaign.contact(2);
            final io.optsync.simulators.ActiveCampaignSimulator.Contact late = activeCampaign.contact(41);
            for (int id = early.id(); id <= late.id(); id++) { // 40 contacts changed since: the next read takes four pages
                activeCampaign.setStatus(id, 1, 1);
            }
            Thread.sleep(1100);
            activeCampaign.afterNextCall("GET /api/3/contacts", () -> {
                activeCampaign.setStatus(early.id(), 1, 2);
                try {
                    Thread.sleep(3100); // more than the overlap window and the connector's one-second early start
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                activeCampaign.setStatus(late.id(), 1, 2);
            });
            fetch.setProperty(FetchCrmRecords.OVERLAP, "1 sec");
            final Map<String, String> during = run(fetch);
            assertThat(during.keySet()).as("the read that was under way saw the early contact before it changed")
                    .anySatisfy(k -> assertThat(k).startsWith(early.id() + " "));
            final Map<String, String> next = run(fetch);
            assertThat(next.entrySet()).as("the change made mid-read, behind the read's position").anySatisfy(e -> {
                assertThat(e.getKey()).startsWith(early.id() + " ");
                assertThat(e.getValue()).startsWith("2"); // unsubscribed from list 1 (the other mapped list as it was)
            });
        }
    }
}
