package io.optsync.nifi.connector;

import java.time.Duration;

/**
 * Waits for a vendor's asynchronous job (an ActiveCampaign bulk import, a NetSuite batch): reads its status after a
 * pause that doubles from the first one up to 8 s, until the status says the job is done or the wait is over.
 */
public final class AsyncJobWait {
    private static final long LONGEST_PAUSE_MILLIS = 8_000;

    /** One read of the job's status. */
    @FunctionalInterface
    public interface StatusRead<T> {
        /** @return what the job came to, or null while it is still running */
        T read() throws ConnectorException;
    }

    private final Duration wait;
    private final Duration firstPause;

    /**
     * @param wait how long to wait at most for one job
     * @param firstPause the pause before the first read of its status
     */
    public AsyncJobWait(final Duration wait, final Duration firstPause) {
        this.wait = wait;
        this.firstPause = firstPause;
    }

    public Duration longest() {
        return wait;
    }

    /**
     * @param job what the job is, for the message of an interruption
     * @return what the job came to, or null when it was still running after the wait
     */
    public <T> T await(final String job, final StatusRead<T> status) throws ConnectorException {
        final long deadline = System.nanoTime() + wait.toNanos();
        long pause = Math.max(1, firstPause.toMillis());
        while (true) {
            try {
                Thread.sleep(pause);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectorException("interrupted", "interrupted while waiting for " + job, true);
            }
            final T outcome = status.read();
            if (outcome != null) {
                return outcome;
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
        }
    }
}
