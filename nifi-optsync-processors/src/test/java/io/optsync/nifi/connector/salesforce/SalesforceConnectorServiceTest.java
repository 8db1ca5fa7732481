package io.optsync.nifi.connector.salesforce;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimResponse;
import org.apache.nifi.util.TestRunner;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Salesforce connector against the simulator: sign-in flows, SOQL paging, lookups, collections, limits. */
class SalesforceConnectorServiceTest {
    private final SalesforceSimulator sim = new SalesforceSimulator();

    @AfterEach
    void stop() {
        sim.close();
    }

    private OptOutConnectorService connector(final String flow, final Map<String, String> extra) throws Exception {
        sim.start(0);
        final TestRunner runner = ConnectorTestRunners.hostRunner();
        return SalesforceTestConnectors.add(runner, "sf", sim.baseUrl(), flow, extra);
    }

    private static List<SourceRecord> readAll(final OptOutConnectorService connector, final FetchRequest request, final List<Watermark> reached)
            throws ConnectorException {
        final List<SourceRecord> records = new ArrayList<>();
        reached.add(connector.fetch(request, records::addAll));
        return records;
    }

    @ParameterizedTest
    @ValueSource(strings = {SalesforceAuth.CLIENT_CREDENTIALS, SalesforceAuth.JWT_BEARER, SalesforceAuth.REFRESH_TOKEN})
    void signsInByEachFlowAndReadsEveryPageHoweverShort(final String flow) throws Exception {
        sim.seed(700, 3);
        sim.shortPages(true);
        final OptOutConnectorService connector = connector(flow, Map.of());
        final List<Watermark> reached = new ArrayList<>();
        final List<SourceRecord> contacts = readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), reached);
        assertThat(contacts).hasSize(700);
        assertThat(sim.stats().calls("GET /services/data/{v}/query/{locator}")).as("short pages followed by nextRecordsUrl").isPositive();
        assertThat(reached.getFirst().modifiedAt()).isEqualTo(sim.all("Contact").stream().map(SalesforceSimulator.SfRecord::modstamp).max(java.util.Comparator.naturalOrder()).orElseThrow());
        assertThat(sim.grants()).as("one sign-in").isEqualTo(1);
        final List<SourceRecord> leads = readAll(connector, new FetchRequest("Lead", FetchMode.FULL, Watermark.START, 2000), reached);
        assertThat(leads).as("converted Leads are left out").hasSize((int) sim.all("Lead").stream().filter(l -> !l.converted()).count())
                .hasSizeLessThan(sim.all("Lead").size());
    }

    @Test
    void incrementalReadsFromTheWatermarkAndABounceIsABounceNotAnOptOut() throws Exception {
        sim.seed(50, 3);
        final OptOutConnectorService connector = connector(SalesforceAuth.CLIENT_CREDENTIALS, Map.of());
        final List<Watermark> reached = new ArrayList<>();
        readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), reached);
        Thread.sleep(5);
        final SalesforceSimulator.SfRecord bounced = sim.all("Contact").stream().filter(r -> !r.optedOut() && !r.bounced()).findFirst().orElseThrow();
        sim.bounce(bounced.id());
        final List<SourceRecord> changed = readAll(connector, new FetchRequest("Contact", FetchMode.INCREMENTAL, reached.getFirst(), 2000), reached);
        assertThat(changed).extracting(SourceRecord::id).contains(bounced.id());
        final SourceRecord record = changed.stream().filter(r -> r.id().equals(bounced.id())).findFirst().orElseThrow();
        assertThat(record.hardBounce()).isTrue();
        assertThat(record.optOutValue()).as("the bounce does not tick Email Opt Out").isEqualTo(false);
    }

    @Test
    void looksUpByAddressIgnoringCaseWithQuotesAndBackslashesEscaped() throws Exception {
        final SalesforceSimulator.SfRecord quoted = sim.create("Contact", "O'", "Brien", "O'Brien\\x@Example.com");
        final SalesforceSimulator.SfRecord twin = sim.create("Contact", "O'", "Brien2", "o'brien\\x@example.com");
        final SalesforceSimulator.SfRecord lead = sim.create("Lead", "L", "Lead", "o'brien\\x@example.com");
        sim.create("Contact", "Other", "One", "other@example.com");
        final OptOutConnectorService connector = connector(SalesforceAuth.CLIENT_CREDENTIALS, Map.of());
        final Map<String, List<RecordRef>> found = connector.lookupByEmail("Contact", List.of("o'brien\\x@example.com", "nobody@example.com"));
        assertThat(found.keySet()).containsExactly("o'brien\\x@example.com");
        assertThat(found.get("o'brien\\x@example.com")).extracting(RecordRef::id).containsExactlyInAnyOrder(quoted.id(), twin.id());
        assertThat(connector.lookupByEmail("Lead", List.of("o'brien\\x@example.com")).get("o'brien\\x@example.com"))
                .extracting(RecordRef::id).containsExactly(lead.id());
    }

    @Test
    void writesTwoHundredAtATimeWithOneResultPerRecordInOrder() throws Exception {
        final List<FieldUpdate> updates = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            updates.add(new FieldUpdate(sim.create("Lead", "L", "Lead" + i, "lead" + i + "@example.com").id(), "lead" + i + "@example.com", true, Map.of()));
        }
        sim.convert(updates.get(7).id());
        final OptOutConnectorService connector = connector(SalesforceAuth.CLIENT_CREDENTIALS, Map.of());
        final List<WriteOutcome> outcomes = connector.write("Lead", updates);
        assertThat(sim.stats().calls("PATCH /services/data/{v}/composite/sobjects")).isEqualTo(3);
        assertThat(outcomes.get(7).status()).isEqualTo(WriteOutcome.Status.FAILED);
        assertThat(outcomes.get(7).code()).isEqualTo("CANNOT_UPDATE_CONVERTED_LEAD");
        assertThat(outcomes).filteredOn(o -> o.status() == WriteOutcome.Status.SUCCESS).hasSize(449);
        assertThat(sim.record(updates.get(8).id()).optedOut()).isTrue();
        assertThat(sim.record(updates.get(7).id()).optedOut()).isFalse();
    }

    @Test
    void personAccountsUseTheirPersonFields() throws Exception {
        final SalesforceSimulator.SfRecord person = sim.create("Account", "Pat", "Person", "pat@example.com");
        final OptOutConnectorService connector = connector(SalesforceAuth.CLIENT_CREDENTIALS, Map.of());
        final RecordRef ref = connector.lookupByEmail("PersonAccount", List.of("pat@example.com")).get("pat@example.com").getFirst();
        assertThat(connector.write("PersonAccount", List.of(new FieldUpdate(ref.id(), "pat@example.com", true, Map.of())))).containsExactly(WriteOutcome.SUCCESS);
        assertThat(sim.record(person.id()).optedOut()).isTrue();
        assertThat(readAll(connector, new FetchRequest("PersonAccount", FetchMode.OPTED_OUT, Watermark.START, 2000), new ArrayList<>()))
                .extracting(SourceRecord::email).containsExactly("pat@example.com");
    }

    @Test
    void anExpiredSessionIsReplacedOnce() throws Exception {
        sim.seed(5, 1);
        final OptOutConnectorService connector = connector(SalesforceAuth.CLIENT_CREDENTIALS, Map.of());
        readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), new ArrayList<>());
        sim.expireSessions();
        assertThat(readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), new ArrayList<>())).hasSize(5);
        assertThat(sim.grants()).isEqualTo(2);
    }

    @Test
    void requestLimitExceededIsALimitToWaitOutNotAnAuthenticationFailure() throws Exception {
        sim.seed(5, 1);
        final OptOutConnectorService connector = connector(SalesforceAuth.CLIENT_CREDENTIALS, Map.of());
        sim.faults(new FaultPlan(1.0, 4, 10));
        for (int i = 0; i < 4; i++) {
            sim.answerNext("GET /services/data/{v}/query", SimResponse.json(403,
                    List.of(Map.of("message", "TotalRequests Limit exceeded.", "errorCode", "REQUEST_LIMIT_EXCEEDED", "fields", List.of()))));
        }
        sim.faults(FaultPlan.NONE);
        assertThatThrownBy(() -> readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), new ArrayList<>()))
                .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.isRetryable()).as("retryable").isTrue());
        assertThat(sim.grants()).as("no new sign-in for a limit").isEqualTo(1);
        assertThat(readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), new ArrayList<>())).hasSize(5);
    }

    @Test
    void stopsCallingAtTheApiUsageCeilingBeforeTheOrgRunsOut() throws Exception {
        sim.seed(5, 1);
        sim.apiUsage(8_990, 10_000);
        final OptOutConnectorService connector = connector(SalesforceAuth.CLIENT_CREDENTIALS, Map.of("API Usage Ceiling", "90"));
        readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), new ArrayList<>()); // usage now 8,991: under 90 %
        sim.apiUsage(9_000, 10_000);
        readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), new ArrayList<>()); // learns 9,001 / 10,000
        final long before = sim.apiUsage();
        assertThatThrownBy(() -> readAll(connector, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 2000), new ArrayList<>()))
                .isInstanceOfSatisfying(ConnectorException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.getMessage()).contains("9,001 of 10,000");
                });
        assertThat(sim.apiUsage()).as("no call made").isEqualTo(before);
    }

    @Test
    void soqlValuesKeepTheirQuotesAndBackslashesEscaped() {
        assertThat(SalesforceObject.literal("o'brien\\x@example.com")).isEqualTo("'o\\'brien\\\\x@example.com'");
        assertThat(SalesforceObject.LEAD.select(List.of("Email IN ('a@b.co')"), false))
                .isEqualTo("SELECT Id, Email, HasOptedOutOfEmail, IsEmailBounced, SystemModstamp FROM Lead WHERE Email IN ('a@b.co') AND IsConverted = false");
        assertThatThrownBy(() -> io.optsync.nifi.connector.PemKeys.rsaPrivateKey("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"))
                .hasMessageContaining("PKCS#8");
    }
}
