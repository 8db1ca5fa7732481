package io.optsync.nifi.processors;

import io.optsync.nifi.connector.SourceRecord;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The records an incremental read already emitted inside its overlap window, so that reading the window again does
 * not emit them twice. A record is known by id, address, modification time and opt-out state: a record changed again is
 * new, even within the clock tick of the last read. Only the
 * newest {@link #MAX} keys are kept, and no more than {@link #MAX_BYTES} of them: NiFi's local state provider writes a
 * value with {@code writeUTF}, which refuses more than 65,535 bytes and poisons the state journal (a bulk change of
 * 100,000 records in one second found it). Beyond that a repeat is emitted again, which does no harm because writes
 * are idempotent.
 */
final class SeenRecords {
    static final int MAX = 2_000;
    static final int MAX_BYTES = 48_000;
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
        final int[] bytes = {0};
        // the newest keys first: they are the ones the next overlap needs; then the previous run's still inside the window
        final List<String> candidates = new ArrayList<>(emitted.size() + previous.size());
        emitted.descendingIterator().forEachRemaining(candidates::add);
        candidates.addAll(previous);
        for (final String key : candidates) {
            if (!keep(kept, key, fromMillis, bytes)) {
                break;
            }
        }
        return String.join(String.valueOf(SEPARATOR), kept);
    }

    /** Keeps {@code key} when it is inside the window; {@code false} once the kept keys are full. */
    private static boolean keep(final Set<String> kept, final String key, final long fromMillis, final int[] bytes) {
        if (millisOf(key) < fromMillis) {
            return true;
        }
        final int size = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        if (kept.size() >= MAX || bytes[0] + size > MAX_BYTES) {
            return false;
        }
        if (kept.add(key)) {
            bytes[0] += size;
        }
        return true;
    }

    private static long millisOf(final String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
    }
}
