package io.optsync.nifi.connector;

import java.time.Duration;

/**
 * A vendor call failed as a whole. {@link #isRetryable()} says whether the same call may succeed later (rate limit,
 * 5xx, network) or not (bad credentials, bad request); {@link #retryAfter()} how long the vendor asked to wait.
 * Messages never carry credentials or tokens.
 */
public class ConnectorException extends Exception {
    private final boolean retryable;
    private final Duration retryAfter;
    private final String code;

    public ConnectorException(final String code, final String message, final boolean retryable, final Duration retryAfter, final Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
        this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    }

    public ConnectorException(final String code, final String message, final boolean retryable) {
        this(code, message, retryable, Duration.ZERO, null);
    }

    public boolean isRetryable() {
        return retryable;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public String code() {
        return code;
    }

    /**
     * Codes of failures that are the connection's, whatever the records: a sign-in, session or permission refused, an
     * object that does not exist, a destination a call may not go to.
     */
    private static final java.util.Set<String> CONNECTION_CODES = java.util.Set.of("401", "403", "token", "state", "cluster-share", "object", "destination",
            "INVALID_SESSION_ID", "INVALID_AUTH_HEADER", "API_DISABLED_FOR_ORG", "fault-10", "fault-11", "fault-40");

    /**
     * Whether the vendor or the connection to it failed rather than the records sent: it is unreachable or over a limit
     * (every retryable failure), or it refused the sign-in, a session or a permission, or the object configured does not
     * exist. The same records go through once that is mended, by the vendor or by the user, so they wait on retry.
     */
    public boolean isConnectionFailure() {
        return retryable || code.startsWith("auth") || CONNECTION_CODES.contains(code);
    }
}
