package io.optsync.nifi.connector;

import java.util.Objects;

/**
 * @param object the object to read
 * @param mode incremental, full, or the opted-out set
 * @param since where an incremental fetch starts; {@link Watermark#START} for the beginning
 * @param pageSize records per vendor call, within the vendor's own maximum
 * @param resumeFrom where a full read that stopped goes on: a position the connector handed to
 *        {@link PageHandler#resumable(String)}, or {@code null} to read from the beginning
 */
public record FetchRequest(String object, FetchMode mode, Watermark since, int pageSize, String resumeFrom) {
    public FetchRequest {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(since, "since");
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive");
        }
    }

    /** A read from the beginning (a full read) or from {@code since} (an incremental read). */
    public FetchRequest(final String object, final FetchMode mode, final Watermark since, final int pageSize) {
        this(object, mode, since, pageSize, null);
    }

    /** Whether this is a full read that goes on from where an earlier one stopped. */
    public boolean resuming() {
        return mode == FetchMode.FULL && resumeFrom != null;
    }
}
