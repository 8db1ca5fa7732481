package io.optsync.nifi.connector;

import java.time.Instant;
import java.util.Objects;

/**
 * Where an incremental fetch starts: the modification time of the last record read, and its id to break ties.
 * Stored in state as text ({@link #encode()}).
 *
 * @param modifiedAt the last modification time read
 * @param id the id of the record read last at that time, or empty
 */
public record Watermark(Instant modifiedAt, String id) implements Comparable<Watermark> {
    public static final Watermark START = new Watermark(Instant.EPOCH, "");

    public Watermark {
        Objects.requireNonNull(modifiedAt, "modifiedAt");
        id = id == null ? "" : id;
    }

    /** {@code <ISO instant>|<id>} */
    public String encode() {
        return modifiedAt + "|" + id;
    }

    public static Watermark decode(final String text) {
        if (text == null || text.isBlank()) {
            return START;
        }
        final int bar = text.indexOf('|');
        return bar < 0 ? new Watermark(Instant.parse(text), "") : new Watermark(Instant.parse(text.substring(0, bar)), text.substring(bar + 1));
    }

    /** This watermark moved back by the overlap, so that records stamped late in the same clock tick are read again. */
    public Watermark minus(final java.time.Duration overlap) {
        return this.equals(START) ? START : new Watermark(modifiedAt.minus(overlap), "");
    }

    public static Watermark earlier(final Watermark a, final Watermark b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    public static Watermark later(final Watermark a, final Watermark b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(final Watermark other) {
        final int byTime = modifiedAt.compareTo(other.modifiedAt);
        return byTime != 0 ? byTime : id.compareTo(other.id);
    }
}
