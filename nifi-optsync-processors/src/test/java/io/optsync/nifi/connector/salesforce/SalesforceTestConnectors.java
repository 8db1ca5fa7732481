package io.optsync.nifi.connector.salesforce;

import io.optsync.simulators.SalesforceSimulator;
import io.optsync.nifi.connector.ConnectorTestRunners;
import org.apache.nifi.util.TestRunner;

import java.util.Base64;
import java.util.Map;

/** Adds a SalesforceConnectorService signed in to a Salesforce simulator to a test runner, by any of the three flows. */
public final class SalesforceTestConnectors {
    private SalesforceTestConnectors() {
    }

    /** The simulator's connected-app key as the PKCS#8 PEM a user pastes into Private Key. */
    public static String privateKeyPem() {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(SalesforceSimulator.JWT_KEYS.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    public static SalesforceConnectorService add(final TestRunner runner, final String id, final String loginUrl) {
        return add(runner, id, loginUrl, SalesforceAuth.CLIENT_CREDENTIALS, Map.of());
    }

    public static SalesforceConnectorService add(final TestRunner runner, final String id, final String loginUrl, final String flow,
                                                 final Map<String, String> extra) {
        final SalesforceConnectorService service = ConnectorTestRunners.added(runner, id, new SalesforceConnectorService());
        runner.setProperty(service, SalesforceConnectorService.LOGIN_URL, loginUrl);
        runner.setProperty(service, SalesforceConnectorService.AUTHENTICATION, flow);
        runner.setProperty(service, SalesforceConnectorService.CLIENT_ID, SalesforceSimulator.CLIENT_ID);
        switch (flow) {
            case SalesforceAuth.CLIENT_CREDENTIALS -> runner.setProperty(service, SalesforceConnectorService.CLIENT_SECRET, SalesforceSimulator.CLIENT_SECRET);
            case SalesforceAuth.JWT_BEARER -> {
                runner.setProperty(service, SalesforceConnectorService.USERNAME, SalesforceSimulator.USERNAME);
                runner.setProperty(service, SalesforceConnectorService.PRIVATE_KEY, privateKeyPem());
            }
            default -> runner.setProperty(service, SalesforceConnectorService.REFRESH_TOKEN, SalesforceSimulator.REFRESH_TOKEN);
        }
        extra.forEach((name, value) -> runner.setProperty(service, name, value));
        runner.enableControllerService(service);
        return service;
    }
}
