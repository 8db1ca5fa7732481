package io.optsync.nifi.connector;

import java.io.IOException;
import java.util.List;

/** Receives the records of a fetch one page at a time. */
@FunctionalInterface
public interface PageHandler {
    void accept(List<SourceRecord> page) throws IOException;
}
