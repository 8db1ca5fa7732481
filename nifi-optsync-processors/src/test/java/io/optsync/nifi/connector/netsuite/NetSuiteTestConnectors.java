package io.optsync.nifi.connector.netsuite;

import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.simulators.NetSuiteSimulator;
import org.apache.nifi.util.TestRunner;

import java.util.Base64;

/** Adds a NetSuiteConnectorService signed in to a NetSuite simulator (client credentials, PS256) to a test runner. */
public final class NetSuiteTestConnectors {
    private NetSuiteTestConnectors() {
    }

    public static String privateKeyPem() {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(NetSuiteSimulator.CERTIFICATE_KEYS.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    public static NetSuiteConnectorService add(final TestRunner runner, final String id, final String host) {
        final NetSuiteConnectorService service = ConnectorTestRunners.added(runner, id, new NetSuiteConnectorService());
        runner.setProperty(service, NetSuiteConnectorService.HOST, host);
        runner.setProperty(service, NetSuiteConnectorService.ACCOUNT_ID, "1234567_SB1");
        runner.setProperty(service, NetSuiteConnectorService.CLIENT_ID, NetSuiteSimulator.CLIENT_ID);
        runner.setProperty(service, NetSuiteConnectorService.CERTIFICATE_ID, NetSuiteSimulator.CERTIFICATE_ID);
        runner.setProperty(service, NetSuiteConnectorService.PRIVATE_KEY, privateKeyPem());
        runner.enableControllerService(service);
        return service;
    }

    /** A service signing in with token-based authentication (OAuth 1.0a) and the given token secret. */
    public static NetSuiteConnectorService addTokenBased(final TestRunner runner, final String id, final String host, final String tokenSecret) {
        return addTokenBased(runner, id, host, tokenSecret, java.util.Map.of());
    }

    /** The same, with further properties (an SSL Context Service, say) set before it is enabled. */
    public static NetSuiteConnectorService addTokenBased(final TestRunner runner, final String id, final String host, final String tokenSecret,
                                                         final java.util.Map<String, String> extra) {
        final NetSuiteConnectorService service = ConnectorTestRunners.added(runner, id, new NetSuiteConnectorService());
        extra.forEach((name, value) -> runner.setProperty(service, name, value));
        runner.setProperty(service, NetSuiteConnectorService.HOST, host);
        runner.setProperty(service, NetSuiteConnectorService.ACCOUNT_ID, NetSuiteSimulator.ACCOUNT_ID);
        runner.setProperty(service, NetSuiteConnectorService.AUTHENTICATION, NetSuiteConnectorService.TOKEN_BASED.getValue());
        runner.setProperty(service, NetSuiteConnectorService.CONSUMER_KEY, NetSuiteSimulator.CONSUMER_KEY);
        runner.setProperty(service, NetSuiteConnectorService.CONSUMER_SECRET, NetSuiteSimulator.CONSUMER_SECRET);
        runner.setProperty(service, NetSuiteConnectorService.TOKEN_ID, NetSuiteSimulator.TOKEN_ID);
        runner.setProperty(service, NetSuiteConnectorService.TOKEN_SECRET, tokenSecret);
        runner.enableControllerService(service);
        return service;
    }
}
