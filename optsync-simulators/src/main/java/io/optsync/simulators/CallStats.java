package io.optsync.simulators;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Calls per endpoint, faults injected, and the highest number of calls seen in any one-second window.
 * Admin calls are not counted.
 */
public final class CallStats {
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> faults = new ConcurrentHashMap<>();
    private final ArrayDeque<Long> window = new ArrayDeque<>();
    private int maxPerSecond;
    private int inFlight;
    private int maxInFlight;

    /** Counts a call and returns how many calls (this one included) arrived in the last second. */
    synchronized int record(final String endpoint, final long nanoTime) {
        calls.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
        window.addLast(nanoTime);
        while (!window.isEmpty() && window.peekFirst() <= nanoTime - 1_000_000_000L) {
            window.removeFirst();
        }
        maxPerSecond = Math.max(maxPerSecond, window.size());
        return window.size();
    }

    synchronized void enter() {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
    }

    synchronized void leave() {
        inFlight--;
    }

    void fault(final String kind) {
        faults.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    public long calls(final String endpoint) {
        final LongAdder adder = calls.get(endpoint);
        return adder == null ? 0 : adder.sum();
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public synchronized int maxPerSecond() {
        return maxPerSecond;
    }

    /** Calls being answered now, this one included. */
    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int maxConcurrent() {
        return maxInFlight;
    }

    public long faults(final String kind) {
        final LongAdder adder = faults.get(kind);
        return adder == null ? 0 : adder.sum();
    }

    /** Faults injected, of every kind. */
    public long totalFaults() {
        return faults.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public synchronized void reset() {
        calls.clear();
        faults.clear();
        window.clear();
        maxPerSecond = 0;
        maxInFlight = 0;
    }

    /** A snapshot for the admin API. */
    public synchronized Map<String, Object> snapshot() {
        final Map<String, Object> snapshot = new TreeMap<>();
        final Map<String, Long> perEndpoint = new TreeMap<>();
        calls.forEach((k, v) -> perEndpoint.put(k, v.sum()));
        final Map<String, Long> perFault = new TreeMap<>();
        faults.forEach((k, v) -> perFault.put(k, v.sum()));
        snapshot.put("calls", perEndpoint);
        snapshot.put("totalCalls", totalCalls());
        snapshot.put("faults", perFault);
        snapshot.put("maxCallsPerSecond", maxPerSecond);
        snapshot.put("maxConcurrentCalls", maxInFlight);
        return snapshot;
    }
}
