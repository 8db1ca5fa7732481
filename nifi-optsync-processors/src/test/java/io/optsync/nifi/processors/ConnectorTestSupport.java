package io.optsync.nifi.processors;

import io.optsync.nifi.connector.activecampaign.ActiveCampaignTestConnectors;
import io.optsync.nifi.connector.acton.ActOnTestConnectors;
import io.optsync.nifi.connector.mailchimp.MailchimpTestConnectors;
import io.optsync.nifi.connector.netsuite.NetSuiteTestConnectors;
import io.optsync.nifi.connector.salesforce.SalesforceTestConnectors;
import io.optsync.nifi.connector.sugarcrm.SugarTestConnectors;
import io.optsync.simulators.SimulatorServer;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;

import java.util.List;

/** Wires simulator-backed connectors into test runners, and passes FlowFiles from one runner to the next. */
final class ConnectorTestSupport {
    private ConnectorTestSupport() {
    }

    static void sugar(final TestRunner runner, final SimulatorServer sim, final String version) {
        SugarTestConnectors.add(runner, "connector", sim.baseUrl(), version);
        runner.setProperty(OptOutProperties.CONNECTOR, "connector");
    }

    static void salesforce(final TestRunner runner, final SimulatorServer sim) {
        SalesforceTestConnectors.add(runner, "connector", sim.baseUrl());
        runner.setProperty(OptOutProperties.CONNECTOR, "connector");
    }

    static void activeCampaign(final TestRunner runner, final SimulatorServer sim, final String lists) {
        ActiveCampaignTestConnectors.add(runner, "connector", sim.baseUrl(), lists);
        runner.setProperty(OptOutProperties.CONNECTOR, "connector");
    }

    static void mailchimp(final TestRunner runner, final SimulatorServer sim) {
        MailchimpTestConnectors.add(runner, "connector", sim.baseUrl());
        runner.setProperty(OptOutProperties.CONNECTOR, "connector");
    }

    static void netSuite(final TestRunner runner, final SimulatorServer sim) {
        NetSuiteTestConnectors.add(runner, "connector", sim.baseUrl());
        runner.setProperty(OptOutProperties.CONNECTOR, "connector");
    }

    static void actOn(final TestRunner runner, final SimulatorServer sim) {
        ActOnTestConnectors.add(runner, "connector", sim.baseUrl());
        runner.setProperty(OptOutProperties.CONNECTOR, "connector");
    }

    /** Enqueues the content and attributes of FlowFiles another runner produced (not the FlowFiles: their ids would clash). */
    static void pass(final List<MockFlowFile> flowFiles, final TestRunner next) {
        for (final MockFlowFile flowFile : flowFiles) {
            next.enqueue(flowFile.toByteArray(), flowFile.getAttributes());
        }
    }
}
