package io.optsync.nifi.connector;

import java.io.IOException;
import java.util.List;

/** Receives the records of a fetch one page at a time. */
@FunctionalInterface
public interface PageHandler {
    void accept(List<SourceRecord> page) throws IOException;

    /** Hands a page over; a failure to take it stops the fetch as a connector failure that the same page repeats. */
    static void deliver(final PageHandler pages, final List<SourceRecord> page) throws ConnectorException {
        try {
            pages.accept(page);
        } catch (final IOException e) {
            throw new ConnectorException("page", "could not hand over a page of records: " + e.getMessage(), false, java.time.Duration.ZERO, e);
        }
    }
}
