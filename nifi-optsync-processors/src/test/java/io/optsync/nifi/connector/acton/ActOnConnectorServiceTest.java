package io.optsync.nifi.connector.acton;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.FaultPlan;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.state.MockStateManager;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.TestRunner;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ActOnConnectorServiceTest {
    private ActOnSimulator sim;
    private TestRunner runner;
    private ActOnConnectorService service;

    @BeforeEach
    void setUp() throws Exception {
        sim = new ActOnSimulator();
        sim.start(0);
        runner = ConnectorTestRunners.hostRunner();
        service = new ActOnConnectorService();
        runner.addControllerService("acton", service);
        runner.setProperty(service, io.optsync.nifi.connector.ConnectorProperties.ALLOW_PLAIN_HTTP, "true");
        runner.setProperty(service, ActOnConnectorService.BASE_URL, sim.baseUrl());
        runner.setProperty(service, ActOnConnectorService.USERNAME, ActOnSimulator.USERNAME);
        runner.setProperty(service, ActOnConnectorService.PASSWORD, ActOnSimulator.PASSWORD);
        runner.setProperty(service, ActOnConnectorService.CLIENT_ID, ActOnSimulator.CLIENT_ID);
        runner.setProperty(service, ActOnConnectorService.CLIENT_SECRET, ActOnSimulator.CLIENT_SECRET);
        runner.enableControllerService(service);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private List<SourceRecord> fetchAll(final FetchRequest request, final Watermark[] next) throws ConnectorException {
        final List<SourceRecord> records = new ArrayList<>();
        next[0] = service.fetch(request, records::addAll);
        return records;
    }

    @Test
    void readsTheOptOutListPageByPageUntilAShortPage() throws Exception {
        sim.seed(2500, 11);
        final Watermark[] next = new Watermark[1];
        final List<SourceRecord> records = fetchAll(new FetchRequest("optout", FetchMode.FULL, Watermark.START, 1000), next);
        assertThat(records).hasSize(2500);
        assertThat(records).allSatisfy(r -> assertThat(r.optOutValue()).isEqualTo("optout"));
        assertThat(next[0].modifiedAt()).isEqualTo(records.stream().map(SourceRecord::modifiedAt).max(java.util.Comparator.naturalOrder()).orElseThrow());
        assertThat(sim.stats().calls("GET /api/1/list/optout")).as("1000 + 1000 + a short page of 500").isEqualTo(3);
        assertThat(sim.stats().calls("POST /token")).isEqualTo(1);

        Thread.sleep(5);
        sim.rateLimit(false);
        final var added = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(sim.baseUrl() + "/_sim/acton/optouts")).POST(java.net.http.HttpRequest.BodyPublishers.ofString("[\"New.OptOut@Example.com\"]")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(added.statusCode()).isEqualTo(200);
        final Watermark before = next[0];
        final List<SourceRecord> changes = fetchAll(new FetchRequest("optout", FetchMode.INCREMENTAL, before, 1000), next);
        assertThat(changes).extracting(SourceRecord::email).contains("New.OptOut@Example.com");
        assertThat(changes).as("besides the new one, only the record at the watermark is read again (overlap; de-duplicated by id downstream)")
                .filteredOn(r -> !r.email().equals("New.OptOut@Example.com"))
                .allSatisfy(r -> assertThat(r.modifiedAt()).isEqualTo(before.modifiedAt()));
        assertThat(changes).filteredOn(r -> r.email().equals("New.OptOut@Example.com")).first()
                .extracting(SourceRecord::id).isEqualTo("new.optout@example.com");
        assertThat(next[0].modifiedAt()).isAfter(before.modifiedAt());
    }

    @Test
    void pushesTenThousandOptOutsInOneUploadAndStaysUnderTheRateLimit() throws Exception {
        final List<FieldUpdate> updates = IntStream.range(0, 10_000).mapToObj(i -> new FieldUpdate(null, "p" + i + "@example.com", true, Map.of())).toList();
        final List<WriteOutcome> outcomes = service.write("optout", updates);
        assertThat(outcomes).hasSize(10_000).allSatisfy(o -> assertThat(o.status()).isEqualTo(WriteOutcome.Status.SUCCESS));
        assertThat(sim.optOutAddresses()).hasSize(10_000);
        assertThat(sim.stats().calls("PUT /api/1/list/optout")).as("ceil(10,000 / 10,000) uploads").isEqualTo(1);
        assertThat(sim.stats().totalCalls()).as("one upload plus one sign-in").isEqualTo(2);

        for (int i = 0; i < 12; i++) {
            service.fetch(new FetchRequest("hardbounce", FetchMode.FULL, Watermark.START, 1000), page -> { });
        }
        assertThat(sim.stats().maxPerSecond()).isLessThanOrEqualTo(5);
        assertThat(sim.stats().faults("rate-limited")).isZero();
    }

    @Test
    void findsTheRejectedAddressesOfALargeUploadByHalvesNotOneByOne() throws Exception {
        final java.util.Random random = new java.util.Random(17);
        final java.util.Set<Integer> invalid = new java.util.TreeSet<>();
        while (invalid.size() < 5) {
            invalid.add(random.nextInt(10_000));
        }
        final List<FieldUpdate> updates = IntStream.range(0, 10_000).mapToObj(i -> new FieldUpdate(null,
                invalid.contains(i) ? "not-an-address-" + i : "p" + i + "@example.com", true, Map.of())).toList();
        final List<WriteOutcome> outcomes = service.write("optout", updates);
        for (int i = 0; i < updates.size(); i++) {
            assertThat(outcomes.get(i).status()).as(updates.get(i).email())
                    .isEqualTo(invalid.contains(i) ? WriteOutcome.Status.FAILED : WriteOutcome.Status.SUCCESS);
        }
        assertThat(sim.optOutAddresses()).hasSize(10_000 - 5);
        final long uploads = sim.stats().calls("PUT /api/1/list/optout");
        final int bound = 1 + 5 * (int) Math.ceil(Math.log(10_000) / Math.log(2));
        System.out.printf("FIGURE Act-On: 10,000 addresses with 5 invalid: %d uploads to find them (bound 1 + 5 x ceil(log2 10,000) = %d; one by one "
                + "would be 10,001)%n", uploads, bound);
        assertThat(uploads).as("k rejected of n cost about k log2(n / k) uploads").isLessThanOrEqualTo(bound);
    }

    @Test
    void findsTheRejectedAddressesOfAnUpload() throws Exception {
        final List<FieldUpdate> updates = Stream.of("a@example.com", "not-an-address", "b@example.com")
                .map(e -> new FieldUpdate(null, e, true, Map.of())).toList();
        final List<WriteOutcome> outcomes = service.write("optout", updates);
        assertThat(outcomes).extracting(WriteOutcome::status)
                .containsExactly(WriteOutcome.Status.SUCCESS, WriteOutcome.Status.FAILED, WriteOutcome.Status.SUCCESS);
        assertThat(outcomes.get(1).message()).contains("rejected");
        assertThat(service.write("hardbounce", updates)).allSatisfy(o -> assertThat(o.status()).isEqualTo(WriteOutcome.Status.FAILED));
        assertThat(service.write("optout", List.of(new FieldUpdate(null, "c@example.com", false, Map.of()))).getFirst().message())
                .as("re-opt-in is a gated feature").contains("refused");
    }

    @Test
    void twoNodesShareOneTokenSoTheClusterSignsInOnce() throws Exception {
        final MockStateManager clusterState = new MockStateManager(service);
        final ActOnClient.Credentials credentials = new ActOnClient.Credentials(ActOnSimulator.USERNAME, ActOnSimulator.PASSWORD,
                ActOnSimulator.CLIENT_ID, ActOnSimulator.CLIENT_SECRET);
        final List<ActOnClient> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            // two nodes at 2 calls/s each stay under the account's 5/s (sharing the budget across nodes is the cluster issue's work)
            final HttpTransport.Settings pace = new HttpTransport.Settings(2, 4, Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofSeconds(30));
            nodes.add(new ActOnClient(sim.baseUrl(), credentials, io.optsync.nifi.connector.ConnectorTestRunners.plainHttp(pace),
                    new SharedToken(clusterState, Clock.systemUTC(), io.optsync.nifi.connector.StateCipher.of("acton", List.of(ActOnSimulator.PASSWORD))), new MockComponentLog("node" + i, this)));
        }
        for (int round = 0; round < 3; round++) {
            for (final ActOnClient node : nodes) {
                node.fetch(new FetchRequest("optout", FetchMode.FULL, Watermark.START, 100), page -> { });
            }
        }
        assertThat(sim.passwordGrants()).isEqualTo(1);
        assertThat(clusterState.getState(Scope.CLUSTER).get("token.refresh")).isNotBlank();
        assertThat(clusterState.getState(Scope.CLUSTER).toMap().values()).as("no live token in cluster state")
                .noneMatch(value -> sim.issuedSecrets().stream().anyMatch(value::contains));

        sim.faults(FaultPlan.NONE);
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.baseUrl() + "/_sim/acton/expire-tokens"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        for (final ActOnClient node : nodes) {
            node.fetch(new FetchRequest("optout", FetchMode.FULL, Watermark.START, 100), page -> { });
        }
        assertThat(sim.passwordGrants()).as("an expired token is refreshed, not signed in again").isEqualTo(1);
        assertThat(sim.refreshGrants()).as("one node refreshes; the other takes its token from cluster state").isEqualTo(1);
    }

    @Test
    void ridesOutInjectedFaults() throws Exception {
        sim.seed(3000, 5);
        sim.rateLimit(false);
        sim.faults(new FaultPlan(0.2, 42, 200));
        runner.disableControllerService(service);
        runner.setProperty(service, ActOnConnectorService.TIMEOUT, "1 sec");
        runner.enableControllerService(service);
        assertThat(ConnectorTestRunners.fetchAll(service, new FetchRequest("optout", FetchMode.FULL, Watermark.START, 100))).hasSize(3000);
        assertThat(sim.stats().faults("500") + sim.stats().faults("503") + sim.stats().faults("429")
                + sim.stats().faults("timeout") + sim.stats().faults("reset")).isPositive();
    }

    @Test
    void secretsNeverReachTheLogs() throws Exception {
        sim.seed(10, 1);
        service.fetch(new FetchRequest("optout", FetchMode.FULL, Watermark.START, 1000), page -> { });
        service.write("optout", List.of(new FieldUpdate(null, "x@example.com", true, Map.of())));
        final List<LogMessage> messages = new ArrayList<>();
        for (final MockComponentLog log : List.of(runner.getLogger(), runner.getControllerServiceLogger("acton"))) {
            messages.addAll(log.getTraceMessages());
            messages.addAll(log.getDebugMessages());
            messages.addAll(log.getInfoMessages());
            messages.addAll(log.getWarnMessages());
            messages.addAll(log.getErrorMessages());
        }
        assertThat(messages).allSatisfy(m -> assertThat(m.getMsg() + java.util.Arrays.toString(m.getArgs()))
                .doesNotContain(ActOnSimulator.PASSWORD).doesNotContain(ActOnSimulator.CLIENT_SECRET));
        assertThat(new ActOnClient.Credentials("u", "pw-secret", "c", "cs-secret").toString()).doesNotContain("secret");
        assertThat(ActOnConnectorService.PASSWORD.isSensitive()).isTrue();
        assertThat(ActOnConnectorService.CLIENT_SECRET.isSensitive()).isTrue();
    }

    /**
     * Act-On counts refused password grants in its 5 an hour. A credential outage that tried a sign-in on every run would
     * spend the hour's allowance in a minute and keep the sync out for the rest of the hour once the password works again.
     */
    @Test
    void aCredentialOutageCostsOneSignInAndEnablingAgainSignsInAtOnce() throws Exception {
        sim.optOut("before@example.com");
        assertThat(fetchAll(new FetchRequest("optout", FetchMode.INCREMENTAL, Watermark.START, 100), new Watermark[1])).hasSize(1);
        assertThat(sim.passwordGrantCalls()).isEqualTo(1);

        sim.credentialsRefused(true); // the Act-On user's password was changed: tokens revoked, the password refused
        final List<ConnectorException> failures = new ArrayList<>();
        for (int run = 0; run < 8; run++) { // 8 runs of a fetch, as the 15-second schedule makes in 2 minutes: more than the hour's 5
            try {
                fetchAll(new FetchRequest("optout", FetchMode.INCREMENTAL, Watermark.START, 100), new Watermark[1]);
            } catch (final ConnectorException e) {
                failures.add(e);
            }
        }
        assertThat(failures).hasSize(8).allSatisfy(e -> assertThat(e.isConnectionFailure()).as(e.getMessage()).isTrue());
        assertThat(sim.passwordGrantCalls()).as("one refused sign-in, then none for %s", ActOnClient.SIGN_IN_SPACING).isEqualTo(2);
        assertThat(failures.getLast().getMessage()).contains("the next is tried at").contains("re-enable the connector service");

        sim.credentialsRefused(false); // the password is mended (here at Act-On; in NiFi, the user re-enters it)
        runner.disableControllerService(service);
        runner.enableControllerService(service);
        assertThat(fetchAll(new FetchRequest("optout", FetchMode.INCREMENTAL, Watermark.START, 100), new Watermark[1])).hasSize(1);
        assertThat(sim.passwordGrantCalls()).as("signed in at once, within the hour's 5").isEqualTo(3);
    }

    @Test
    void unknownObjectsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> service.fetch(new FetchRequest("contacts", FetchMode.FULL, Watermark.START, 10), page -> { }))
                .isInstanceOf(ConnectorException.class).hasMessageContaining("not 'contacts'");
        assertThat(Duration.ZERO).isZero();
    }
}
