package io.optsync.nifi.optout;

import java.util.Objects;

/**
 * What may be written to a target for one address, and why.
 *
 * @param action the write to make, or none
 * @param reason why, in words fit for an audit record
 */
public record PropagationDecision(Action action, String reason) {

    public enum Action {
        /** Set the target to opted out. */
        WRITE_OPT_OUT,
        /** Set the target to subscribed: only ever with opt-in propagation on and consent newer than every opt-out. */
        WRITE_SUBSCRIBED,
        /** Leave the target as it is. */
        NO_WRITE
    }

    public PropagationDecision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
    }

    public boolean writes() {
        return action != Action.NO_WRITE;
    }
}
