package io.optsync.simulators;

import java.util.Random;

/**
 * Which share of calls fail, and how: server errors (500/503), 429, the vendor's own limit error (for example
 * Salesforce's 403 {@code REQUEST_LIMIT_EXCEEDED} or SugarCRM's fault 90), timeouts (the response is held back longer
 * than a client waits), connection resets (the connection closes without a response) and lost responses (the call is
 * carried out, then the connection closes before the answer: the client cannot tell it from a reset, and a retry
 * repeats a write that was applied). Admin calls never fail.
 *
 * @param share the share of calls that fail, 0 to 1
 * @param seed the seed of the random choice, so that a run can be repeated
 * @param timeoutMillis how long a "timeout" holds the response back
 */
public record FaultPlan(double share, long seed, long timeoutMillis) {

    public enum Fault { NONE, SERVER_ERROR, UNAVAILABLE, TOO_MANY_REQUESTS, VENDOR_LIMIT, TIMEOUT, RESET, LOST_RESPONSE }

    public static final FaultPlan NONE = new FaultPlan(0, 1, 0);

    public FaultPlan {
        if (share < 0 || share > 1) {
            throw new IllegalArgumentException("share must be between 0 and 1");
        }
    }

    /** A new random source for this plan. */
    Random random() {
        return new Random(seed);
    }

    /** Picks the fault for one call: none, or one of the seven kinds with equal chance. */
    Fault pick(final Random random) {
        if (share <= 0 || random.nextDouble() >= share) {
            return Fault.NONE;
        }
        final Fault[] kinds = {Fault.SERVER_ERROR, Fault.UNAVAILABLE, Fault.TOO_MANY_REQUESTS, Fault.VENDOR_LIMIT, Fault.TIMEOUT, Fault.RESET, Fault.LOST_RESPONSE};
        return kinds[random.nextInt(kinds.length)];
    }
}
