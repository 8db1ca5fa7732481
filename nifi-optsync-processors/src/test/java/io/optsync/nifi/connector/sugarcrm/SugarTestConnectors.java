package io.optsync.nifi.connector.sugarcrm;

import io.optsync.simulators.SugarV10Simulator;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.apache.nifi.util.TestRunner;

/** Adds a SugarCrmConnectorService signed in to a SugarCRM simulator to a test runner. */
public final class SugarTestConnectors {
    private SugarTestConnectors() {
    }

    public static SugarCrmConnectorService add(final TestRunner runner, final String id, final String siteUrl, final String version) {
        final SugarCrmConnectorService service = ConnectorTestRunners.added(runner, id, new SugarCrmConnectorService());
        runner.setProperty(service, SugarCrmConnectorService.SITE_URL, siteUrl);
        runner.setProperty(service, SugarCrmConnectorService.API_VERSION, version);
        runner.setProperty(service, SugarCrmConnectorService.USERNAME, SugarV10Simulator.USERNAME);
        runner.setProperty(service, SugarCrmConnectorService.PASSWORD, SugarV10Simulator.PASSWORD);
        runner.enableControllerService(service);
        return service;
    }
}
