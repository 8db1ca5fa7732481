package io.optsync.it;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The SugarCRM ↔ Act-On template running in a real NiFi against seeded simulators: SugarCRM contacts (about a quarter
 * opted out, duplicate addresses, Leads sharing addresses) and Act-On opt-outs, some of them addresses SugarCRM holds.
 */
final class SugarActOnScenario implements AutoCloseable {
    final SugarStore store;
    final SimulatorServer sugar;
    final ActOnSimulator actOn;
    final List<String> sharedAddresses = new ArrayList<>();
    final Set<String> sugarOptedOutBefore;
    final NiFiInstance nifi;
    /** Where the template's audit trail lands. */
    final AuditDatabase audit;
    NiFiCluster cluster;
    NiFiRest rest;
    TemplateRunner template;

    private SugarActOnScenario(final String version, final int contacts, final int actOnOptOuts, final int shared, final String name,
                               final boolean clustered, final Consumer<SugarStore> prepare, final AuditDatabase audit) throws IOException {
        this.audit = audit;
        store = new SugarStore().seed(contacts, 13);
        prepare.accept(store);
        for (int i = 0; i < shared; i++) {
            final String email = "shared" + i + "@example.net";
            store.create("Contacts", "Shared", "Contact" + i, email, Instant.now());
            if (i % 4 == 0) {
                store.create("Contacts", "Shared", "Duplicate" + i, email.toUpperCase(Locale.ROOT), Instant.now());
                store.create("Leads", "Shared", "Lead" + i, email, Instant.now());
            }
            sharedAddresses.add(email);
        }
        sugarOptedOutBefore = new HashSet<>(store.optedOutAddresses());
        if (version.equals("v10")) {
            final SugarV10Simulator v10 = new SugarV10Simulator(store);
            v10.mixedFlags(true);
            sugar = v10;
        } else {
            sugar = new SugarV41Simulator(store);
        }
        actOn = new ActOnSimulator().seed(actOnOptOuts, 21);
        sharedAddresses.forEach(actOn::optOut);
        sugar.start(0);
        actOn.start(0);
        nifi = clustered ? null : NiFiInstance.create(name);
    }

    /** Starts the simulators and NiFi, imports the template, fills its parameters, enables it and starts it. */
    static SugarActOnScenario start(final String version, final int contacts, final int actOnOptOuts, final int shared, final String name)
            throws IOException, InterruptedException {
        return startOnCluster(version, contacts, actOnOptOuts, shared, name, 1, store -> { }, actOn -> { });
    }

    /** The same on a NiFi cluster of {@code nodes} nodes: the template imported unchanged through the first node. */
    static SugarActOnScenario startOnCluster(final String version, final int contacts, final int actOnOptOuts, final int shared, final String name,
                                             final int nodes) throws IOException, InterruptedException {
        return startOnCluster(version, contacts, actOnOptOuts, shared, name, nodes, store -> { }, actOn -> { });
    }

    /**
     * On a NiFi cluster of {@code nodes} nodes (1: a standalone NiFi), after {@code prepare} has added to the SugarCRM
     * data and {@code configure} has set up the Act-On simulator.
     */
    static SugarActOnScenario startOnCluster(final String version, final int contacts, final int actOnOptOuts, final int shared, final String name,
                                             final int nodes, final Consumer<SugarStore> prepare, final Consumer<ActOnSimulator> configure)
            throws IOException, InterruptedException {
        try {
            return startOnCluster(version, contacts, actOnOptOuts, shared, name, nodes, prepare, configure, AuditDatabase.postgres(), template -> { });
        } catch (final java.sql.SQLException e) {
            throw new IOException("the audit database did not start", e);
        }
    }

    /** A flow change a test makes after the import and before the start (a shorter schedule, say). */
    interface Adjustment {
        void apply(TemplateRunner template) throws IOException, InterruptedException;
    }

    /**
     * The same, with the audit trail going to {@code audit} (closed with the scenario), and {@code adjust} applied to the
     * imported template before it starts.
     */
    static SugarActOnScenario startOnCluster(final String version, final int contacts, final int actOnOptOuts, final int shared, final String name,
                                             final int nodes, final Consumer<SugarStore> prepare, final Consumer<ActOnSimulator> configure,
                                             final AuditDatabase audit, final Adjustment adjust) throws IOException, InterruptedException {
        final SugarActOnScenario scenario;
        try {
            scenario = new SugarActOnScenario(version, contacts, actOnOptOuts, shared, name, nodes > 1, prepare, audit);
        } catch (final IOException | RuntimeException e) {
            audit.close();
            throw e;
        }
        configure.accept(scenario.actOn);
        try {
            if (nodes == 1) {
                scenario.rest = scenario.nifi.start(Duration.ofMinutes(3));
            } else {
                scenario.cluster = NiFiCluster.start(name, nodes);
                scenario.rest = scenario.cluster.rest(scenario.cluster.nodes().getFirst());
            }
            scenario.importAndStart(version, adjust);
            return scenario;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            scenario.close();
            throw e;
        }
    }

    private void importAndStart(final String version, final Adjustment adjust) throws IOException, InterruptedException {
        template = TemplateRunner.upload(rest, Templates.SUGARCRM_ACTON.file());
        template.auditTo(audit);
        SimulatorParameters.sugarCrm(sugar, version).and(SimulatorParameters.actOn(actOn)).applyTo(template);
        adjust.apply(template);
        template.enableServicesAndStart();
    }

    /** Whether every opt-out has arrived on the other side. */
    boolean settled() {
        return new HashSet<>(actOn.optOutAddresses()).containsAll(sugarOptedOutBefore)
                && sharedAddresses.stream().allMatch(a -> store.beansWithEmail(a).stream().allMatch(SugarStore.Bean::emailOptOut));
    }

    void awaitSettled(final Duration timeout) throws IOException, InterruptedException {
        TemplateRunner.waitFor(timeout, "both directions to settle", this::settled);
    }

    /**
     * Opts out {@code count} subscribed SugarCRM contacts in the UI and creates {@code count} contacts whose addresses
     * then opt out in Act-On ({@code prefix}N@example.org).
     *
     * @param toActOn receives the SugarCRM opt-outs' addresses
     * @param toSugar receives the Act-On opt-outs' addresses
     */
    void optOutOnBothSides(final int count, final String prefix, final Set<String> toActOn, final List<String> toSugar) {
        for (int i = 0; i < count; i++) {
            toActOn.add(optOutInSugar(i));
            final String email = prefix + i + "@example.org";
            store.create("Contacts", prefix, "Test" + i, email, Instant.now());
            actOn.optOut(email);
            toSugar.add(email);
        }
    }

    /** Opts a subscribed SugarCRM contact out as a user would in the UI; returns its address. */
    String optOutInSugar(final int nth) {
        final SugarStore.Bean bean = store.sortedByModified("Contacts").stream().filter(b -> !b.emailOptOut()).skip(nth).findFirst().orElseThrow();
        store.optOutInUi("Contacts", bean.id(), true);
        return bean.primary().address().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        if (nifi != null) {
            nifi.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        sugar.close();
        actOn.close();
        audit.close();
    }
}
