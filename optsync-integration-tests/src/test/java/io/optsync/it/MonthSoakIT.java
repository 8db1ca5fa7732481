package io.optsync.it;

import io.optsync.simulators.FaultPlan;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A month in an hour: the SugarCRM ↔ Act-On template, unchanged but for a day made short (every fetch's Full Resync
 * Interval is a day, and the connectors' Timeout 3 s so that an injected time-out costs 3 s), runs in a real NiFi
 * 2.3.0 through an accelerated month: a daily full read, address-less records, 5 % invalid addresses, changes every
 * day both ways, a credential outage on each side and 5 % injected faults (5xx, 429, time-outs, resets, lost answers).
 * It checks that no connection ever reaches its back-pressure threshold, every opt-out arrives, the outage raises a
 * bulletin and the flow recovers by itself, and the audit trail lands in its database (a real PostgreSQL), and prints
 * each connection's high-water mark and the opt-outs delivered of those made.
 *
 * <p>{@code ./mvnw verify} runs a short month (3 days of 20 s, 100 changes a day each way, 1,200 address-less records,
 * a 20 s SugarCRM outage). The whole month: {@code -Dit.test=MonthSoakIT -Dsoak.days=30 -Dsoak.day.seconds=100
 * -Dsoak.changes.per.day=1000 -Dsoak.addressless=12000 -Dsoak.outage.seconds=600 -Dsoak.acton.outage=true} (about an
 * hour; the Act-On outage needs it, as Act-On's connector tries one sign-in per 12 minutes once one was refused).
 */
class MonthSoakIT {
    private static final int DAYS = Integer.getInteger("soak.days", 3);
    private static final int DAY_SECONDS = Integer.getInteger("soak.day.seconds", 20);
    private static final int CHANGES_PER_DAY = Integer.getInteger("soak.changes.per.day", 100);
    private static final int ADDRESSLESS = Integer.getInteger("soak.addressless", 1_200);
    private static final int OUTAGE_SECONDS = Integer.getInteger("soak.outage.seconds", 20);
    private static final boolean ACTON_OUTAGE = Boolean.getBoolean("soak.acton.outage");
    private static final int CONTACTS = 2_000;
    private static final int SLICES_PER_DAY = 5;

    @Test
    void aMonthOfChangesFaultsAndOutagesArrivesWithoutStallingTheFlow() throws Exception {
        final int[] invalid = {0};
        final Instant started = Instant.now();
        try (SugarActOnScenario scenario = SugarActOnScenario.startOnCluster("v10", CONTACTS, 100, 20, "soak", 1, store -> {
            for (int i = 0; i < ADDRESSLESS; i++) {
                store.create("Contacts", "No", "Address" + i, null, Instant.now());
            }
            invalid[0] = store.size("Contacts") / 20; // 5 % of the Contacts have an address that is no address
            for (int i = 0; i < invalid[0]; i++) {
                store.create("Contacts", "Bad", "Address" + i, "bad-address-" + i + ".example.com", Instant.now());
            }
        }, actOn -> { }, AuditDatabase.postgres(), template -> {
            template.processorProperties("Fetch ", Map.of("Full Resync Interval", DAY_SECONDS + " sec"));
            template.serviceProperties("SugarCRM", Map.of("Timeout", "3 sec"));
            template.serviceProperties("Act-On", Map.of("Timeout", "3 sec"));
        })) {
            long made = 0;
            long delivered = 0;
            final Map<String, Long> highWater = new ConcurrentHashMap<>();
            final Set<String> outageBulletins = ConcurrentHashMap.newKeySet();
            final boolean[] inOutage = {false};
            final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleWithFixedDelay(() -> {
                try {
                    scenario.template.queuedPerConnection().forEach((connection, queued) -> highWater.merge(connection, queued, Math::max));
                    if (inOutage[0]) {
                        outageBulletins.addAll(scenario.template.bulletins());
                    }
                } catch (final Exception e) {
                    System.out.println("SOAK sampling failed: " + e);
                }
            }, 0, 1, TimeUnit.SECONDS);
            try {
                scenario.awaitSettled(Duration.ofMinutes(3));
                scenario.sugar.faults(new FaultPlan(0.05, 41, 4_000));
                scenario.actOn.faults(new FaultPlan(0.05, 43, 4_000));
                final Set<String> toActOn = new LinkedHashSet<>();
                final List<String> toSugar = new ArrayList<>();
                for (int day = 1; day <= DAYS; day++) {
                    final Instant dayStart = Instant.now();
                    for (int slice = 0; slice < SLICES_PER_DAY; slice++) {
                        final int count = CHANGES_PER_DAY / SLICES_PER_DAY;
                        for (int i = 0; i < count; i++) {
                            toActOn.add(optOutInSugar(scenario.store)); // the oldest contact with an address still subscribed, in the UI
                        }
                        for (int i = 0; i < count; i++) { // a contact SugarCRM holds unsubscribes in an Act-On campaign
                            final String email = "d" + day + "s" + slice + "n" + i + "@soak.example.org";
                            scenario.store.create("Contacts", "Soak", "D" + day + "S" + slice + "N" + i, email, Instant.now());
                            scenario.actOn.optOut(email);
                            toSugar.add(email);
                        }
                        if (slice == 1 && (day == 1 || day == 2 && ACTON_OUTAGE)) {
                            outage(scenario, day == 1, inOutage);
                        }
                        sleepUntil(dayStart.plusMillis((slice + 1L) * DAY_SECONDS * 1000 / SLICES_PER_DAY));
                    }
                }
                scenario.sugar.faults(FaultPlan.NONE);
                scenario.actOn.faults(FaultPlan.NONE);
                made = toActOn.size() + toSugar.size();
                final Instant deadline = Instant.now().plus(Duration.ofMinutes(ACTON_OUTAGE ? 15 : 5));
                while ((delivered = delivered(scenario, toActOn, toSugar)) < made && Instant.now().isBefore(deadline)) {
                    Thread.sleep(1_000);
                }
                Thread.sleep(3_000); // the last audit rows follow the last writes
            } finally {
                sampler.shutdownNow();
            }

            final Map<String, Long> thresholds = scenario.template.backPressurePerConnection();
            final long auditRows = scenario.audit.count();
            System.out.printf(Locale.ROOT, "FIGURE month soak, SugarCRM <-> Act-On in a real NiFi: %d days of %d s (Full Resync Interval a day), %d opt-outs made "
                            + "each way a day, %,d address-less and %,d invalid addresses, 5 %% faults (SugarCRM %d, Act-On %d injected), a %d s SugarCRM "
                            + "credential outage%s (%d bulletins); opt-outs delivered %d of %d; audit rows %,d, left on 'audit' %d; %.0f s%n",
                    DAYS, DAY_SECONDS, CHANGES_PER_DAY, ADDRESSLESS, invalid[0], scenario.sugar.stats().totalFaults(), scenario.actOn.stats().totalFaults(),
                    OUTAGE_SECONDS, ACTON_OUTAGE ? " and Act-On's" : "", outageBulletins.size(),
                    delivered, made, auditRows, scenario.template.queuedOn("audit"),
                    Duration.between(started, Instant.now()).toMillis() / 1000.0);
            highWater.forEach((connection, max) -> System.out.printf(Locale.ROOT, "FIGURE month soak high-water mark %,6d of %s FlowFiles: %s%n", max,
                    thresholds.getOrDefault(connection, 0L) == 0 ? "no limit" : String.format(Locale.ROOT, "%,d", thresholds.get(connection)), connection));

            assertThat(delivered).as("every opt-out arrived").isEqualTo(made);
            for (final Map.Entry<String, Long> connection : highWater.entrySet()) {
                final long threshold = thresholds.getOrDefault(connection.getKey(), 0L);
                if (threshold > 0) {
                    assertThat(connection.getValue()).as(connection.getKey() + " stays below its back pressure").isLessThan(threshold);
                }
            }
            assertThat(outageBulletins).as("the outage raised a bulletin naming SugarCRM").anySatisfy(b -> assertThat(b).contains("SugarCRM"));
            assertThat(auditRows).as("the audit trail in its database").isPositive();
            assertThat(scenario.template.queuedOn("audit")).as("audit records the database could not take").isZero();
        }
    }

    /** Opts out the oldest subscribed Contact that has a valid address, as a user in SugarCRM's UI; returns the address. */
    private static String optOutInSugar(final SugarStore store) {
        final SugarStore.Bean bean = store.sortedByModified("Contacts").stream()
                .filter(b -> !b.emailOptOut() && b.primary() != null && b.primary().address().contains("@")).findFirst().orElseThrow();
        store.optOutInUi("Contacts", bean.id(), true);
        return bean.primary().address().toLowerCase(Locale.ROOT);
    }

    /** The opt-outs that arrived: made in SugarCRM and on Act-On's list, made in Act-On and on every SugarCRM record of the address. */
    private static long delivered(final SugarActOnScenario scenario, final Set<String> toActOn, final List<String> toSugar) {
        final Set<String> onActOn = new HashSet<>(scenario.actOn.optOutAddresses());
        return toActOn.stream().filter(onActOn::contains).count()
                + toSugar.stream().filter(a -> scenario.store.beansWithEmail(a).stream().allMatch(SugarStore.Bean::emailOptOut)).count();
    }

    /** A credential outage of one side: its sessions revoked and its password refused, then working again. */
    private static void outage(final SugarActOnScenario scenario, final boolean sugar, final boolean[] inOutage) throws InterruptedException {
        inOutage[0] = true;
        if (sugar) {
            ((SugarV10Simulator) scenario.sugar).credentialsRefused(true);
        } else {
            scenario.actOn.credentialsRefused(true);
        }
        Thread.sleep(OUTAGE_SECONDS * 1000L);
        if (sugar) {
            ((SugarV10Simulator) scenario.sugar).credentialsRefused(false);
        } else {
            scenario.actOn.credentialsRefused(false);
        }
        Thread.sleep(2_000); // the bulletins of the last failing runs
        inOutage[0] = false;
    }

    private static void sleepUntil(final Instant when) throws InterruptedException {
        final long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
