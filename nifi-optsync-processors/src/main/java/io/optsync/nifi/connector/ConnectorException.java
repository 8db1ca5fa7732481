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
}
