package io.optsync.nifi.connector.mailchimp;

import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.simulators.MailchimpSimulator;
import org.apache.nifi.util.TestRunner;

/** Adds a MailchimpConnectorService with the simulator's API key and list to a test runner. */
public final class MailchimpTestConnectors {
    private MailchimpTestConnectors() {
    }

    public static MailchimpConnectorService add(final TestRunner runner, final String id, final String baseUrl) {
        final MailchimpConnectorService service = ConnectorTestRunners.added(runner, id, new MailchimpConnectorService());
        runner.setProperty(service, MailchimpConnectorService.API_KEY, MailchimpSimulator.API_KEY);
        runner.setProperty(service, MailchimpConnectorService.BASE_URL, baseUrl);
        runner.setProperty(service, MailchimpConnectorService.LIST_ID, MailchimpSimulator.LIST_ID);
        runner.enableControllerService(service);
        return service;
    }
}
