package io.optsync.nifi.connector;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.components.state.StateMap;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Splits a vendor's limits (requests a second, connections open at once) between the nodes of a NiFi cluster, so that
 * the cluster as a whole stays within them, not each node.
 * <p>
 * Every enabled instance of a connector service is a member: it writes a lease under its own key in the service's
 * cluster state and renews it every {@link #RENEW}; a member whose lease ran out ({@link #LEASE}, a node that died) is
 * dropped by the next renewal of any other. Each member takes {@code limit / members} of a rate, and of a count its
 * part of an exact split by rank (the first {@code limit % members} members one more), so that the parts add up to
 * the limit and never more. A member that has just joined takes nothing until {@link #RENEW} has passed and it has
 * renewed again: by then every other member has renewed, seen it, and cut its own part. When a member leaves or dies
 * the others grow their parts at their next renewal after its lease ends; until then they stay under the limit.
 * <p>
 * Standalone (no cluster), the one member takes the whole limit and no state is written.
 */
public final class ClusterShare {

    /** A limit split between the members. */
    public interface Limit {
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
    static final String PREFIX = "member.";

    private final StateManager state;
    private final Clock clock;
    private final List<Limit> limits;
    private final String member = UUID.randomUUID().toString();
    private Instant joined;
    private int members;
    private int rank;
    private boolean settled;

    private ClusterShare(final StateManager state, final Clock clock, final List<Limit> limits) {
        this.state = state;
        this.clock = clock;
        this.limits = List.copyOf(limits);
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
     * Renews this member's lease, drops expired ones, and sets every limit to this member's part.
     *
     * @return the live members, this one included
     */
    public synchronized int renew() throws IOException {
        if (state == null) {
            return 1;
        }
        final Instant now = clock.instant();
        for (int attempt = 0; attempt < 50; attempt++) {
            final StateMap old = state.getState(Scope.CLUSTER);
            final Map<String, String> next = new HashMap<>(old.toMap());
            next.entrySet().removeIf(e -> e.getKey().startsWith(PREFIX) && !Instant.ofEpochMilli(Long.parseLong(e.getValue())).isAfter(now));
            next.put(PREFIX + member, String.valueOf(now.plus(LEASE).toEpochMilli()));
            if (write(old, next)) {
                final List<String> live = new ArrayList<>(next.keySet().stream().filter(k -> k.startsWith(PREFIX)).sorted().toList());
                if (joined == null) {
                    joined = now;
                }
                final boolean nowSettled = settled || !now.isBefore(joined.plus(RENEW));
                apply(live.size(), live.indexOf(PREFIX + member), nowSettled);
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
            if (next.remove(PREFIX + member) == null || write(old, next)) {
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

    private void apply(final int liveMembers, final int liveRank, final boolean nowSettled) {
        members = liveMembers;
        rank = liveRank;
        settled = nowSettled;
        for (final Limit limit : limits) {
            limit.share(settled ? members : 0, rank);
        }
    }

    private boolean write(final StateMap old, final Map<String, String> next) throws IOException {
        if (old.getStateVersion().isEmpty()) {
            state.setState(next, Scope.CLUSTER); // nothing stored yet; some providers cannot replace an absent map
            return true;
        }
        return state.replace(old, next, Scope.CLUSTER);
    }

    /** A count (connections, concurrent requests) split exactly: the first {@code limit % members} members take one more. */
    public static int part(final int limit, final int members, final int rank) {
        if (members <= 0) {
            return 0;
        }
        return limit / members + (rank < limit % members ? 1 : 0);
    }
}
