package io.optsync.nifi.connector;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.components.state.StateMap;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Splits a vendor's limits (requests a second, connections open at once) between the nodes of a NiFi cluster that use
 * them, so that the cluster as a whole stays within them, not each node.
 * <p>
 * A node that calls the vendor is a member: it writes a lease under its own key in the service's cluster state and
 * renews it every {@link #RENEW}; a member whose lease ran out ({@link #LEASE}: a node that died, or one that has not
 * called for that long and left) is dropped by the next renewal of any other. Each member takes {@code limit / members}
 * of a rate, and of a count its part of an exact split by rank (the first {@code limit % members} members one more),
 * so that the parts add up to the limit and never more. Only nodes that call count: a fetch that runs on the primary
 * node alone has the whole budget. A node that wants to call and is no member joins, and takes nothing until
 * {@link #RENEW} has passed and it has renewed again: by then every other member has renewed, seen it, and cut its own
 * part. When a member leaves or dies the others grow their parts at their next renewal after its lease ends; until
 * then they stay under the limit.
 * <p>
 * Standalone (no cluster), the one node takes the whole limit and no state is written.
 */
public final class ClusterShare {

    /** A limit split between the members. */
    public interface Limit {
        /** Hands over what the limit calls whenever a call wants to go out, so that the node counts as a member. */
        default void onDemand(final Runnable demand) {
        }

        /**
         * This member's part.
         *
         * @param members the live members, this one included; 0 while this member waits to take its part
         * @param rank this member's place among them, from 0
         */
        void share(int members, int rank);
    }

    public static final Duration RENEW = Duration.ofSeconds(5);
    public static final Duration LEASE = Duration.ofSeconds(15);
    /**
     * The longest a call waits for this node's part (a join takes one or two renewals); past it the call fails as
     * retryable, so that a node that cannot reach cluster state holds no thread for ever.
     */
    public static final Duration LONGEST_WAIT = LEASE.multipliedBy(2);

    /** The retryable failure of a call that waited {@link #LONGEST_WAIT} for a part. */
    static ConnectorException noPart(final String what) {
        return new ConnectorException("cluster-share", "this node got no share of the vendor's " + what + " within " + LONGEST_WAIT.toSeconds()
                + " s: the cluster state (ZooKeeper) may be out of reach", true);
    }
    static final String PREFIX = "member.";

    private final StateManager state;
    private final Clock clock;
    private final List<Limit> limits;
    private final String member = UUID.randomUUID().toString();
    private Instant joined;
    private int members;
    private boolean settled;
    private volatile Instant lastDemand;
    private volatile boolean isMember;
    private volatile Runnable wake = () -> { };

    private ClusterShare(final StateManager state, final Clock clock, final List<Limit> limits) {
        this.state = state;
        this.clock = clock;
        this.limits = List.copyOf(limits);
        this.limits.forEach(limit -> limit.onDemand(this::demand));
    }

    /** What to run when a node that is no member wants to call: a renewal soon, to join. */
    public void onWake(final Runnable renewSoon) {
        this.wake = renewSoon;
    }

    /** A call wants to go out: this node is, or becomes, a member. */
    public void demand() {
        if (state == null) {
            return;
        }
        lastDemand = clock.instant();
        if (!isMember) {
            wake.run();
        }
    }

    /** One node alone: every limit whole, at once. */
    public static ClusterShare standalone(final List<Limit> limits) {
        final ClusterShare share = new ClusterShare(null, Clock.systemUTC(), limits);
        share.apply(1, 0, true);
        return share;
    }

    /** A member of a cluster: every limit closed until {@link #renew()} has settled this member's part. */
    public static ClusterShare clustered(final StateManager state, final Clock clock, final List<Limit> limits) {
        final ClusterShare share = new ClusterShare(state, clock, limits);
        share.apply(0, 0, false);
        return share;
    }

    public boolean clustered() {
        return state != null;
    }

    /**
     * Renews this node's lease while it calls the vendor (or lets it go after {@link #LEASE} without a call), drops
     * expired ones, and sets every limit to this node's part.
     *
     * @return the live members, this one included when it is one
     */
    public synchronized int renew() throws IOException {
        if (state == null) {
            return 1;
        }
        final Instant now = clock.instant();
        final Instant demanded = lastDemand;
        final boolean active = demanded != null && now.isBefore(demanded.plus(LEASE));
        for (int attempt = 0; attempt < 50; attempt++) {
            final StateMap old = state.getState(Scope.CLUSTER);
            final Map<String, String> next = new HashMap<>(old.toMap());
            next.entrySet().removeIf(e -> e.getKey().startsWith(PREFIX) && !Instant.ofEpochMilli(Long.parseLong(e.getValue())).isAfter(now));
            if (active) {
                next.put(PREFIX + member, String.valueOf(now.plus(LEASE).toEpochMilli()));
            } else {
                next.remove(PREFIX + member);
            }
            if (next.equals(old.toMap()) && !active || ClusterStates.compareAndSet(state, old, next)) {
                final List<String> live = next.keySet().stream().filter(k -> k.startsWith(PREFIX)).sorted().toList();
                if (!active) {
                    joined = null;
                    isMember = false;
                    apply(live.size(), -1, false); // closed: the next call demands, and joins
                    return live.size();
                }
                if (joined == null) {
                    joined = now;
                }
                isMember = true;
                apply(live.size(), live.indexOf(PREFIX + member), !now.isBefore(joined.plus(RENEW)));
                return live.size();
            }
        }
        throw new IOException("cluster state kept changing while renewing the membership of " + member);
    }

    /** Leaves the cluster's count: the other members take this one's part at their next renewal. */
    public synchronized void leave() throws IOException {
        if (state == null) {
            return;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            final StateMap old = state.getState(Scope.CLUSTER);
            final Map<String, String> next = new HashMap<>(old.toMap());
            if (next.remove(PREFIX + member) == null || ClusterStates.compareAndSet(state, old, next)) {
                return;
            }
        }
    }

    public synchronized int members() {
        return members;
    }

    public synchronized boolean settled() {
        return settled;
    }

    private void apply(final int liveMembers, final int rank, final boolean nowSettled) {
        members = liveMembers;
        settled = nowSettled;
        for (final Limit limit : limits) {
            limit.share(settled ? members : 0, rank);
        }
    }

    /** A count (connections, concurrent requests) split exactly: the first {@code limit % members} members take one more. */
    public static int part(final int limit, final int members, final int rank) {
        if (members <= 0) {
            return 0;
        }
        return limit / members + (rank < limit % members ? 1 : 0);
    }
}
