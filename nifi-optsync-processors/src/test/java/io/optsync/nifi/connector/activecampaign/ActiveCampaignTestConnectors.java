package io.optsync.nifi.connector.activecampaign;

import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.apache.nifi.util.TestRunner;

/** Adds an ActiveCampaignConnectorService with the simulator's API token to a test runner. */
public final class ActiveCampaignTestConnectors {
    private ActiveCampaignTestConnectors() {
    }

    public static ActiveCampaignConnectorService add(final TestRunner runner, final String id, final String baseUrl, final String lists) {
        final ActiveCampaignConnectorService service = ConnectorTestRunners.added(runner, id, new ActiveCampaignConnectorService());
        runner.setProperty(service, ActiveCampaignConnectorService.BASE_URL, baseUrl);
        runner.setProperty(service, ActiveCampaignConnectorService.API_TOKEN, ActiveCampaignSimulator.API_TOKEN);
        if (lists != null) {
            runner.setProperty(service, ActiveCampaignConnectorService.LISTS, lists);
        }
        runner.enableControllerService(service);
        return service;
    }
}
