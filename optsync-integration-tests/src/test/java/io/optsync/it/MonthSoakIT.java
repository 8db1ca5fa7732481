package io.optsync.it;

import io.optsync.simulators.FaultPlan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A month in an hour, for every template at once: the five templates in {@code templates/}, each unchanged but for a
 * day made short (every fetch's Full Resync Interval is a day, and the connectors' Timeout 3 s so that an injected
 * time-out costs 3 s), run side by side in one real NiFi 2.3.0, as a user running several syncs would, each against
 * simulators of its own, through an accelerated month: a daily full read, address-less records, 5 % invalid
 * addresses, changes every day both ways, a credential outage on each side and 5 % injected faults (5xx, 429,
 * time-outs, resets, lost answers). For each template it checks that no connection ever reaches its back-pressure
 * threshold, every opt-out arrives, each outage raises a bulletin naming the system and the flow recovers by itself,
 * every fetch completes a full read a day, and the audit trail lands in its database (a real PostgreSQL); it prints
 * each connection's high-water mark and the opt-outs delivered of those made.
 *
 * <p>{@code ./mvnw verify} runs a short month (3 days of 20 s, 100 changes a day each way, 1,200 address-less
 * records, 20 s outages; Act-On's outage only with {@code -Dsoak.slow.outages=true}, as its connector tries one
 * sign-in per 12 minutes once one was refused). A vendor whose request rate bounds the writes would take fewer opt-outs
 * a day ({@link SoakSystem.Partner#optOutsPerDay}); since ActiveCampaign writes in bulk imports, none does. The whole
 * month, for one template or (leaving out {@code soak.template}) all: {@code -Dit.test=MonthSoakIT
 * -Dsoak.template=sugarcrm-acton -Dsoak.days=30 -Dsoak.day.seconds=100 -Dsoak.changes.per.day=1000
 * -Dsoak.addressless=12000 -Dsoak.outage.seconds=600 -Dsoak.slow.outages=true} (about an hour).
 */
class MonthSoakIT {
    private static final int DAYS = Integer.getInteger("soak.days", 3);
    private static final int DAY_SECONDS = Integer.getInteger("soak.day.seconds", 20);
    private static final int CHANGES_PER_DAY = Integer.getInteger("soak.changes.per.day", 100);
    private static final int ADDRESSLESS = Integer.getInteger("soak.addressless", 1_200);
    private static final int OUTAGE_SECONDS = Integer.getInteger("soak.outage.seconds", 20);
    private static final boolean SLOW_OUTAGES = Boolean.getBoolean("soak.slow.outages");
    private static final String ONLY = System.getProperty("soak.template", "");
    /** The records with an address a CRM holds besides those the month opts out, still subscribed at its end. */
    private static final int MIN_RECORDS = 400;
    private static final int SLICES_PER_DAY = 5;

    /** A template with its CRM (made with a number of records) and its marketing platform. */
    private record Soak(PairTemplate pair, IntFunction<SoakSystem.Crm> crm, Supplier<SoakSystem.Partner> partner) {
    }

    private static final List<Soak> SOAKS = List.of(
            new Soak(Templates.SUGARCRM_ACTON, SoakSystem::sugarCrm, SoakSystem::actOn),
            new Soak(Templates.SALESFORCE_ACTIVECAMPAIGN, SoakSystem::salesforce, SoakSystem::activeCampaign),
            new Soak(Templates.SALESFORCE_ACTON, SoakSystem::salesforce, SoakSystem::actOn),
            new Soak(Templates.SALESFORCE_MAILCHIMP, SoakSystem::salesforce, SoakSystem::mailchimp),
            new Soak(Templates.NETSUITE_MAILCHIMP, SoakSystem::netSuite, SoakSystem::mailchimp));

    @Test
    void aMonthOfChangesFaultsAndOutagesArrivesWithoutStallingAnyTemplate() throws Exception {
        final List<Month> months = new ArrayList<>();
        try (NiFiInstance nifi = NiFiInstance.create("soak")) {
            final NiFiRest rest = nifi.start(Duration.ofMinutes(3));
            try {
                for (final Soak soak : SOAKS) {
                    if (soak.pair().file().startsWith(ONLY)) {
                        months.add(new Month(soak, rest));
                    }
                }
                assertThat(months).as("templates whose file starts with -Dsoak.template=" + ONLY).isNotEmpty();
                final ExecutorService runs = Executors.newFixedThreadPool(months.size());
                final List<Future<?>> running = new ArrayList<>();
                for (final Month month : months) {
                    running.add(runs.submit(() -> {
                        month.run();
                        return null;
                    }));
                }
                runs.shutdown();
                for (final Future<?> run : running) {
                    try {
                        run.get();
                    } catch (final ExecutionException e) {
                        if (e.getCause() instanceof Error error) {
                            throw error;
                        }
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
                System.out.printf(Locale.ROOT, "FIGURE month soak: NiFi's longest GC pause %.0f ms (logs/gc.log)%n", longestGcPause(nifi.home().resolve("logs/gc.log")));
                for (final Month month : months) {
                    month.check();
                }
            } finally {
                months.forEach(Month::close);
            }
        }
    }

    /** The longest pause in a JVM's {@code -Xlog:gc} file, in milliseconds (0 when there is none). */
    static double longestGcPause(final java.nio.file.Path gcLog) throws java.io.IOException {
        if (!java.nio.file.Files.exists(gcLog)) {
            return 0;
        }
        final java.util.regex.Pattern pause = java.util.regex.Pattern.compile("Pause.* (\\d+(?:\\.\\d+)?)ms$");
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(gcLog)) {
            return lines.map(pause::matcher).filter(java.util.regex.Matcher::find).mapToDouble(m -> Double.parseDouble(m.group(1))).max().orElse(0);
        }
    }

    /** One template's month: its systems, its flow in the shared NiFi, what was made and what arrived. */
    private static final class Month implements AutoCloseable {
        private final String label;
        private final SoakSystem.Crm crm;
        private final SoakSystem.Partner partner;
        private final int perDay;
        private final int records;
        private final int invalid;
        private final boolean partnerOutage;
        private final AuditDatabase audit;
        private final TemplateRunner template;
        private final Instant started = Instant.now();
        private final Map<String, Long> highWater = new ConcurrentHashMap<>();
        private final Map<String, Set<String>> outageBulletins = new ConcurrentHashMap<>();
        private final AtomicReference<String> inOutage = new AtomicReference<>();
        private final Set<String> toPartner = new LinkedHashSet<>();
        private final List<String> toCrm = new ArrayList<>();
        private long delivered;

        /** Seeds the systems, starts them, uploads the template with its day made short and starts it. */
        Month(final Soak soak, final NiFiRest rest) throws Exception {
            label = soak.pair().first().system() + " <-> " + soak.pair().second().system();
            partner = soak.partner().get();
            perDay = partner.optOutsPerDay(CHANGES_PER_DAY, DAY_SECONDS) / SLICES_PER_DAY * SLICES_PER_DAY;
            records = MIN_RECORDS + DAYS * perDay; // MIN_RECORDS stay subscribed to the end
            crm = soak.crm().apply(records);
            for (int i = 0; i < ADDRESSLESS; i++) {
                crm.create(null);
            }
            invalid = (records + ADDRESSLESS) / 20; // 5 % of the records have an address that is no address
            for (int i = 0; i < invalid; i++) {
                crm.create("bad-address-" + i + ".example.com");
            }
            partner.holds(crm.nextOptOuts(DAYS * perDay)); // where the partner must hold a contact to unsubscribe it
            partnerOutage = partner.signInSpacing().isZero() || SLOW_OUTAGES;
            crm.simulator().start(0);
            partner.simulator().start(0);
            try {
                audit = AuditDatabase.postgres();
            } catch (final Exception e) {
                closeSimulators();
                throw e;
            }
            try {
                template = TemplateRunner.upload(rest, soak.pair().file());
                template.auditTo(audit);
                crm.parameters().and(partner.parameters()).applyTo(template);
                template.processorProperties("Fetch ", Map.of("Full Resync Interval", DAY_SECONDS + " sec"));
                for (final SoakSystem system : List.of(crm, partner)) {
                    template.serviceProperties(system.name(), Map.of("Timeout", "3 sec"));
                }
                template.enableServicesAndStart();
            } catch (final Exception e) {
                close();
                throw e;
            }
        }

        /** The month: the first sync settles, then every day opt-outs both ways among faults, with the outages on days 1 and 2. */
        void run() throws Exception {
            final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleWithFixedDelay(this::sample, 0, 1, TimeUnit.SECONDS);
            try {
                final Set<String> optedOutBefore = partner.reachable(crm.optedOut());
                TemplateRunner.waitFor(Duration.ofMinutes(4 + (records + ADDRESSLESS) / 5_000), label + ": the first full reads to settle", () -> partner.optedOut().containsAll(optedOutBefore));
                crm.simulator().faults(new FaultPlan(0.05, 41, 4_000));
                partner.simulator().faults(new FaultPlan(0.05, 43, 4_000));
                for (int day = 1; day <= DAYS; day++) {
                    final Instant dayStart = Instant.now();
                    for (int slice = 0; slice < SLICES_PER_DAY; slice++) {
                        for (int i = 0; i < perDay / SLICES_PER_DAY; i++) {
                            toPartner.add(crm.optOutOne()); // a user opts a contact out in the CRM's UI
                        }
                        for (int i = 0; i < CHANGES_PER_DAY / SLICES_PER_DAY; i++) { // a contact the CRM holds unsubscribes in a campaign
                            final String email = "d" + day + "s" + slice + "n" + i + "@soak.example.org";
                            crm.create(email);
                            partner.optOut(email);
                            toCrm.add(email);
                        }
                        if (slice == 1 && day == 1) {
                            outage(crm);
                        } else if (slice == 3 && day == Math.min(2, DAYS) && partnerOutage) {
                            outage(partner);
                        }
                        sleepUntil(dayStart.plusMillis((slice + 1L) * DAY_SECONDS * 1000 / SLICES_PER_DAY));
                    }
                }
                crm.simulator().faults(FaultPlan.NONE);
                partner.simulator().faults(FaultPlan.NONE);
                final Instant deadline = Instant.now().plus(Duration.ofMinutes(5).plus(partnerOutage ? partner.signInSpacing() : Duration.ZERO));
                while ((delivered = delivered()) < toPartner.size() + toCrm.size() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(1_000);
                }
                Thread.sleep(3_000); // the last audit rows follow the last writes
            } finally {
                sampler.shutdownNow();
            }
        }

        private void sample() {
            try {
                template.queuedPerConnection().forEach((connection, queued) -> highWater.merge(connection, queued, Math::max));
                final String system = inOutage.get();
                if (system != null) {
                    outageBulletins.computeIfAbsent(system, s -> ConcurrentHashMap.newKeySet()).addAll(template.bulletins());
                }
            } catch (final Exception e) {
                System.out.println("SOAK " + label + ": sampling failed: " + e);
            }
        }

        /** Prints the figures, then checks them. */
        void check() throws Exception {
            final long made = toPartner.size() + toCrm.size();
            final Map<String, Long> thresholds = template.backPressurePerConnection();
            final Map<String, Long> fullReads = template.counter("Full reads completed", "Fetch ");
            final long auditRows = audit.count();
            final long due = fullReadsDue();
            System.out.printf(Locale.ROOT, "FIGURE month soak, %s in a real NiFi beside the other templates: %d days of %d s (Full Resync Interval a day), "
                            + "%,d records, opt-outs made a day %d in %s and %d in %s, %,d address-less and %,d invalid addresses, 5 %% faults (%s %d, %s %d "
                            + "injected), %d s credential outages of %s (bulletins %s); full reads completed %s (%d due); opt-outs delivered %d of %d; audit rows %,d, "
                            + "left on 'audit' %d; %.0f s%n",
                    label, DAYS, DAY_SECONDS, records, perDay, crm.name(), CHANGES_PER_DAY, partner.name(), ADDRESSLESS, invalid, crm.name(),
                    crm.simulator().stats().totalFaults(), partner.name(), partner.simulator().stats().totalFaults(), OUTAGE_SECONDS,
                    partnerOutage ? crm.name() + " and " + partner.name() : crm.name(), counts(), fullReads, due, delivered, made, auditRows,
                    template.queuedOn("audit"), Duration.between(started, Instant.now()).toMillis() / 1000.0);
            highWater.forEach((connection, max) -> System.out.printf(Locale.ROOT, "FIGURE month soak, %s, high-water mark %,6d of %s FlowFiles: %s%n", label, max,
                    thresholds.getOrDefault(connection, 0L) == 0 ? "no limit" : String.format(Locale.ROOT, "%,d", thresholds.get(connection)), connection));

            assertThat(delivered).as(label + ": every opt-out arrived").isEqualTo(made);
            for (final Map.Entry<String, Long> connection : highWater.entrySet()) {
                final long threshold = thresholds.getOrDefault(connection.getKey(), 0L);
                if (threshold > 0) {
                    assertThat(connection.getValue()).as(label + ": " + connection.getKey() + " stays below its back pressure").isLessThan(threshold);
                }
            }
            for (final SoakSystem system : partnerOutage ? List.of(crm, partner) : List.<SoakSystem>of(crm)) {
                assertThat(outageBulletins.getOrDefault(system.name(), Set.of())).as(label + ": the outage raised a bulletin naming " + system.name())
                        .anySatisfy(b -> assertThat(b).contains(system.name()));
            }
            assertThat(fullReads).as(label + ": a full read a day (%d due) by every fetch", due).isNotEmpty()
                    .allSatisfy((fetch, reads) -> assertThat(reads).isGreaterThanOrEqualTo(due));
            assertThat(auditRows).as(label + ": the audit trail in its database").isPositive();
            assertThat(template.queuedOn("audit")).as(label + ": audit records the database could not take").isZero();
        }

        /**
         * The full reads each fetch must have completed: one a day of the time its systems were in service (a read cannot
         * complete during an outage, nor while Act-On holds its next sign-in after one), allowing half a day and half a
         * minute for the read itself (a fetch's next full read is due a day after its last one), and at least one.
         */
        private long fullReadsDue() {
            final long outOfService = OUTAGE_SECONDS + (partnerOutage ? OUTAGE_SECONDS + partner.signInSpacing().toSeconds() : 0);
            final long inService = Duration.between(started, Instant.now()).toSeconds() - outOfService;
            return Math.max(1, inService / (DAY_SECONDS * 3 / 2 + 30));
        }

        /** The opt-outs that arrived: made in the CRM and opted out on the partner, made in the partner and on every CRM record of the address. */
        private long delivered() {
            final Set<String> onPartner = partner.optedOut();
            return toPartner.stream().filter(onPartner::contains).count() + toCrm.stream().filter(crm::optedOutEverywhere).count();
        }

        /** A credential outage of one system: its sessions ended and its credential refused, then working again. */
        private void outage(final SoakSystem system) throws InterruptedException {
            inOutage.set(system.name());
            system.simulator().credentialsRefused(true);
            Thread.sleep(OUTAGE_SECONDS * 1000L);
            system.simulator().credentialsRefused(false);
            Thread.sleep(2_000); // the bulletins of the last failing runs
            inOutage.set(null);
        }

        private Map<String, Integer> counts() {
            final Map<String, Integer> counts = new TreeMap<>();
            outageBulletins.forEach((system, seen) -> counts.put(system, seen.size()));
            return counts;
        }

        @Override
        public void close() {
            closeSimulators();
            audit.close();
        }

        private void closeSimulators() {
            crm.simulator().close();
            partner.simulator().close();
        }
    }

    private static void sleepUntil(final Instant when) throws InterruptedException {
        final long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
