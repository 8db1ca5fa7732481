package io.optsync.nifi.connector;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.components.state.StateMap;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A vendor token shared by every node of a cluster through the connector's cluster state, so that the cluster logs in
 * once, not once per node: Act-On allows 5 password grants an hour and its refresh tokens are single-use; SugarCRM
 * logs out an earlier session of the same platform. Before a grant, a node takes a short lease in state with
 * compare-and-set, so that only one node at a time logs in or refreshes, and the new token is published before the
 * lease is let go. On a single NiFi, cluster state is the local state.
 */
public final class SharedToken implements TokenSource {
    private static final String ACCESS = "token.access";
    private static final String REFRESH = "token.refresh";
    private static final String EXPIRES = "token.expires";
    private static final String ENDPOINT = "token.endpoint";
    private static final String LEASE_OWNER = "token.lease.owner";
    private static final String LEASE_UNTIL = "token.lease.until";
    private static final String SIGN_IN_REFUSED = "token.signin.refused";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration EARLY = Duration.ofSeconds(60);

    /**
     * A token as the vendor issued it.
     *
     * @param endpoint where the token is to be used, when the vendor says so with the token (Salesforce's
     *                 {@code instance_url}), or {@code null}
     */
    public record Token(String access, String refresh, Instant expires, String endpoint) {
        public Token(final String access, final String refresh, final Instant expires) {
            this(access, refresh, expires, null);
        }

        @Override
        public String toString() {
            return "Token[expires=" + expires + ", endpoint=" + endpoint + "]";
        }

        boolean usableAt(final Instant now) {
            return access != null && !access.isEmpty() && expires.minus(EARLY).isAfter(now);
        }
    }

    /** Gets a token from the vendor: with the refresh token when there is one (it may be {@code null}), else by logging in. */
    @FunctionalInterface
    public interface Grant {
        Token obtain(String refreshToken) throws ConnectorException;
    }

    private final StateManager state;
    private final Clock clock;
    private final StateCipher cipher;
    private final String owner = UUID.randomUUID().toString();
    private Token cached;

    /** @param cipher seals the access and refresh tokens in state: no live secret is stored there in the clear */
    public SharedToken(final StateManager state, final Clock clock, final StateCipher cipher) {
        this.state = state;
        this.clock = clock;
        this.cipher = cipher;
    }

    /** A usable access token: the cached one, the cluster's, or a new one from {@code grant}. */
    public synchronized String access(final Grant grant) throws ConnectorException {
        return token(grant).access();
    }

    /** A usable token with its endpoint: the cached one, the cluster's, or a new one from {@code grant}. */
    @Override
    public synchronized Token token(final Grant grant) throws ConnectorException {
        if (cached == null || !cached.usableAt(clock.instant())) {
            renew(grant, null);
        }
        return cached;
    }

    /**
     * Replaces a token the vendor refused (expired or logged out) and returns the new access token. When another node
     * already replaced it, that one is used without a new grant.
     */
    @Override
    public synchronized String renewAfterRefusal(final Grant grant, final String refused) throws ConnectorException {
        cached = null;
        return renew(grant, refused);
    }

    private String renew(final Grant grant, final String refused) throws ConnectorException {
        try {
            for (int attempt = 0; attempt < 200; attempt++) {
                final StateMap map = state.getState(Scope.CLUSTER);
                final Token shared = read(map);
                if (shared != null && shared.usableAt(clock.instant()) && !shared.access().equals(refused)) {
                    cached = shared;
                    return shared.access();
                }
                if (leasedByOther(map)) {
                    Thread.sleep(250);
                    continue;
                }
                final Map<String, String> leased = new HashMap<>(map.toMap());
                leased.put(LEASE_OWNER, owner);
                leased.put(LEASE_UNTIL, clock.instant().plus(LEASE).toString());
                if (!ClusterStates.compareAndSet(state, map, leased)) {
                    continue;
                }
                final Token fresh;
                try {
                    fresh = grant.obtain(shared == null ? null : shared.refresh());
                } catch (final ConnectorException | RuntimeException refusedGrant) {
                    release(); // the next try (a mended password, another node) need not wait the lease out
                    throw refusedGrant;
                }
                publish(fresh);
                cached = fresh;
                return fresh.access();
            }
            throw new ConnectorException("token", "could not obtain a token: another node holds the token lease", true);
        } catch (final IOException e) {
            throw new ConnectorException("state", "could not read or write the shared token in cluster state: " + e.getMessage(), true, Duration.ZERO, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException("interrupted", "interrupted while waiting for the token lease", true);
        }
    }

    /**
     * Writes the new token and lets the lease go. Nobody else writes the token while we hold the lease, but other keys
     * of the same state (the members of {@link ClusterShare}) may change meanwhile: they are kept.
     */
    private void publish(final Token fresh) throws IOException {
        update(current -> {
            final Map<String, String> published = new HashMap<>(current.toMap());
            published.put(ACCESS, cipher.seal(ACCESS, fresh.access()));
            published.put(REFRESH, fresh.refresh() == null ? "" : cipher.seal(REFRESH, fresh.refresh()));
            published.put(EXPIRES, fresh.expires().toString());
            published.put(ENDPOINT, fresh.endpoint() == null ? "" : fresh.endpoint());
            published.remove(SIGN_IN_REFUSED);
            published.remove(LEASE_OWNER);
            published.remove(LEASE_UNTIL);
            return published;
        }, "the new token was written");
    }

    /** Lets our lease go after a grant that failed, keeping everything else of the state. */
    private void release() throws IOException {
        update(current -> {
            if (!owner.equals(current.get(LEASE_OWNER))) {
                return null;
            }
            final Map<String, String> released = new HashMap<>(current.toMap());
            released.remove(LEASE_OWNER);
            released.remove(LEASE_UNTIL);
            return released;
        }, "the token lease was let go");
    }

    /**
     * Replaces the cluster state with what {@code change} makes of it (nothing when it answers {@code null}), trying again
     * while other keys of the same state (the members of {@link ClusterShare}) change meanwhile.
     */
    private void update(final java.util.function.Function<StateMap, Map<String, String>> change, final String what) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            final StateMap current = state.getState(Scope.CLUSTER);
            final Map<String, String> next = change.apply(current);
            if (next == null || ClusterStates.compareAndSet(state, current, next)) {
                return;
            }
        }
        throw new IOException("cluster state kept changing while " + what);
    }

    private boolean leasedByOther(final StateMap map) {
        final String leaseOwner = map.get(LEASE_OWNER);
        final String until = map.get(LEASE_UNTIL);
        return leaseOwner != null && !leaseOwner.equals(owner) && until != null && Instant.parse(until).isAfter(clock.instant());
    }

    /** The cluster's token, or {@code null} when there is none this service's secrets open (as after a password change). */
    private Token read(final StateMap map) {
        final String access = cipher.open(ACCESS, map.get(ACCESS)).orElse(null);
        final String expires = map.get(EXPIRES);
        if (access == null || expires == null) {
            return null;
        }
        final String refresh = cipher.open(REFRESH, map.get(REFRESH)).orElse(null);
        final String endpoint = map.get(ENDPOINT);
        return new Token(access, refresh, Instant.parse(expires),
                endpoint == null || endpoint.isEmpty() ? null : endpoint);
    }

    /**
     * Before a sign-in the vendor rations (Act-On: 5 password grants an hour, refused ones included): refuses it here,
     * without calling the vendor, while a sign-in of any node was refused less than {@code spacing} ago. A credential
     * outage then costs one sign-in per {@code spacing}, not the hour's whole allowance in a minute, which would keep
     * the sync out for the rest of the hour once the credentials work again.
     */
    public void beforeSignIn(final Duration spacing, final String vendor) throws ConnectorException {
        try {
            final String refused = state.getState(Scope.CLUSTER).get(SIGN_IN_REFUSED);
            if (refused == null) {
                return;
            }
            final Instant next = Instant.parse(refused).plus(spacing);
            if (next.isAfter(clock.instant())) {
                throw new ConnectorException("auth-held", vendor + " refused the last sign-in at " + refused + "; the next is tried at " + next
                        + " (it allows few sign-ins an hour, refused ones included). Mend the credentials and re-enable the connector service to "
                        + "try at once", false);
            }
        } catch (final IOException e) {
            throw new ConnectorException("state", "could not read the shared token in cluster state: " + e.getMessage(), true, Duration.ZERO, e);
        }
    }

    /** Notes, for every node, that the vendor refused a rationed sign-in now ({@link #beforeSignIn}). */
    public void signInRefused() throws ConnectorException {
        try {
            final String now = clock.instant().toString();
            update(current -> {
                final Map<String, String> noted = new HashMap<>(current.toMap());
                noted.put(SIGN_IN_REFUSED, now);
                return noted;
            }, "a refused sign-in was noted");
        } catch (final IOException e) {
            throw new ConnectorException("state", "could not write the shared token in cluster state: " + e.getMessage(), true, Duration.ZERO, e);
        }
    }

    /**
     * Lets the next sign-in go at once: what a user who mended the credentials asks for by enabling the service (or by
     * Verify) again.
     */
    public void clearRefusedSignIn() throws IOException {
        update(current -> {
            if (current.get(SIGN_IN_REFUSED) == null) {
                return null;
            }
            final Map<String, String> cleared = new HashMap<>(current.toMap());
            cleared.remove(SIGN_IN_REFUSED);
            return cleared;
        }, "the hold on sign-ins was cleared");
    }

    /** Forgets the cached token (for tests and after configuration changes). */
    public synchronized void forget() {
        cached = null;
    }
}
