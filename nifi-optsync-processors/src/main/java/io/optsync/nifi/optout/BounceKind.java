package io.optsync.nifi.optout;

/**
 * Whether mail to the address bounced, kept apart from the unsubscribe status: a bounce is not an unsubscribe, and
 * {@link PropagationPolicy} decides whether a hard bounce counts as an opt-out.
 */
public enum BounceKind {
    NONE,
    SOFT,
    HARD
}
