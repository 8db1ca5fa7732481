package io.optsync.nifi.optout;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decision rule over random histories: 2 to 4 systems hold one address; a history is a sequence of opt-outs,
 * explicit opt-ins, bounces and re-syncs from one system to another, the re-sync applying {@link PropagationPolicy}.
 * After every re-sync: no opt-out is lost (an opted-out source leaves the target opted out), nobody is moved to
 * subscribed unless opt-in propagation is on and an explicit consent exists that is newer than every opt-out the target
 * knew of, and re-syncing again at once writes nothing.
 */
class PropagationPropertiesTest {
    private static final AtomicLong HISTORIES = new AtomicLong();
    private static final AtomicLong RESYNCS = new AtomicLong();
    private static final AtomicLong OPT_OUTS_WRITTEN = new AtomicLong();
    private static final AtomicLong SUBSCRIBES_WRITTEN = new AtomicLong();

    sealed interface Event permits OptOut, OptIn, Bounce, Resync {
    }

    record OptOut(int system) implements Event {
    }

    record OptIn(int system) implements Event {
    }

    record Bounce(int system, BounceKind kind) implements Event {
    }

    record Resync(int from, int to) implements Event {
    }

    record History(int systems, boolean propagateOptIns, boolean hardBounceIsOptOut, List<Event> events) {
    }

    @Provide
    Arbitrary<History> histories() {
        return Arbitraries.integers().between(2, 4).flatMap(systems -> {
            final Arbitrary<Integer> system = Arbitraries.integers().between(0, systems - 1);
            final Arbitrary<Event> event = Arbitraries.oneOf(
                    system.map(OptOut::new),
                    system.map(OptIn::new),
                    Combinators.combine(system, Arbitraries.of(BounceKind.class)).as(Bounce::new),
                    Combinators.combine(system, system).filter((a, b) -> !a.equals(b)).as(Resync::new),
                    Combinators.combine(system, system).filter((a, b) -> !a.equals(b)).as(Resync::new));
            return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false), event.list().ofMinSize(1).ofMaxSize(40))
                    .as((propagate, hardBounce, events) -> new History(systems, propagate, hardBounce, events));
        });
    }

    @Property(tries = 12_000)
    void noOptOutIsLostAndNobodyIsResubscribedWithoutNewerConsent(@ForAll("histories") final History history) {
        HISTORIES.incrementAndGet();
        final PropagationPolicy policy = new PropagationPolicy(history.propagateOptIns(), history.hardBounceIsOptOut());
        final OptOutState[] states = new OptOutState[history.systems()];
        for (int i = 0; i < states.length; i++) {
            states[i] = OptOutState.of(OptOutStatus.SUBSCRIBED, BounceKind.NONE, Instant.EPOCH);
        }
        final Set<Instant> consents = new HashSet<>();
        Instant lastOptOut = null;
        long clock = 1;
        for (final Event event : history.events()) {
            final Instant now = Instant.ofEpochSecond(clock++);
            switch (event) {
                case OptOut o -> {
                    states[o.system()] = OptOutState.of(OptOutStatus.OPTED_OUT, states[o.system()].bounce(), now);
                    lastOptOut = now;
                }
                case OptIn o -> {
                    states[o.system()] = OptOutState.of(OptOutStatus.SUBSCRIBED, states[o.system()].bounce(), now);
                    consents.add(now);
                }
                case Bounce b -> states[b.system()] = OptOutState.of(states[b.system()].status(), b.kind(), states[b.system()].changedAt());
                case Resync r -> {
                    RESYNCS.incrementAndGet();
                    final OptOutState source = states[r.from()];
                    final OptOutState before = states[r.to()];
                    final PropagationDecision decision = policy.decide(source, before, lastOptOut);
                    final OptOutState after = apply(decision, source, before, now);
                    if (policy.effectiveStatus(source) == OptOutStatus.OPTED_OUT) {
                        assertThat(policy.effectiveStatus(after)).as("an opt-out is never lost: %s", history).isEqualTo(OptOutStatus.OPTED_OUT);
                    }
                    if (before.status() != OptOutStatus.SUBSCRIBED && after.status() == OptOutStatus.SUBSCRIBED) {
                        SUBSCRIBES_WRITTEN.incrementAndGet();
                        assertThat(history.propagateOptIns()).as("subscribed only with opt-in propagation on").isTrue();
                        assertThat(source.changedAt()).as("subscribed only with a consent time").isNotNull();
                        assertThat(consents).as("subscribed only after an explicit consent").contains(source.changedAt());
                        if (lastOptOut != null) {
                            assertThat(source.changedAt()).as("the consent is newer than every known opt-out").isAfter(lastOptOut);
                        }
                        if (before.status() == OptOutStatus.OPTED_OUT) {
                            assertThat(source.changedAt()).as("the consent is newer than the target's opt-out").isAfter(before.changedAt());
                        }
                    }
                    if (decision.action() == PropagationDecision.Action.WRITE_OPT_OUT) {
                        OPT_OUTS_WRITTEN.incrementAndGet();
                    }
                    states[r.to()] = after;
                    assertThat(policy.decide(source, after, lastOptOut).writes()).as("a repeated re-sync writes nothing").isFalse();
                }
            }
        }
    }

    /** What the target holds after the decision is written: the vendor sets the field; the source's time travels with it. */
    private static OptOutState apply(final PropagationDecision decision, final OptOutState source, final OptOutState target, final Instant now) {
        return switch (decision.action()) {
            case WRITE_OPT_OUT -> OptOutState.of(OptOutStatus.OPTED_OUT, target.bounce(), source.changedAt() != null ? source.changedAt() : now);
            case WRITE_SUBSCRIBED -> OptOutState.of(OptOutStatus.SUBSCRIBED, target.bounce(), source.changedAt());
            case NO_WRITE -> target;
        };
    }

    @AfterContainer
    static void report() {
        System.out.printf("FIGURE decision rule properties: %,d random histories, %,d re-syncs (%,d opt-outs and %,d subscribes written): "
                + "0 opt-outs lost, 0 re-subscribed without newer consent and opt-in propagation on%n",
                HISTORIES.get(), RESYNCS.get(), OPT_OUTS_WRITTEN.get(), SUBSCRIBES_WRITTEN.get());
    }
}
