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
 * 100,000 records in one second found it). When a bulk change puts more records in the window than that, the oldest
 * keys give way to a <em>floor</em>: a record modified before it, inside the window, was emitted already and is not
 * emitted again. Without the floor every run read those records again, for as long as no newer change moved the
 * watermark (12,000 records changed at once did it in a real NiFi). Above the floor the overlap keeps catching records
 * saved late with an earlier time; below it, in such a bulk, the periodic read of the opted-out set does.
 */
final class SeenRecords {
    static final int MAX = 2_000;
    static final int MAX_BYTES = 48_000;
    private static final char SEPARATOR = '\n';

    private static final String FLOOR = "floor|";

    private final Set<String> previous;
    private final long floorMillis;
    private final Deque<String> emitted = new ArrayDeque<>();

    private SeenRecords(final Set<String> previous, final long floorMillis) {
        this.previous = previous;
        this.floorMillis = floorMillis;
    }

    static SeenRecords decode(final String stored) {
        final Set<String> keys = new HashSet<>();
        long floor = Long.MIN_VALUE;
        if (stored != null && !stored.isEmpty()) {
            for (final String key : stored.split(String.valueOf(SEPARATOR))) {
                if (key.startsWith(FLOOR)) {
                    floor = millisOf(key);
                } else {
                    keys.add(key);
                }
            }
        }
        return new SeenRecords(keys, floor);
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
        if (previous.contains(key) || record.modifiedAt().toEpochMilli() < floorMillis) {
            return true;
        }
        emitted.addLast(key);
        if (emitted.size() > MAX) {
            emitted.removeFirst(); // reads come oldest first: the newest keys are the ones the next overlap needs
        }
        return false;
    }

    /**
     * The keys of records modified at or after {@code from} (this run's and the previous run's), at most {@link #MAX},
     * and the floor below which every record of the window was emitted when not all of them fit.
     */
    String encode(final Instant from) {
        final long fromMillis = from.toEpochMilli();
        final Set<String> kept = new java.util.LinkedHashSet<>();
        final int[] bytes = {0};
        // the newest keys first: they are the ones the next overlap needs
        final List<String> candidates = new ArrayList<>(emitted.size() + previous.size());
        emitted.descendingIterator().forEachRemaining(candidates::add);
        candidates.addAll(previous);
        candidates.sort(java.util.Comparator.comparingLong(SeenRecords::millisOf).reversed());
        long floor = floorMillis >= fromMillis ? floorMillis : Long.MIN_VALUE;
        for (final String key : candidates) {
            if (!keep(kept, key, fromMillis, bytes)) {
                floor = Math.max(floor, millisOf(key) + 1); // this key and every older one in the window were emitted
                break;
            }
        }
        final String keys = String.join(String.valueOf(SEPARATOR), kept);
        return floor == Long.MIN_VALUE ? keys : FLOOR + floor + (keys.isEmpty() ? "" : SEPARATOR + keys);
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
