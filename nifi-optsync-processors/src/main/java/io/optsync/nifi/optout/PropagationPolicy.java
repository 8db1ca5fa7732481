package io.optsync.nifi.optout;

import java.time.Instant;

/**
 * The one decision rule of optsync: what a source's opt-out state may change in a target.
 * <ol>
 * <li>An opt-out always wins: a source that is opted out (or hard-bounced, when hard bounces count as opt-outs) opts
 * the target out, unless the target already is.</li>
 * <li>A move from opted out to subscribed is propagated only when opt-in propagation is on <em>and</em> the consent is
 * known to be newer than the last known opt-out of the address (the target's own opt-out included). When the time of
 * either is unknown, nothing is written.</li>
 * <li>Unknown is never subscribed: a source whose status is unknown changes nothing, and a target whose current state
 * was not read is never moved to subscribed (an address opted out minutes ago may be behind it).</li>
 * <li>A hard bounce counts as opted out by default; a soft bounce never does.</li>
 * </ol>
 *
 * @param propagateOptIns whether a newer consent may move a target from opted out to subscribed (off by default)
 * @param hardBounceIsOptOut whether a hard bounce counts as an opt-out (on by default)
 */
public record PropagationPolicy(boolean propagateOptIns, boolean hardBounceIsOptOut) {

    /**
     * The time to give {@link #decide} for an opt-out that is known but whose time is not: no consent can be shown to
     * be newer than it.
     */
    public static final Instant OPT_OUT_AT_UNKNOWN_TIME = Instant.MAX;

    /** Opt-ins not propagated; hard bounces count as opt-outs. */
    public static final PropagationPolicy DEFAULT = new PropagationPolicy(false, true);

    /**
     * The status that counts for routing and propagation: {@link OptOutStatus#OPTED_OUT} when the system says so or,
     * under this policy, when the address hard-bounced; otherwise the status as given.
     */
    public OptOutStatus effectiveStatus(final OptOutStatus status, final BounceKind bounce) {
        if (status == OptOutStatus.OPTED_OUT || (hardBounceIsOptOut && bounce == BounceKind.HARD)) {
            return OptOutStatus.OPTED_OUT;
        }
        return status;
    }

    public OptOutStatus effectiveStatus(final OptOutState state) {
        return effectiveStatus(state.status(), state.bounce());
    }

    /**
     * Decides what the source's state may change in the target.
     *
     * @param source what the source system says (its {@code changedAt} is the consent time when subscribed)
     * @param target what the target system says now ({@link OptOutState#unknown()} when it is not known)
     * @param lastKnownOptOut the latest opt-out of this address known from any system, or {@code null}
     * @return the write to make, with its reason
     */
    public PropagationDecision decide(final OptOutState source, final OptOutState target, final Instant lastKnownOptOut) {
        final OptOutStatus from = effectiveStatus(source);
        if (from == OptOutStatus.OPTED_OUT) {
            if (target.status() == OptOutStatus.OPTED_OUT) {
                return none("target is already opted out");
            }
            final String why = source.status() == OptOutStatus.OPTED_OUT ? "source is opted out" : "source address hard-bounced";
            return new PropagationDecision(PropagationDecision.Action.WRITE_OPT_OUT, why + "; an opt-out always wins");
        }
        if (from == OptOutStatus.UNKNOWN) {
            return none("source status is unknown; unknown is never propagated as subscribed");
        }
        return decideSubscribe(source, target, lastKnownOptOut);
    }

    private PropagationDecision decideSubscribe(final OptOutState source, final OptOutState target, final Instant lastKnownOptOut) {
        if (target.status() == OptOutStatus.SUBSCRIBED) {
            return none("target is already subscribed");
        }
        if (!propagateOptIns) {
            return none("opt-in propagation is off; the target keeps its status");
        }
        if (target.status() == OptOutStatus.UNKNOWN) {
            return none("the target's current state was not read; an unknown state is never moved to subscribed");
        }
        if (hardBounceIsOptOut && target.bounce() == BounceKind.HARD) {
            return none("target address hard-bounced; a consent does not clear a bounce");
        }
        final Instant consent = source.changedAt();
        if (consent == null) {
            return none("time of the consent is unknown; it cannot be shown to be newer than the opt-out");
        }
        final Instant optOut = latest(lastKnownOptOut, target.status() == OptOutStatus.OPTED_OUT ? target.changedAt() : null);
        if (optOut == null && target.status() == OptOutStatus.OPTED_OUT) {
            return none("time of the target's opt-out is unknown; the consent cannot be shown to be newer");
        }
        if (OPT_OUT_AT_UNKNOWN_TIME.equals(optOut)) {
            return none("an opt-out of this address is known with no time; the consent cannot be shown to be newer");
        }
        if (optOut != null && !consent.isAfter(optOut)) {
            return none("consent at " + consent + " is not newer than the opt-out at " + optOut);
        }
        return new PropagationDecision(PropagationDecision.Action.WRITE_SUBSCRIBED,
                "opt-in propagation is on and the consent at " + consent + " is newer than "
                        + (optOut == null ? "any known opt-out (none known)" : "the opt-out at " + optOut));
    }

    private static Instant latest(final Instant a, final Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }

    private static PropagationDecision none(final String reason) {
        return new PropagationDecision(PropagationDecision.Action.NO_WRITE, reason);
    }
}
