package io.optsync.nifi.connector;

import java.util.Objects;

/**
 * What became of one update.
 *
 * @param status written, failed for good, or to be tried again
 * @param code the vendor's error code, or empty
 * @param message the vendor's reason, or empty
 */
public record WriteOutcome(Status status, String code, String message) {

    public enum Status { SUCCESS, FAILED, RETRY }

    public static final WriteOutcome SUCCESS = new WriteOutcome(Status.SUCCESS, "", "");

    public WriteOutcome {
        Objects.requireNonNull(status, "status");
        code = code == null ? "" : code;
        message = message == null ? "" : message;
    }

    public static WriteOutcome failed(final String code, final String message) {
        return new WriteOutcome(Status.FAILED, code, message);
    }

    public static WriteOutcome retry(final String code, final String message) {
        return new WriteOutcome(Status.RETRY, code, message);
    }
}
