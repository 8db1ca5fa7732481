package io.optsync.nifi.connector;

/** What a fetch reads. */
public enum FetchMode {
    /** Records changed since the watermark. */
    INCREMENTAL,
    /** Every record. */
    FULL,
    /**
     * Every record that is opted out now, however it got there: the reconciliation read for opt-outs that change no
     * modification time (SugarCRM's campaign unsubscribe link).
     */
    OPTED_OUT
}
