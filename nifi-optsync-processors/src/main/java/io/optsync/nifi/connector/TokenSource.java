package io.optsync.nifi.connector;

/** Where a connector gets the vendor token its calls carry, and replaces one the vendor refused. */
public interface TokenSource {
    /** A usable token: a cached one, or a new one from {@code grant}. */
    SharedToken.Token token(SharedToken.Grant grant) throws ConnectorException;

    /** Replaces a token the vendor refused and returns the new access token. */
    String renewAfterRefusal(SharedToken.Grant grant, String refused) throws ConnectorException;

    /**
     * A token kept on this node only, never in state: for a token another NiFi service hands out (an OAuth2 Access
     * Token Provider on each node signs in and refreshes by itself).
     */
    static TokenSource nodeLocal() {
        return new TokenSource() {
            private SharedToken.Token cached;

            @Override
            public synchronized SharedToken.Token token(final SharedToken.Grant grant) throws ConnectorException {
                if (cached == null || !cached.usableAt(java.time.Instant.now())) {
                    cached = grant.obtain(null);
                }
                return cached;
            }

            @Override
            public synchronized String renewAfterRefusal(final SharedToken.Grant grant, final String refused) throws ConnectorException {
                cached = grant.obtain(null);
                return cached.access();
            }

            @Override
            public String toString() {
                return "TokenSource[node-local]";
            }
        };
    }
}
