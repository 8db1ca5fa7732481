package io.optsync.nifi.connector.netsuite;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.NetSuiteSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The NetSuite connector against the simulator: PS256 sign-in, SuiteQL by key, soft-status writes, concurrency. */
class NetSuiteConnectorServiceTest {
    private final NetSuiteSimulator sim = new NetSuiteSimulator();

    @AfterEach
    void stop() {
        sim.close();
    }

    private OptOutConnectorService connector() throws Exception {
        sim.start(0);
        return NetSuiteTestConnectors.add(ConnectorTestRunners.hostRunner(), "ns", sim.baseUrl());
    }

    private static List<SourceRecord> read(final OptOutConnectorService connector, final String object, final FetchMode mode, final Watermark since)
            throws Exception {
        return ConnectorTestRunners.fetchAll(connector, new FetchRequest(object, mode, since, 1000));
    }

    @Test
    void readsPastTheRowCapOfOneQueryByKeyAndNeverByOffset() throws Exception {
        sim.seed(4_000, 3);
        sim.maxRowsPerQuery(1_500); // NetSuite stops one query at 100,000 rows: the same here, smaller
        final OptOutConnectorService connector = connector();
        final long customers = sim.all().stream().filter(e -> e.type().equals("customer")).count();
        final List<SourceRecord> all = read(connector, "customer", FetchMode.FULL, Watermark.START);
        assertThat(all).hasSize((int) customers).hasSizeGreaterThan(1_500);
        assertThat(sim.grants()).as("one sign-in").isEqualTo(1);
        assertThat(read(connector, "lead", FetchMode.FULL, Watermark.START)).isNotEmpty().hasSizeLessThan((int) customers);
        assertThat(read(connector, "contact", FetchMode.OPTED_OUT, Watermark.START)).allSatisfy(r -> assertThat(r.optOutValue()).isIn("2", "4"));
    }

    @Test
    void writesOnlyTheSoftStatusesAndNeverLeavesAConfirmedOptOut() throws Exception {
        final NetSuiteSimulator.Entity soft = sim.create("customer", "ann@example.com", "1");
        final NetSuiteSimulator.Entity contact = sim.create("contact", "Ann@Example.com", "3");
        final NetSuiteSimulator.Entity confirmed = sim.create("customer", "bob@example.com", "4");
        final OptOutConnectorService connector = connector();
        final Map<String, List<RecordRef>> found = connector.lookupByEmail("customer", List.of("ann@example.com", "bob@example.com"));
        assertThat(found.get("ann@example.com")).extracting(RecordRef::id).containsExactly(soft.id());
        assertThat(connector.lookupByEmail("contact", List.of("ann@example.com")).get("ann@example.com")).extracting(RecordRef::id)
                .as("case-insensitive").containsExactly(contact.id());

        assertThat(connector.write("customer", List.of(new FieldUpdate(soft.id(), "ann@example.com", true, Map.of())))).containsExactly(WriteOutcome.SUCCESS);
        assertThat(sim.entity("customer", soft.id()).status()).isEqualTo("2");
        assertThat(connector.write("contact", List.of(new FieldUpdate(contact.id(), "ann@example.com", true, Map.of())))).containsExactly(WriteOutcome.SUCCESS);
        assertThat(sim.entity("contact", contact.id()).status()).as("a soft opt-out over a confirmed opt-in").isEqualTo("2");

        final List<WriteOutcome> refused = connector.write("customer", List.of(new FieldUpdate(confirmed.id(), "bob@example.com", false, Map.of())));
        assertThat(refused.getFirst().status()).isEqualTo(WriteOutcome.Status.FAILED);
        assertThat(refused.getFirst().code()).isEqualTo("INVALID_CONTENT");
        assertThat(sim.entity("customer", confirmed.id()).status()).isEqualTo("4");
    }

    private List<NetSuiteSimulator.Entity> created(final String type, final int count, final String prefix, final String status) {
        final List<NetSuiteSimulator.Entity> entities = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entities.add(sim.create(type, prefix + i + "@example.com", status));
        }
        return entities;
    }

    private static List<FieldUpdate> updates(final List<NetSuiteSimulator.Entity> entities, final boolean optedOut) {
        return entities.stream().map(e -> new FieldUpdate(e.id(), e.email(), optedOut, Map.of())).toList();
    }

    @Test
    void writesInBatchRequestsOfAHundredAndCountsWhatNetSuiteHoldsAfterwards() throws Exception {
        final List<NetSuiteSimulator.Entity> customers = created("customer", 250, "batch", "1");
        final OptOutConnectorService connector = connector();
        sim.stats().reset();
        final List<WriteOutcome> outcomes = connector.write("customer", updates(customers, true));
        assertThat(outcomes).hasSize(250).containsOnly(WriteOutcome.SUCCESS);
        assertThat(customers).allSatisfy(c -> assertThat(sim.entity("customer", c.id()).status()).isEqualTo("2"));
        final long batches = sim.stats().calls("PATCH /services/rest/record/v1/{type}");
        final long statusReads = sim.stats().calls("GET /services/rest/async/v1/job/{id}");
        final long readBacks = sim.stats().calls("POST /services/rest/query/v1/suiteql");
        assertThat(batches).as("ceil(250 / 100) batch requests").isEqualTo(3);
        assertThat(sim.stats().calls("PATCH /services/rest/record/v1/{type}/{id}")).as("no record written on its own").isZero();
        assertThat(readBacks).as("one read-back a batch").isEqualTo(3);
        System.out.printf(java.util.Locale.ROOT, "FIGURE NetSuite: 250 opt-outs written in %d batch requests (floor ceil(250 / 100) = 3) + %d job status reads + %d "
                + "read-backs = %d calls (one PATCH a record: 250)%n", batches, statusReads, readBacks, sim.stats().totalCalls());
    }

    @Test
    void aRecordNetSuiteRefusesInABatchFailsWithItsReasonAndTheOthersAreWritten() throws Exception {
        final List<NetSuiteSimulator.Entity> soft = created("contact", 4, "soft", "2");
        final NetSuiteSimulator.Entity confirmed = sim.create("contact", "confirmed@example.com", "4");
        final List<NetSuiteSimulator.Entity> all = new ArrayList<>(soft);
        all.add(2, confirmed);
        final OptOutConnectorService connector = connector();
        final List<WriteOutcome> outcomes = connector.write("contact", updates(all, false)); // allowed opt-ins
        assertThat(outcomes.get(2).status()).isEqualTo(WriteOutcome.Status.FAILED);
        assertThat(outcomes.get(2).code()).isEqualTo("INVALID_CONTENT");
        assertThat(outcomes.get(2).message()).contains("Confirmed Opt-Out");
        assertThat(List.of(outcomes.get(0), outcomes.get(1), outcomes.get(3), outcomes.get(4))).containsOnly(WriteOutcome.SUCCESS);
        assertThat(sim.entity("contact", confirmed.id()).status()).isEqualTo("4");
        assertThat(soft).allSatisfy(c -> assertThat(sim.entity("contact", c.id()).status()).isEqualTo("1"));
        assertThat(sim.jobs()).isEqualTo(1);
    }

    @Test
    void aBatchRequestSentAgainAfterALostReplyRunsOnceAndIsCountedFromItsFirstJob() throws Exception {
        final List<NetSuiteSimulator.Entity> customers = created("customer", 10, "lost", "1");
        final OptOutConnectorService connector = connector();
        sim.faultNext("PATCH /services/rest/record/v1/{type}", FaultPlan.Fault.LOST_RESPONSE);
        assertThat(connector.write("customer", updates(customers, true))).containsOnly(WriteOutcome.SUCCESS);
        assertThat(sim.stats().calls("PATCH /services/rest/record/v1/{type}")).as("sent twice").isEqualTo(2);
        assertThat(sim.jobs()).as("the idempotency key names the first job").isEqualTo(1);
        assertThat(customers).allSatisfy(c -> assertThat(sim.entity("customer", c.id()).status()).isEqualTo("2"));
    }

    @Test
    void aRecordAUserChangedBeforeTheReadBackIsWrittenAgainNotCounted() throws Exception {
        final List<NetSuiteSimulator.Entity> customers = created("customer", 5, "user", "1");
        final OptOutConnectorService connector = connector();
        sim.asyncPendingReads(0); // the first status read runs the job; a user then opts one record back in
        sim.afterNextCall("GET /services/rest/async/v1/job/{id}", () -> sim.setStatus("customer", customers.get(3).id(), "1"));
        final List<WriteOutcome> outcomes = connector.write("customer", updates(customers, true));
        assertThat(outcomes.get(3).status()).isEqualTo(WriteOutcome.Status.RETRY);
        assertThat(outcomes.get(3).code()).isEqualTo("not_kept");
        assertThat(outcomes.stream().filter(WriteOutcome.SUCCESS::equals).count()).isEqualTo(4);
    }

    @Test
    void twoRecordsGoOnePatchEachAsABatchWouldCostMore() throws Exception {
        final NetSuiteSimulator.Entity a = sim.create("customer", "a@example.com", "1");
        final NetSuiteSimulator.Entity b = sim.create("customer", "b@example.com", "1");
        final OptOutConnectorService connector = connector();
        sim.stats().reset();
        assertThat(connector.write("customer", updates(List.of(a, b), true))).containsOnly(WriteOutcome.SUCCESS);
        assertThat(sim.stats().calls("PATCH /services/rest/record/v1/{type}/{id}")).isEqualTo(2);
        assertThat(sim.jobs()).isZero();
    }

    @Test
    void tokenBasedAuthenticationSignsTheHttpsUrlItCalls() throws Exception {
        final io.optsync.simulators.TestCertificates certificates = new io.optsync.simulators.TestCertificates();
        final NetSuiteSimulator.Entity soft = sim.create("contact", "tls@example.com", "1");
        sim.startHttps(0, certificates.serverContext());
        final org.apache.nifi.util.TestRunner runner = ConnectorTestRunners.hostRunner();
        final io.optsync.nifi.connector.TrustingSslContextService ssl = new io.optsync.nifi.connector.TrustingSslContextService(certificates);
        runner.addControllerService("ssl", ssl);
        runner.enableControllerService(ssl);
        final OptOutConnectorService connector = NetSuiteTestConnectors.addTokenBased(runner, "ns", sim.baseUrl(), NetSuiteSimulator.TOKEN_SECRET,
                Map.of("SSL Context Service", "ssl", "Allow Plain HTTP", "false"));
        assertThat(sim.baseUrl()).startsWith("https://");
        assertThat(connector.write("contact", updates(List.of(soft), true))).containsExactly(WriteOutcome.SUCCESS);
        assertThat(sim.tokenBasedRefusals()).as("the signature covers https://, as the simulator checks it").isZero();
    }

    @Test
    void aKeyThatIsNotPkcs8MakesTheServiceInvalid() {
        final var runner = ConnectorTestRunners.hostRunner();
        final NetSuiteConnectorService service = ConnectorTestRunners.added(runner, "ns", new NetSuiteConnectorService());
        runner.setProperty(service, NetSuiteConnectorService.HOST, "https://1234567.suitetalk.api.netsuite.com");
        runner.setProperty(service, NetSuiteConnectorService.ACCOUNT_ID, "1234567");
        runner.setProperty(service, NetSuiteConnectorService.CLIENT_ID, "client");
        runner.setProperty(service, NetSuiteConnectorService.CERTIFICATE_ID, "kid");
        runner.setProperty(service, NetSuiteConnectorService.PRIVATE_KEY, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----");
        runner.assertNotValid(service);
        runner.setProperty(service, NetSuiteConnectorService.PRIVATE_KEY, NetSuiteTestConnectors.privateKeyPem());
        runner.assertValid(service);
    }

    @Test
    void staysUnderItsShareOfTheAccountsConcurrency() throws Exception {
        sim.seed(200, 5);
        sim.latency(600);
        final OptOutConnectorService connector = connector();
        final var pool = java.util.concurrent.Executors.newFixedThreadPool(12);
        try {
            final List<java.util.concurrent.Future<Map<String, List<RecordRef>>>> calls = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                final String email = sim.all().get(t * 3).email();
                calls.add(pool.submit(() -> connector.lookupByEmail("customer", List.of(email))));
            }
            for (final var call : calls) {
                call.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(java.util.Locale.ROOT, "FIGURE NetSuite: 12 threads, 600 ms a call: highest concurrency the simulator saw %d (Max Concurrent Requests 2 "
                + "of the account's 5); refused %d%n", sim.stats().maxConcurrent(), sim.stats().faults("concurrency-limit"));
        assertThat(sim.stats().maxConcurrent()).as("calls overlap, up to the cap").isEqualTo(2);
        assertThat(sim.stats().faults("concurrency-limit")).isZero();
    }

    @Test
    void tokenBasedAuthenticationSignsEveryAttemptSoThatNoRetryRepeatsANonce() throws Exception {
        sim.seed(300, 4);
        sim.start(0);
        final OptOutConnectorService connector = NetSuiteTestConnectors.addTokenBased(ConnectorTestRunners.hostRunner(), "ns", sim.baseUrl(),
                NetSuiteSimulator.TOKEN_SECRET);
        sim.faults(new FaultPlan(0.3, 7, 100)); // 5xx, 429, resets, lost responses (the nonce seen, the answer lost): each retried, each retry signed anew
        final long customers = sim.all().stream().filter(e -> e.type().equals("customer")).count();
        final List<SourceRecord> all = ConnectorTestRunners.fetchAll(connector, new FetchRequest("customer", FetchMode.FULL, Watermark.START, 10));
        final NetSuiteSimulator.Entity soft = sim.create("contact", "tba@example.com", "1");
        final List<WriteOutcome> outcomes = connector.write("contact", List.of(new FieldUpdate(soft.id(), "tba@example.com", true, Map.of())));
        sim.faults(FaultPlan.NONE);

        System.out.printf(java.util.Locale.ROOT, "FIGURE NetSuite token-based auth: %d customers read and 1 write at 30%% faults; calls %d, faults %d (lost responses %d), refused "
                + "signatures %d, OAuth 2.0 grants %d%n", all.size(), sim.stats().totalCalls(), sim.stats().totalFaults(), sim.stats().faults("lost-response"), sim.tokenBasedRefusals(), sim.grants());
        assertThat(all).hasSize((int) customers);
        assertThat(outcomes).containsExactly(WriteOutcome.SUCCESS);
        assertThat(sim.entity("contact", soft.id()).status()).isEqualTo("2");
        assertThat(sim.stats().totalFaults()).as("faults were injected and retried").isPositive();
        assertThat(sim.tokenBasedRefusals()).as("no signature refused, no nonce reused").isZero();
        assertThat(sim.grants()).isZero();
    }

    @Test
    void aWrongTokenSecretIsRefusedAsNetSuiteRefusesIt() throws Exception {
        sim.seed(10, 4);
        sim.start(0);
        final OptOutConnectorService connector = NetSuiteTestConnectors.addTokenBased(ConnectorTestRunners.hostRunner(), "ns", sim.baseUrl(), "not-the-secret");
        assertThatThrownBy(() -> read(connector, "customer", FetchMode.FULL, Watermark.START)).isInstanceOf(ConnectorException.class)
                .hasMessageContaining("HTTP 401 Invalid login attempt").hasMessageNotContaining("not-the-secret")
                .matches(e -> ((ConnectorException) e).isConnectionFailure(), "the connection's failure");
        assertThat(sim.tokenBasedRefusals()).as("tried once more, freshly signed").isEqualTo(2);
        // a write and a lookup refused so end as the connection's failure, so their records wait on retry, not on failure
        final NetSuiteSimulator.Entity entity = sim.all().getFirst();
        assertThatThrownBy(() -> connector.write(entity.type(), updates(List.of(entity), true)))
                .matches(e -> ((ConnectorException) e).isConnectionFailure(), "the connection's failure");
        assertThatThrownBy(() -> connector.lookupByEmail("customer", List.of("ann@example.com")))
                .matches(e -> ((ConnectorException) e).isConnectionFailure(), "the connection's failure");
    }
}
