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
import java.util.Map;
import java.util.Set;

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
    NiFiRest rest;
    TemplateRunner template;

    private SugarActOnScenario(final String version, final int contacts, final int actOnOptOuts, final int shared, final String name) throws IOException {
        store = new SugarStore().seed(contacts, 13);
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
        nifi = NiFiInstance.create(name);
    }

    /** Starts the simulators and NiFi, imports the template, fills its parameters, enables it and starts it. */
    static SugarActOnScenario start(final String version, final int contacts, final int actOnOptOuts, final int shared, final String name)
            throws IOException, InterruptedException {
        final SugarActOnScenario scenario = new SugarActOnScenario(version, contacts, actOnOptOuts, shared, name);
        try {
            scenario.rest = scenario.nifi.start(Duration.ofMinutes(3));
            scenario.template = TemplateRunner.upload(scenario.rest, Templates.SUGARCRM_ACTON.file());
            scenario.template.parameters(Map.of(
                            Templates.SUGAR_URL, scenario.sugar.baseUrl(),
                            Templates.SUGAR_API, version,
                            Templates.SUGAR_ENCODING, "sugarcrm-" + version,
                            Templates.SUGAR_USER, SugarV10Simulator.USERNAME,
                            Templates.SUGAR_PASSWORD, SugarV10Simulator.PASSWORD,
                            Templates.ACTON_URL, scenario.actOn.baseUrl(),
                            Templates.ACTON_USER, ActOnSimulator.USERNAME,
                            Templates.ACTON_PASSWORD, ActOnSimulator.PASSWORD,
                            Templates.ACTON_CLIENT_ID, ActOnSimulator.CLIENT_ID,
                            Templates.ACTON_CLIENT_SECRET, ActOnSimulator.CLIENT_SECRET),
                    List.of(Templates.SUGAR_PASSWORD, Templates.ACTON_PASSWORD, Templates.ACTON_CLIENT_SECRET));
            scenario.template.enableServicesAndStart();
            return scenario;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            scenario.close();
            throw e;
        }
    }

    /** Whether every opt-out has arrived on the other side. */
    boolean settled() {
        return new HashSet<>(actOn.optOutAddresses()).containsAll(sugarOptedOutBefore)
                && sharedAddresses.stream().allMatch(a -> store.beansWithEmail(a).stream().allMatch(SugarStore.Bean::emailOptOut));
    }

    void awaitSettled(final Duration timeout) throws IOException, InterruptedException {
        TemplateRunner.waitFor(timeout, "both directions to settle", this::settled);
    }

    /** Opts a subscribed SugarCRM contact out as a user would in the UI; returns its address. */
    String optOutInSugar(final int nth) {
        final SugarStore.Bean bean = store.sortedByModified("Contacts").stream().filter(b -> !b.emailOptOut()).skip(nth).findFirst().orElseThrow();
        store.optOutInUi("Contacts", bean.id(), true);
        return bean.primary().address().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        nifi.close();
        sugar.close();
        actOn.close();
    }
}
