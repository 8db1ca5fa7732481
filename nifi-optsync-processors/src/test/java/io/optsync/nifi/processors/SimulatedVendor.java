package io.optsync.nifi.processors;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.util.TestRunner;

import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Each of the seven connectors with a simulator seeded with 230 records (Salesforce 1,200, in short pages of up to 250),
 * for the tests that go over every vendor alike ({@code @MethodSource("io.optsync.nifi.processors.SimulatedVendor#all")}).
 *
 * @param simulator makes a new, not yet started simulator
 * @param connect adds the connector, as "connector", to a runner
 * @param object an object the connector reads
 * @param objects how many objects the connector reads
 */
record SimulatedVendor(String name, Supplier<SimulatorServer> simulator, BiConsumer<TestRunner, SimulatorServer> connect, String object, int objects) {

    static Stream<SimulatedVendor> all() {
        return Stream.of(
                new SimulatedVendor("SugarCRM v10", () -> new SugarV10Simulator(new SugarStore().seed(230, 3)), (r, s) -> ConnectorTestSupport.sugar(r, s, "v10"),
                        "Contacts", 2),
                new SimulatedVendor("SugarCRM v4_1", () -> new SugarV41Simulator(new SugarStore().seed(230, 3)), (r, s) -> ConnectorTestSupport.sugar(r, s, "v4_1"),
                        "Contacts", 2),
                new SimulatedVendor("Act-On", () -> new ActOnSimulator().seed(230, 3), ConnectorTestSupport::actOn, "optout", 2),
                new SimulatedVendor("ActiveCampaign", () -> new ActiveCampaignSimulator().seed(230, 3), (r, s) -> ConnectorTestSupport.activeCampaign(r, s, null),
                        "contacts", 1),
                new SimulatedVendor("Mailchimp", () -> new MailchimpSimulator().seed(230, 3), ConnectorTestSupport::mailchimp, "members", 1),
                new SimulatedVendor("NetSuite", () -> new NetSuiteSimulator().seed(230, 3), ConnectorTestSupport::netSuite, "customer", 3),
                new SimulatedVendor("Salesforce", () -> {
                    final SalesforceSimulator sim = new SalesforceSimulator().seed(1200, 3);
                    sim.shortPages(true);
                    return sim;
                }, ConnectorTestSupport::salesforce, "Contact", 3));
    }

    @Override
    public String toString() {
        return name;
    }
}
