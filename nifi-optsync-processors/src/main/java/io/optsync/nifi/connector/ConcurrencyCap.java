package io.optsync.nifi.connector;

/**
 * Calls open at once, at most: a vendor's connection or concurrency limit, this node's part of it when the node is
 * one of a cluster ({@link ClusterShare}). A part of 0 holds every call until the part grows.
 */
public final class ConcurrencyCap implements ClusterShare.Limit {
    private final int limit;
    private int allowed;
    private int open;
    private volatile Runnable demand = () -> { };

    /** @param limit the calls open at once for the whole cluster */
    public ConcurrencyCap(final int limit) {
        this.limit = limit;
        this.allowed = limit;
    }

    /** Waits for a free slot; {@link #release()} it when the call is over. */
    public void acquire() throws InterruptedException {
        demand.run();
        take();
    }

    private synchronized void take() throws InterruptedException {
        while (open >= allowed) {
            wait();
        }
        open++;
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
