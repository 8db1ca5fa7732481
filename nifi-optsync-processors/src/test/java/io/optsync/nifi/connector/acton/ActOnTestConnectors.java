package io.optsync.nifi.connector.acton;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.apache.nifi.util.TestRunner;

/** Adds an ActOnConnectorService signed in to an Act-On simulator to a test runner. */
public final class ActOnTestConnectors {
    private ActOnTestConnectors() {
    }

    public static ActOnConnectorService add(final TestRunner runner, final String id, final String baseUrl) {
        final ActOnConnectorService service = ConnectorTestRunners.added(runner, id, new ActOnConnectorService());
        runner.setProperty(service, ActOnConnectorService.BASE_URL, baseUrl);
        runner.setProperty(service, ActOnConnectorService.USERNAME, ActOnSimulator.USERNAME);
        runner.setProperty(service, ActOnConnectorService.PASSWORD, ActOnSimulator.PASSWORD);
        runner.setProperty(service, ActOnConnectorService.CLIENT_ID, ActOnSimulator.CLIENT_ID);
        runner.setProperty(service, ActOnConnectorService.CLIENT_SECRET, ActOnSimulator.CLIENT_SECRET);
        runner.enableControllerService(service);
        return service;
    }
}
