package io.optsync.nifi.connector;

import io.optsync.simulators.MovingClock;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.state.MockStateManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Two or three nodes of a cluster sharing a vendor's limits through one cluster state, on a clock the test moves. */
class ClusterShareTest {
    private final MockStateManager state = new MockStateManager(new io.optsync.nifi.connector.netsuite.NetSuiteConnectorService());
    private final MovingClock clock = new MovingClock(Instant.parse("2026-11-24T10:00:00Z"));


    /** A node: its share of 10 connections and 5 requests a second. */
    private final class Node {
        final ConcurrencyCap connections = new ConcurrencyCap(10);
        final HttpTransport transport = ConnectorTestRunners.plainHttp(new HttpTransport.Settings(5, 1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1)));
        final ClusterShare share = ClusterShare.clustered(state, clock, List.of(connections, transport));

        /** A renewal of a node that calls the vendor. */
        int callAndRenew() throws java.io.IOException {
            share.demand();
            return share.renew();
        }
    }

    private static void assertWithinLimits(final Node... nodes) {
        int connections = 0;
        double rate = 0;
        for (final Node node : nodes) {
            connections += node.connections.allowed();
            rate += node.transport.requestsPerSecond();
        }
        assertThat(connections).as("connections of the whole cluster").isLessThanOrEqualTo(10);
        assertThat(rate).as("requests a second of the whole cluster").isLessThanOrEqualTo(5.0);
    }

    @Test
    void aJoiningNodeWaitsUntilEveryOtherHasCutItsPartAndADeadNodesPartComesBack() throws Exception {
        final Node a = new Node();
        assertThat(a.connections.allowed()).as("closed before the first renewal").isZero();
        a.share.renew();
        assertThat(a.share.members()).as("a node that has not called is no member").isZero();
        a.callAndRenew();
        assertThat(a.connections.allowed()).as("just joined: waits one renewal period").isZero();
        clock.advance(ClusterShare.RENEW);
        a.callAndRenew();
        assertThat(a.connections.allowed()).isEqualTo(10);
        assertThat(a.transport.requestsPerSecond()).isEqualTo(5.0);

        clock.advance(Duration.ofSeconds(1));
        final Node b = new Node();
        b.callAndRenew();
        assertThat(b.share.members()).isEqualTo(2);
        assertThat(b.connections.allowed()).as("b waits while a still takes the whole").isZero();
        assertWithinLimits(a, b);
        clock.advance(Duration.ofSeconds(4));
        a.callAndRenew();
        assertThat(a.connections.allowed()).isEqualTo(5);
        assertWithinLimits(a, b);
        clock.advance(Duration.ofSeconds(1));
        b.callAndRenew();
        assertThat(b.connections.allowed()).isEqualTo(5);
        assertThat(b.transport.requestsPerSecond()).isEqualTo(2.5);
        assertWithinLimits(a, b);

        // b dies (SIGKILL: no goodbye); a keeps its half until b's lease runs out, then takes the whole again
        for (int s = 0; s < 2; s++) {
            clock.advance(ClusterShare.RENEW);
            a.callAndRenew();
            assertThat(a.connections.allowed()).as("b's lease still runs: a keeps its half").isEqualTo(5);
        }
        clock.advance(ClusterShare.RENEW);
        a.callAndRenew();
        assertThat(a.connections.allowed()).isEqualTo(10);
        assertThat(a.share.members()).isEqualTo(1);
    }

    @Test
    void aNodeThatLeavesGivesItsPartBackAtTheOthersNextRenewal() throws Exception {
        final Node a = new Node();
        final Node b = new Node();
        final Node c = new Node();
        for (int round = 0; round < 2; round++) {
            for (final Node node : List.of(a, b, c)) {
                node.callAndRenew();
            }
            clock.advance(ClusterShare.RENEW);
        }
        assertThat(List.of(a, b, c)).extracting(n -> n.connections.allowed()).as("10 split exactly").containsExactlyInAnyOrder(4, 3, 3);
        assertWithinLimits(a, b, c);
        c.share.leave();
        a.callAndRenew();
        b.callAndRenew();
        assertThat(a.connections.allowed() + b.connections.allowed()).isEqualTo(10);
    }

    @Test
    void onlyNodesThatCallShareTheLimitsSoAPrimaryOnlyFetchHasTheWholeBudget() throws Exception {
        final Node primary = new Node();
        final Node other = new Node();
        for (int round = 0; round < 2; round++) {
            primary.callAndRenew();
            other.callAndRenew();
            clock.advance(ClusterShare.RENEW);
        }
        assertThat(primary.transport.requestsPerSecond()).isEqualTo(2.5);
        final java.util.concurrent.atomic.AtomicInteger woken = new java.util.concurrent.atomic.AtomicInteger();
        other.share.onWake(woken::incrementAndGet);
        for (int round = 0; round < 4; round++) { // the other node stops calling: after its lease it leaves
            primary.callAndRenew();
            other.share.renew();
            clock.advance(ClusterShare.RENEW);
        }
        primary.callAndRenew();
        assertThat(primary.transport.requestsPerSecond()).as("the primary alone calls").isEqualTo(5.0);
        assertThat(other.transport.requestsPerSecond()).as("the idle node waits for its next call").isZero();
        other.share.demand();
        assertThat(woken).as("a call on an idle node asks for a renewal, to join").hasValue(1);
        assertWithinLimits(primary, other);
    }

    @Test
    void countsAreSplitExactlyAndNeverAddUpToMoreThanTheLimit() {
        for (int limit = 1; limit <= 12; limit++) {
            for (int members = 1; members <= 5; members++) {
                int sum = 0;
                for (int rank = 0; rank < members; rank++) {
                    sum += ClusterShare.part(limit, members, rank);
                }
                assertThat(sum).as("%d over %d", limit, members).isEqualTo(limit);
            }
        }
    }

    @Test
    void aNewTokenKeepsAMemberThatJoinedWhileItWasGranted() throws Exception {
        final Node a = new Node();
        a.callAndRenew();
        final SharedToken token = new SharedToken(state, clock, StateCipher.of("test", java.util.List.of("secret")));
        final Node[] b = new Node[1];
        token.access(refresh -> {
            b[0] = new Node();
            try {
                b[0].callAndRenew(); // another node joins while this one signs in
            } catch (final java.io.IOException e) {
                throw new AssertionError(e);
            }
            return new SharedToken.Token("access", null, clock.instant().plusSeconds(3600));
        });
        clock.advance(ClusterShare.RENEW);
        assertThat(StateCipher.of("test", java.util.List.of("secret")).open("token.access", state.getState(Scope.CLUSTER).get("token.access"))).contains("access");
        assertThat(a.callAndRenew()).as("both members still counted").isEqualTo(2);
    }

    @Test
    void aRefusedGrantLeavesNoLeaseForTheNextSignInToWaitOut() throws Exception {
        final SharedToken refused = new SharedToken(state, clock, StateCipher.of("test", java.util.List.of("secret")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> refused.access(refresh -> {
            throw new ConnectorException("auth-401", "wrong password", false);
        })).isInstanceOf(ConnectorException.class);
        assertThat(state.getState(Scope.CLUSTER).toMap()).as("the lease is let go").doesNotContainKey("token.lease.owner");

        // the service re-enabled with the password mended (a new owner), or another node: it signs in at once
        final SharedToken mended = new SharedToken(state, clock, StateCipher.of("test", java.util.List.of("secret")));
        assertThat(mended.access(refresh -> new SharedToken.Token("access", null, clock.instant().plusSeconds(3600)))).isEqualTo("access");
    }
}
