package io.optsync.nifi.connector;

/** The one classification of HTTP answers every connector starts from; vendors refine it where their API lies. */
public enum HttpOutcome {
    OK,
    /** Worth trying again later: 429, 5xx, or the network. */
    RETRY,
    /** The vendor refused this request; the same request will fail again. */
    REJECT;

    public static HttpOutcome of(final int status) {
        if (status / 100 == 2) {
            return OK;
        }
        if (status == 429 || status / 100 == 5) {
            return RETRY;
        }
        return REJECT;
    }
}
