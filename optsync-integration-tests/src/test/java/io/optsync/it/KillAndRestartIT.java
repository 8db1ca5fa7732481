package io.optsync.it;

import io.optsync.simulators.SugarStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL in the middle of a run, then NiFi started again on the same repositories: the flow resumes by itself (its
 * sensitive parameters are kept encrypted in the flow), no opt-out is lost, and writes repeated after the crash do no
 * harm.
 */
class KillAndRestartIT {

    @Test
    void noOptOutIsLostWhenNiFiIsKilled() throws Exception {
        try (SugarActOnScenario scenario = SugarActOnScenario.start("v10", 4_000, 400, 30, "kill-restart")) {
            final Set<String> sugarChanges = new HashSet<>();
            final List<String> actOnChanges = new ArrayList<>();
            scenario.optOutOnBothSides(50, "crash", sugarChanges, actOnChanges);
            TemplateRunner.waitFor(Duration.ofMinutes(2), "the run to be under way",
                    () -> scenario.actOn.stats().calls("PUT /api/1/list/optout") > 0 || scenario.actOn.optOutAddresses().size() > 500);
            final long pid = scenario.nifi.pid();
            scenario.nifi.kill();
            System.out.printf(Locale.ROOT, "FIGURE killed NiFi (pid %d) with SIGKILL mid-run: %d of %d SugarCRM opt-outs were in Act-On%n", pid,
                    sugarChanges.stream().filter(e -> scenario.actOn.optOutAddresses().contains(e)).count(), sugarChanges.size());

            scenario.rest = scenario.nifi.start(Duration.ofMinutes(3)); // same home: flow, state and queues survive
            final Set<String> expectedInActOn = new HashSet<>(scenario.sugarOptedOutBefore);
            expectedInActOn.addAll(sugarChanges);
            TemplateRunner.waitFor(Duration.ofMinutes(3), "every opt-out after the restart", () ->
                    scenario.settled() && new HashSet<>(scenario.actOn.optOutAddresses()).containsAll(expectedInActOn)
                            && actOnChanges.stream().allMatch(e -> scenario.store.beansWithEmail(e).stream().allMatch(SugarStore.Bean::emailOptOut)));

            final long lostToActOn = expectedInActOn.stream().filter(e -> !scenario.actOn.optOutAddresses().contains(e.toLowerCase(Locale.ROOT))).count();
            final long lostToSugar = actOnChanges.stream().filter(e -> !Boolean.TRUE.equals(scenario.store.isOptedOut(e))).count();
            final long resubscribed = scenario.sugarOptedOutBefore.stream().filter(e -> !Boolean.TRUE.equals(scenario.store.isOptedOut(e))).count();
            System.out.printf(Locale.ROOT, "FIGURE after SIGKILL and restart: opt-outs lost %d (to Act-On) + %d (to SugarCRM), re-subscribed %d%n",
                    lostToActOn, lostToSugar, resubscribed);
            assertThat(lostToActOn + lostToSugar + resubscribed).isZero();
        }
    }
}
