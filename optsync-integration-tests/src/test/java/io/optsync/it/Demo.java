package io.optsync.it;

import io.optsync.simulators.SugarStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The demo behind {@code ./demo.sh}: simulators seeded with realistic data, a real NiFi 2.3.0 with the optsync NAR,
 * the SugarCRM ↔ Act-On template imported and running; prints a before/after summary and the time a change takes to
 * arrive, then leaves NiFi running until Ctrl-C ({@code OPTSYNC_DEMO_EXIT=1} stops after the summary).
 */
public final class Demo {
    private Demo() {
    }

    public static void main(final String[] args) throws Exception {
        System.out.println("optsync demo: starting the SugarCRM and Act-On simulators and NiFi 2.3.0 with the optsync NAR ...");
        // the audit trail goes to an embedded database file (SQLite), new for each demo
        final Path auditFolder = Path.of(System.getProperty("nifi.work", "target/demo")).resolve("audit-db").toAbsolutePath();
        deleteFolder(auditFolder);
        Files.createDirectories(auditFolder);
        final AuditDatabase audit = AuditDatabase.sqlite(auditFolder.resolve("optsync-audit.db"));
        final SugarActOnScenario scenario = SugarActOnScenario.startOnCluster("v10", 10_000, 400, 60, "demo", 1, store -> { }, actOn -> { }, audit, template -> { });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("optsync demo: stopping NiFi (pid " + scenario.nifi.pid() + ") and the simulators");
            scenario.close();
        }));
        final Instant started = Instant.now();
        final int contacts = scenario.store.size("Contacts");
        final int leads = scenario.store.size("Leads");
        final Set<String> sugarBefore = new HashSet<>(scenario.store.optedOutAddresses());
        final int actOnBefore = scenario.actOn.optOutAddresses().size();
        final long sharedNotOptedOut = scenario.sharedAddresses.stream().filter(a -> !Boolean.TRUE.equals(scenario.store.isOptedOut(a))).count();
        System.out.printf(Locale.ROOT, "%nBEFORE%n  SugarCRM (REST v10): %,d Contacts and %,d Leads, %,d opted-out addresses (flags as true, \"1\" and \"True\")%n"
                + "  Act-On: %,d addresses on the opt-out list; %d of them are SugarCRM contacts not opted out there%n",
                contacts, leads, sugarBefore.size(), actOnBefore, sharedNotOptedOut);

        scenario.awaitSettled(Duration.ofMinutes(5));
        final double firstSync = Duration.between(started, Instant.now()).toMillis() / 1000.0;

        final String sugarChange = scenario.optOutInSugar(0);
        final Instant sugarAt = Instant.now();
        final String actOnChange = "demo.unsubscribe@example.net";
        scenario.store.create("Contacts", "Demo", "Unsubscribe", actOnChange, Instant.now());
        Thread.sleep(16_000); // let the new contact be read before it is opted out in Act-On
        scenario.actOn.optOut(actOnChange);
        final Instant actOnAt = Instant.now();
        Double toActOn = null;
        Double toSugar = null;
        final Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while ((toActOn == null || toSugar == null) && Instant.now().isBefore(deadline)) {
            if (toActOn == null && scenario.actOn.optOutAddresses().contains(sugarChange)) {
                toActOn = Duration.between(sugarAt, Instant.now()).toMillis() / 1000.0;
            }
            if (toSugar == null && Boolean.TRUE.equals(scenario.store.isOptedOut(actOnChange))) {
                toSugar = Duration.between(actOnAt, Instant.now()).toMillis() / 1000.0;
            }
            Thread.sleep(100);
        }

        final long failures = failuresWaiting(scenario);
        System.out.printf(Locale.ROOT, "%nAFTER (first sync settled in %.1f s)%n"
                        + "  Act-On opt-out list: %,d addresses (+%,d from SugarCRM)%n"
                        + "  SugarCRM: %,d opted-out addresses; every Contact and Lead with an Act-On opt-out is opted out: %s%n"
                        + "  written: %d Act-On uploads; %d SugarCRM bulk writes; Act-On password grants: %d; highest Act-On rate %d calls/s%n"
                        + "  failures waiting before the failure Output Ports: %d; nobody re-subscribed: %s%n"
                        + "  a change made now: SugarCRM -> Act-On in %s, Act-On -> SugarCRM in %s%n",
                firstSync, scenario.actOn.optOutAddresses().size(), scenario.actOn.optOutAddresses().size() - actOnBefore,
                scenario.store.optedOutAddresses().size(),
                scenario.sharedAddresses.stream().allMatch(a -> scenario.store.beansWithEmail(a).stream().allMatch(SugarStore.Bean::emailOptOut)),
                scenario.actOn.stats().calls("PUT /api/1/list/optout"), scenario.sugar.stats().calls("POST /rest/v10/bulk"),
                scenario.actOn.passwordGrants(), scenario.actOn.stats().maxPerSecond(), failures,
                new HashSet<>(scenario.store.optedOutAddresses()).containsAll(sugarBefore),
                toActOn == null ? "(not yet)" : String.format(Locale.ROOT, "%.1f s", toActOn),
                toSugar == null ? "(not yet)" : String.format(Locale.ROOT, "%.1f s", toSugar));

        printAuditTrail(audit, sugarChange, actOnChange);

        System.out.printf(Locale.ROOT, "%nNiFi is running with the flow on its canvas: %s#/process-groups/%s%n"
                        + "  SugarCRM simulator %s, Act-On simulator %s (GET /_sim/stats on either)%n"
                        + "  NiFi's home: %s%nPress Ctrl-C to stop.%n",
                scenario.nifi.uiUrl(), scenario.template.group(), scenario.sugar.baseUrl(), scenario.actOn.baseUrl(), scenario.nifi.home().toAbsolutePath());
        if (System.getenv("OPTSYNC_DEMO_EXIT") != null) {
            System.exit(0); // the simulators' server threads would keep the JVM up; the shutdown hook stops NiFi
        }
        new CountDownLatch(1).await();
    }

    /** Prints, from SQL, the audit rows of the two changes the demo made, once they are there (the push writes them right after the vendor's answer). */
    private static void printAuditTrail(final AuditDatabase audit, final String... addresses) throws Exception {
        final String sql = "SELECT audited_at, outcome, email, source_system, source_object, target_system, target_object, field, old_value, new_value "
                + "FROM optsync_audit WHERE email IN (?, ?) ORDER BY audited_at";
        final Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        List<Map<String, Object>> rows = audit.rows(sql, (Object[]) addresses);
        while (!coversAll(rows, addresses) && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            rows = audit.rows(sql, (Object[]) addresses);
        }
        System.out.printf(Locale.ROOT, "%nAUDIT TRAIL of these two changes, from the audit database (%s, %,d rows in all)%n  %s%n", audit.url(), audit.count(),
                sql.replace("?, ?", "'" + String.join("', '", addresses) + "'"));
        for (final Map<String, Object> row : rows) {
            System.out.printf(Locale.ROOT, "  %s  %-7s %s: %s %s -> %s %s, %s %s -> %s%n", row.get("audited_at"), row.get("outcome"), row.get("email"),
                    row.get("source_system"), row.get("source_object"), row.get("target_system"), row.get("target_object"), row.get("field"),
                    row.get("old_value"), row.get("new_value"));
        }
    }

    private static boolean coversAll(final List<Map<String, Object>> rows, final String... addresses) {
        return Arrays.stream(addresses).allMatch(a -> rows.stream().anyMatch(r -> a.equals(r.get("email"))));
    }

    private static void deleteFolder(final Path folder) throws java.io.IOException {
        if (Files.exists(folder)) {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** FlowFiles queued on failure connections (those to the audit and held Output Ports are not failures). */
    private static long failuresWaiting(final SugarActOnScenario scenario) throws Exception {
        return scenario.template.queuedOn("failure");
    }
}
