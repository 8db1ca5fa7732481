package io.optsync.nifi.connector;

import java.io.IOException;
import java.util.List;

/** Receives the records of a fetch one page at a time. */
@FunctionalInterface
public interface PageHandler {
    void accept(List<SourceRecord> page) throws IOException;

    /**
     * Called by a full read between two pages: the read can stop here and go on later from {@code cursor} (in a
     * {@link FetchRequest#resumeFrom() later request}), so that what was read so far can be committed.
     *
     * @param cursor the connector's own text for the position after the pages handed over so far
     * @return whether to go on now; {@code false} ends the fetch here, as if the records were all read
     */
    default boolean resumable(final String cursor) throws IOException {
        return true;
    }

    /** Hands a page over; a failure to take it stops the fetch as a connector failure that the same page repeats. */
    static void deliver(final PageHandler pages, final List<SourceRecord> page) throws ConnectorException {
        try {
            pages.accept(page);
        } catch (final IOException e) {
            throw failed(e);
        }
    }

    /**
     * Offers a full read's position between two pages ({@link #resumable(String)}); other reads go on.
     *
     * @return whether the fetch goes on
     */
    static boolean goOn(final PageHandler pages, final FetchRequest request, final String cursor) throws ConnectorException {
        if (request.mode() != FetchMode.FULL) {
            return true;
        }
        try {
            return pages.resumable(cursor);
        } catch (final IOException e) {
            throw failed(e);
        }
    }

    private static ConnectorException failed(final IOException e) {
        return new ConnectorException("page", "could not hand over a page of records: " + e.getMessage(), false, java.time.Duration.ZERO, e);
    }
}
