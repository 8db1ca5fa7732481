package io.optsync.nifi.optout;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.optsync.nifi.optout.BounceKind.HARD;
import static io.optsync.nifi.optout.BounceKind.NONE;
import static io.optsync.nifi.optout.BounceKind.SOFT;
import static io.optsync.nifi.optout.OptOutStatus.OPTED_OUT;
import static io.optsync.nifi.optout.OptOutStatus.SUBSCRIBED;
import static io.optsync.nifi.optout.OptOutStatus.UNKNOWN;
import static io.optsync.nifi.optout.PropagationDecision.Action.NO_WRITE;
import static io.optsync.nifi.optout.PropagationDecision.Action.WRITE_OPT_OUT;
import static io.optsync.nifi.optout.PropagationDecision.Action.WRITE_SUBSCRIBED;
import static org.assertj.core.api.Assertions.assertThat;

class PropagationPolicyTest {
    private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-02-01T00:00:00Z");
    private static final PropagationPolicy OPT_INS_ON = new PropagationPolicy(true, true);

    private static OptOutState state(final OptOutStatus status, final BounceKind bounce, final Instant at) {
        return OptOutState.of(status, bounce, at);
    }

    @Test
    void anOptOutAlwaysWins() {
        for (final PropagationPolicy policy : new PropagationPolicy[] {PropagationPolicy.DEFAULT, OPT_INS_ON}) {
            assertThat(policy.decide(state(OPTED_OUT, NONE, T1), state(SUBSCRIBED, NONE, T2), T1).action()).isEqualTo(WRITE_OPT_OUT);
            assertThat(policy.decide(state(OPTED_OUT, NONE, null), state(UNKNOWN, NONE, null), null).action()).isEqualTo(WRITE_OPT_OUT);
            assertThat(policy.decide(state(OPTED_OUT, NONE, T1), state(OPTED_OUT, NONE, T1), T1).action()).isEqualTo(NO_WRITE);
        }
    }

    @Test
    void optInsAreNotPropagatedByDefault() {
        final PropagationDecision decision = PropagationPolicy.DEFAULT.decide(state(SUBSCRIBED, NONE, T2), state(OPTED_OUT, NONE, T1), T1);
        assertThat(decision.action()).isEqualTo(NO_WRITE);
        assertThat(decision.reason()).contains("opt-in propagation is off");
    }

    @Test
    void aNewerConsentMovesTheTargetOnlyWithOptInPropagationOn() {
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T2), state(OPTED_OUT, NONE, T1), T1).action()).isEqualTo(WRITE_SUBSCRIBED);
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T1), state(OPTED_OUT, NONE, T2), T2).action()).as("older consent").isEqualTo(NO_WRITE);
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T1), state(OPTED_OUT, NONE, T1), T1).action()).as("same time").isEqualTo(NO_WRITE);
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T2), state(OPTED_OUT, NONE, T1), null).action())
                .as("target's own opt-out time counts").isEqualTo(WRITE_SUBSCRIBED);
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T2), state(UNKNOWN, NONE, null), T2.plusSeconds(1)).action())
                .as("an opt-out known from another system counts").isEqualTo(NO_WRITE);
    }

    @Test
    void unknownTimesNeverResubscribe() {
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, null), state(OPTED_OUT, NONE, T1), T1).reason()).contains("consent is unknown");
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T2), state(OPTED_OUT, NONE, null), null).action()).isEqualTo(NO_WRITE);
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T2), state(OPTED_OUT, NONE, null), null).reason()).contains("target's opt-out is unknown");
    }

    @Test
    void unknownIsNeverSubscribed() {
        assertThat(OPT_INS_ON.decide(state(UNKNOWN, NONE, T2), state(OPTED_OUT, NONE, T1), T1).action()).isEqualTo(NO_WRITE);
        assertThat(OPT_INS_ON.decide(state(UNKNOWN, SOFT, T2), state(UNKNOWN, NONE, null), null).action()).isEqualTo(NO_WRITE);
    }

    @Test
    void hardBounceCountsAsOptOutByDefaultAndSoftBounceNever() {
        assertThat(PropagationPolicy.DEFAULT.decide(state(UNKNOWN, HARD, T1), state(SUBSCRIBED, NONE, T1), null).action()).isEqualTo(WRITE_OPT_OUT);
        assertThat(PropagationPolicy.DEFAULT.decide(state(SUBSCRIBED, HARD, T1), state(SUBSCRIBED, NONE, T1), null).action()).isEqualTo(WRITE_OPT_OUT);
        assertThat(new PropagationPolicy(false, false).decide(state(UNKNOWN, HARD, T1), state(SUBSCRIBED, NONE, T1), null).action()).isEqualTo(NO_WRITE);
        assertThat(PropagationPolicy.DEFAULT.decide(state(SUBSCRIBED, SOFT, T1), state(SUBSCRIBED, NONE, T1), null).action()).isEqualTo(NO_WRITE);
        assertThat(PropagationPolicy.DEFAULT.effectiveStatus(SUBSCRIBED, SOFT)).isEqualTo(SUBSCRIBED);
        assertThat(PropagationPolicy.DEFAULT.effectiveStatus(UNKNOWN, HARD)).isEqualTo(OPTED_OUT);
        assertThat(new PropagationPolicy(false, false).effectiveStatus(UNKNOWN, HARD)).isEqualTo(UNKNOWN);
    }

    @Test
    void aHardBouncedTargetIsNotResubscribed() {
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T2), state(OPTED_OUT, HARD, T1), T1).action()).isEqualTo(NO_WRITE);
        assertThat(new PropagationPolicy(true, false).decide(state(SUBSCRIBED, NONE, T2), state(OPTED_OUT, HARD, T1), T1).action())
                .isEqualTo(WRITE_SUBSCRIBED);
    }

    @Test
    void alreadySubscribedTargetsAreLeftAlone() {
        assertThat(OPT_INS_ON.decide(state(SUBSCRIBED, NONE, T2), state(SUBSCRIBED, NONE, T1), null).reason()).contains("already subscribed");
    }
}
