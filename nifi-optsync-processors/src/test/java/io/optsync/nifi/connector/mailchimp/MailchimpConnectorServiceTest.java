package io.optsync.nifi.connector.mailchimp;

import io.optsync.nifi.connector.ClusterNodes;
import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.simulators.MailchimpSimulator;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.state.MockStateManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The Mailchimp connector against the simulator: reads by last_changed, batch writes, compliance state, the connection cap. */
class MailchimpConnectorServiceTest {
    private final MailchimpSimulator sim = new MailchimpSimulator();

    @AfterEach
    void stop() {
        sim.close();
    }

    private OptOutConnectorService connector() throws Exception {
        sim.start(0);
        return MailchimpTestConnectors.add(ConnectorTestRunners.hostRunner(), "mc", sim.baseUrl());
    }

    private static List<SourceRecord> read(final OptOutConnectorService connector, final FetchMode mode, final Watermark since, final int pageSize)
            throws Exception {
        return ConnectorTestRunners.fetchAll(connector, new FetchRequest("members", mode, since, pageSize));
    }

    @Test
    void readsEveryMemberOnceEvenWhenManyShareASecondAndACleanedMemberIsABounce() throws Exception {
        final Instant second = Instant.parse("2026-11-01T10:00:00Z");
        for (int i = 0; i < 250; i++) { // an import: 250 members changed in the same second
            sim.put("import" + i + "@example.com", i % 10 == 0 ? "unsubscribed" : "subscribed", second);
        }
        sim.put("bounced@example.com", "cleaned", second.plusSeconds(5));
        final OptOutConnectorService connector = connector();
        final List<SourceRecord> all = read(connector, FetchMode.FULL, Watermark.START, 100);
        assertThat(all).hasSize(251);
        assertThat(all.stream().map(SourceRecord::id).distinct()).hasSize(251);
        final SourceRecord bounced = all.stream().filter(r -> r.email().equals("bounced@example.com")).findFirst().orElseThrow();
        assertThat(bounced.hardBounce()).isTrue();
        assertThat(bounced.optOutValue()).isEqualTo("cleaned");
        assertThat(read(connector, FetchMode.OPTED_OUT, Watermark.START, 1000)).hasSize(26);
    }

    @Test
    void aMemberChangedWhileThePagesAreReadIsNotLostNorIsAnyOther() throws Exception {
        sim.seed(600, 3);
        final OptOutConnectorService connector = connector();
        final String early = sim.all().get(5).email();
        sim.afterNextCall("GET /3.0/lists/{id}/members", () -> sim.setStatus(early, "unsubscribed"));
        final List<SourceRecord> all = read(connector, FetchMode.FULL, Watermark.START, 100);
        assertThat(all.stream().map(SourceRecord::email).distinct()).hasSize(600);
        assertThat(all.stream().filter(r -> r.email().equals(early)).map(SourceRecord::optOutValue)).contains("unsubscribed");
    }

    @Test
    void writesFiveHundredByAddressAndAComplianceStateIsFinal() throws Exception {
        sim.put("gone@example.com", "unsubscribed", Instant.now());
        final OptOutConnectorService connector = connector();
        final List<FieldUpdate> updates = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            updates.add(new FieldUpdate(null, "new" + i + "@example.com", true, Map.of()));
        }
        updates.add(new FieldUpdate(null, "gone@example.com", false, Map.of()));
        updates.add(new FieldUpdate(null, "not-an-address", true, Map.of()));
        final List<WriteOutcome> outcomes = connector.write("members", updates);
        assertThat(sim.stats().calls("POST /3.0/lists/{id}")).isEqualTo(3);
        assertThat(outcomes.subList(0, 1_200)).allMatch(o -> o.status() == WriteOutcome.Status.SUCCESS);
        assertThat(sim.member("New7@Example.com").status()).as("added as unsubscribed: no later import can subscribe it").isEqualTo("unsubscribed");
        assertThat(outcomes.get(1_200).status()).as("final, never a retry").isEqualTo(WriteOutcome.Status.FAILED);
        assertThat(outcomes.get(1_200).code()).isEqualTo("compliance-state");
        assertThat(sim.member("gone@example.com").status()).isEqualTo("unsubscribed");
        assertThat(outcomes.get(1_201).status()).isEqualTo(WriteOutcome.Status.FAILED);
    }

    @Test
    void aMemberTheBatchReplyDoesNotAccountForIsNeverReportedWritten() throws Exception {
        final OptOutConnectorService connector = connector();
        // HTTP 200, one error with no address, nobody written: what the reply says of each member must be read, not assumed
        sim.answerNext("POST /3.0/lists/{id}", io.optsync.simulators.SimResponse.json(200, Map.of("new_members", List.of(), "updated_members",
                List.of(Map.of("email_address", "b@example.com", "status", "subscribed")), "errors", List.of(Map.of("error", "Something went wrong",
                "error_code", "ERROR_GENERIC")), "total_created", 0, "total_updated", 1, "error_count", 1)));
        final List<WriteOutcome> outcomes = connector.write("members", List.of(new FieldUpdate(null, "a@example.com", true, Map.of()),
                new FieldUpdate(null, "b@example.com", true, Map.of())));
        assertThat(outcomes).extracting(WriteOutcome::status).containsExactly(WriteOutcome.Status.RETRY, WriteOutcome.Status.RETRY);
        assertThat(outcomes).extracting(WriteOutcome::code).containsExactly("unaccounted", "not_kept");
    }

    /** 24 threads looking up 4 members each through {@code connectors} (round robin), against a vendor that takes 200 ms a call. */
    private void lookUpFromTwentyFourThreads(final List<OptOutConnectorService> connectors) throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            final List<Future<Map<String, ?>>> calls = new ArrayList<>();
            for (int t = 0; t < 24; t++) {
                final List<String> emails = sim.all().subList(t * 4, t * 4 + 4).stream().map(MailchimpSimulator.Member::email).toList();
                final OptOutConnectorService connector = connectors.get(t % connectors.size());
                calls.add(pool.submit(() -> connector.lookupByEmail("members", emails)));
            }
            for (final Future<Map<String, ?>> call : calls) {
                assertThat(call.get()).hasSize(4);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void neverHoldsMoreConnectionsThanTheCap() throws Exception {
        sim.seed(100, 4);
        sim.latency(200);
        sim.start(0);
        final var runner = ConnectorTestRunners.hostRunner();
        final MailchimpConnectorService fast = ConnectorTestRunners.reconfigured(runner, MailchimpTestConnectors.add(runner, "fast", sim.baseUrl()),
                Map.of(MailchimpConnectorService.REQUESTS_PER_SECOND.getName(), "100"));
        lookUpFromTwentyFourThreads(List.of(fast));
        final int alone = sim.stats().maxConcurrent();
        final long refusedAlone = sim.stats().faults("too-many-connections");

        sim.stats().reset();
        final MailchimpConnectorService other = ConnectorTestRunners.reconfigured(runner, MailchimpTestConnectors.add(runner, "other", sim.baseUrl()),
                Map.of(MailchimpConnectorService.REQUESTS_PER_SECOND.getName(), "100"));
        lookUpFromTwentyFourThreads(List.of(fast, other));
        System.out.printf(Locale.ROOT, "FIGURE Mailchimp connections: 24 threads, 200 ms a call: highest concurrency %d with one service (cap 8 of "
                        + "Mailchimp's 10), %d refused; two services on the key sharing no cluster state (two NiFi instances that are not one cluster): highest %d, refused %d and retried until "
                        + "all succeeded%n", alone, refusedAlone, sim.stats().maxConcurrent(), sim.stats().faults("too-many-connections"));
        assertThat(alone).isEqualTo(8);
        assertThat(refusedAlone).isZero();
    }

    @Test
    void twoNodesOfAClusterTogetherHoldNoMoreConnectionsThanTheCap() throws Exception {
        sim.seed(100, 4);
        sim.latency(200);
        sim.start(0);
        final MockStateManager clusterState = new MockStateManager(new MailchimpConnectorService());
        final Map<PropertyDescriptor, String> properties = Map.of(MailchimpConnectorService.API_KEY, MailchimpSimulator.API_KEY,
                MailchimpConnectorService.BASE_URL, sim.baseUrl(), MailchimpConnectorService.LIST_ID, MailchimpSimulator.LIST_ID,
                MailchimpConnectorService.REQUESTS_PER_SECOND, "100");
        final MailchimpConnectorService nodeA = ClusterNodes.enable(new MailchimpConnectorService(), "a", clusterState, properties);
        final MailchimpConnectorService nodeB = ClusterNodes.enable(new MailchimpConnectorService(), "b", clusterState, properties);
        try {
            ClusterNodes.awaitSettled(nodeA, nodeB);
            lookUpFromTwentyFourThreads(List.of(nodeA, nodeB));
        } finally {
            nodeA.release();
            nodeB.release();
        }
        System.out.printf(Locale.ROOT, "FIGURE Mailchimp connections across a cluster: two nodes on one key sharing cluster state, 24 threads, 200 ms a "
                + "call: highest concurrency %d (cap 8 for the cluster, Mailchimp's limit 10), refused %d%n", sim.stats().maxConcurrent(),
                sim.stats().faults("too-many-connections"));
        assertThat(sim.stats().maxConcurrent()).as("the cap holds for the cluster, not per node").isEqualTo(8);
        assertThat(sim.stats().faults("too-many-connections")).isZero();
    }
}
