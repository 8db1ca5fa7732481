package io.optsync.nifi.connector;

import java.util.Objects;

/**
 * @param object the object to read
 * @param mode incremental, full, or the opted-out set
 * @param since where an incremental fetch starts; {@link Watermark#START} for the beginning
 * @param pageSize records per vendor call, within the vendor's own maximum
 */
public record FetchRequest(String object, FetchMode mode, Watermark since, int pageSize) {
    public FetchRequest {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(since, "since");
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive");
        }
    }
}
