package io.optsync.nifi.connector;

/**
 * Calls open at once, at most: a vendor's connection or concurrency limit, this node's part of it when the node is
 * one of a cluster ({@link ClusterShare}). A part of 0 holds every call until the part grows.
 */
public final class ConcurrencyCap implements ClusterShare.Limit {
    private final int limit;
    private final java.time.Duration longestWait;
    private int allowed;
    private int open;
    private volatile Runnable demand = () -> { };

    /** @param limit the calls open at once for the whole cluster */
    public ConcurrencyCap(final int limit) {
        this(limit, ClusterShare.LONGEST_WAIT);
    }

    ConcurrencyCap(final int limit, final java.time.Duration longestWait) {
        this.limit = limit;
        this.allowed = limit;
        this.longestWait = longestWait;
    }

    /**
     * Waits for a free slot; {@link #release()} it when the call is over.
     *
     * @throws ConnectorException (retryable) when this node has had no part of the cap for {@link ClusterShare#LONGEST_WAIT}
     */
    public void acquire() throws InterruptedException, ConnectorException {
        demand.run();
        take();
    }

    private synchronized void take() throws InterruptedException, ConnectorException {
        final long deadline = System.nanoTime() + longestWait.toNanos();
        while (open >= allowed) {
            if (allowed > 0) {
                wait(); // a busy slot frees up when its call is over
                continue;
            }
            final long left = deadline - System.nanoTime(); // a part of 0 may never come
            if (left <= 0) {
                throw ClusterShare.noPart("connections");
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        open++;
    }

    /** A vendor call made within a slot. */
    @FunctionalInterface
    public interface Call<T> {
        T make() throws ConnectorException;
    }

    /**
     * Makes {@code call} within a slot, released when it is over.
     *
     * @param slot what the call waits for, for the message when the wait is interrupted
     */
    public <T> T within(final String slot, final Call<T> call) throws ConnectorException {
        try {
            acquire();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException("interrupted", "interrupted while waiting for " + slot, true);
        }
        try {
            return call.make();
        } finally {
            release();
        }
    }

    public synchronized void release() {
        open--;
        notifyAll();
    }

    @Override
    public void onDemand(final Runnable onCall) {
        this.demand = onCall;
    }

    @Override
    public synchronized void share(final int members, final int rank) {
        allowed = ClusterShare.part(limit, members, rank);
        notifyAll();
    }

    /** This node's part of the limit now. */
    public synchronized int allowed() {
        return allowed;
    }
}
