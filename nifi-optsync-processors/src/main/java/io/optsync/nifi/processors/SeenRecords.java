package io.optsync.nifi.processors;

import io.optsync.nifi.connector.SourceRecord;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The records an incremental read already emitted inside its overlap window, so that reading the window again does
 * not emit them twice. A record is known by id, address, modification time and opt-out state: a record changed again is
 * new, even within the clock tick of the last read. Only the
 * newest {@link #MAX} keys are kept (state is small); beyond them a repeat is emitted again, which does no harm
 * because writes are idempotent.
 */
final class SeenRecords {
    static final int MAX = 2_000;
    private static final char SEPARATOR = '\n';

    private final Set<String> previous;
    private final Deque<String> emitted = new ArrayDeque<>();

    private SeenRecords(final Set<String> previous) {
        this.previous = previous;
    }

    static SeenRecords decode(final String stored) {
        final Set<String> keys = new HashSet<>();
        if (stored != null && !stored.isEmpty()) {
            for (final String key : stored.split(String.valueOf(SEPARATOR))) {
                keys.add(key);
            }
        }
        return new SeenRecords(keys);
    }

    static String key(final SourceRecord record) {
        // the opt-out state is part of the key: vendors that stamp whole seconds show a change made in the second of a read
        // with the same modification time, and it must not pass for a repeat
        return record.id() + "|" + record.email() + "|" + Integer.toHexString(java.util.Objects.hash(String.valueOf(record.optOutValue()),
                record.hardBounce())) + "|" + record.modifiedAt().toEpochMilli();
    }

    /** Whether the previous run emitted this record already; if not, it is remembered as emitted by this run. */
    boolean seenBefore(final SourceRecord record) {
        final String key = key(record);
        if (previous.contains(key)) {
            return true;
        }
        emitted.addLast(key);
        if (emitted.size() > MAX) {
            emitted.removeFirst(); // reads come oldest first: the newest keys are the ones the next overlap needs
        }
        return false;
    }

    /** The keys of records modified at or after {@code from} (this run's and the previous run's), at most {@link #MAX}. */
    String encode(final Instant from) {
        final long fromMillis = from.toEpochMilli();
        final Set<String> kept = new java.util.LinkedHashSet<>();
        final var newestFirst = emitted.descendingIterator();
        while (newestFirst.hasNext() && kept.size() < MAX) {
            final String key = newestFirst.next();
            if (millisOf(key) >= fromMillis) {
                kept.add(key);
            }
        }
        for (final String key : previous) { // the previous run's keys still inside the window stay known
            if (kept.size() >= MAX) {
                break;
            }
            if (millisOf(key) >= fromMillis) {
                kept.add(key);
            }
        }
        return String.join(String.valueOf(SEPARATOR), kept);
    }

    private static long millisOf(final String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
    }
}
