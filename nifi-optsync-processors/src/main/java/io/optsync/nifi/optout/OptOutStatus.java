package io.optsync.nifi.optout;

/**
 * Whether a person may receive marketing e-mail, as one system says it. {@link #UNKNOWN} covers every value that
 * does not say either way (absent, unconfirmed, pending, unrecognized): it is never treated as {@link #SUBSCRIBED}.
 */
public enum OptOutStatus {
    OPTED_OUT,
    SUBSCRIBED,
    UNKNOWN
}
