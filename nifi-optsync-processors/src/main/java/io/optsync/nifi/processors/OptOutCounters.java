package io.optsync.nifi.processors;

import org.apache.nifi.processor.Relationship;

/** Counter names of the optsync processors, in one place. */
final class OptOutCounters {
    private static final String RECORDS_TO = "Records to ";

    private OptOutCounters() {
    }

    /** The counter of records routed to a relationship, such as "Records to opted out". */
    static String recordsTo(final Relationship relationship) {
        return RECORDS_TO + relationship.getName();
    }
}
