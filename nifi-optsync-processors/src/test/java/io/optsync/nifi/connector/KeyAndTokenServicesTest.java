package io.optsync.nifi.connector;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.optsync.nifi.connector.netsuite.NetSuiteConnectorService;
import io.optsync.nifi.connector.salesforce.SalesforceConnectorService;
import io.optsync.nifi.connector.salesforce.SalesforceTestConnectors;
import io.optsync.nifi.connector.netsuite.NetSuiteTestConnectors;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.key.service.api.PrivateKeyService;
import org.apache.nifi.oauth2.AccessToken;
import org.apache.nifi.oauth2.OAuth2AccessTokenProvider;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PrivateKey;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Salesforce and NetSuite sign with a key from NiFi's Private Key Service instead of pasted PEM text (NiFi 2.3.0's
 * StandardPrivateKeyService is not on the Maven repository here, so a test implementation of the interface stands in
 * for it); Salesforce takes its token from NiFi's OAuth2 Access Token Provider, kept on the node, never in state.
 */
class KeyAndTokenServicesTest {

    /** A Private Key Service holding one key, as NiFi's reads it from a file or an encrypted PEM. */
    static final class HeldKey extends AbstractControllerService implements PrivateKeyService {
        private final PrivateKey key;

        HeldKey(final PrivateKey key) {
            this.key = key;
        }

        @Override
        public PrivateKey getPrivateKey() {
            return key;
        }
    }

    /** An OAuth2 Access Token Provider that signs in to the Salesforce simulator by client credentials, as NiFi's would. */
    static final class SimulatorTokenProvider extends AbstractControllerService implements OAuth2AccessTokenProvider {
        private final String loginUrl;
        private final AtomicInteger handedOut = new AtomicInteger();
        private AccessToken current;

        SimulatorTokenProvider(final String loginUrl) {
            this.loginUrl = loginUrl;
        }

        @Override
        public synchronized AccessToken getAccessDetails() {
            handedOut.incrementAndGet();
            if (current == null) {
                try {
                    final HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(loginUrl + "/services/oauth2/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                                    "grant_type=client_credentials&client_id=" + SalesforceSimulator.CLIENT_ID + "&client_secret=" + SalesforceSimulator.CLIENT_SECRET))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    current = new AccessToken(new ObjectMapper().readTree(reply.body()).path("access_token").asText(), null, "Bearer", 3600, "api");
                } catch (final java.io.IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return current;
        }
    }

    private static <T extends ControllerService> String enabled(final TestRunner runner, final String id, final T service) throws Exception {
        runner.addControllerService(id, service);
        runner.enableControllerService(service);
        return id;
    }

    @Test
    void salesforceSignsTheJwtWithTheKeyOfAPrivateKeyService() throws Exception {
        try (SalesforceSimulator salesforce = new SalesforceSimulator()) {
            salesforce.seed(20, 5).start(0);
            final TestRunner runner = ConnectorTestRunners.hostRunner();
            final SalesforceConnectorService service = ConnectorTestRunners.added(runner, "sf", new SalesforceConnectorService());
            runner.setProperty(service, "Login URL", salesforce.baseUrl());
            runner.setProperty(service, "Authentication", "jwt-bearer");
            runner.setProperty(service, "Client ID", SalesforceSimulator.CLIENT_ID);
            runner.setProperty(service, "Username", SalesforceSimulator.USERNAME);
            runner.assertNotValid(service); // neither the key text nor a key service
            runner.setProperty(service, "Private Key Service", enabled(runner, "key", new HeldKey(SalesforceSimulator.JWT_KEYS.getPrivate())));
            runner.assertValid(service);
            runner.setProperty(service, "Private Key", SalesforceTestConnectors.privateKeyPem());
            runner.assertNotValid(service); // both
            runner.removeProperty(service, "Private Key");
            runner.enableControllerService(service);
            assertThat(ConnectorTestRunners.fetchAll(service, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 200))).isNotEmpty();
            assertThat(runner.getStateManager(service).getState(Scope.CLUSTER).toMap().values())
                    .noneMatch(value -> salesforce.issuedSecrets().stream().anyMatch(value::contains));
        }
    }

    @Test
    void netSuiteSignsTheClientAssertionWithTheKeyOfAPrivateKeyService() throws Exception {
        try (NetSuiteSimulator netSuite = new NetSuiteSimulator()) {
            netSuite.seed(20, 5).start(0);
            final TestRunner runner = ConnectorTestRunners.hostRunner();
            final NetSuiteConnectorService service = ConnectorTestRunners.added(runner, "ns", new NetSuiteConnectorService());
            runner.setProperty(service, "Host", netSuite.baseUrl());
            runner.setProperty(service, "Account ID", "1234567_SB1");
            runner.setProperty(service, "Client ID", NetSuiteSimulator.CLIENT_ID);
            runner.setProperty(service, "Certificate ID", NetSuiteSimulator.CERTIFICATE_ID);
            runner.assertNotValid(service);
            runner.setProperty(service, "Private Key Service", enabled(runner, "key", new HeldKey(NetSuiteSimulator.CERTIFICATE_KEYS.getPrivate())));
            runner.enableControllerService(service);
            assertThat(ConnectorTestRunners.fetchAll(service, new FetchRequest("contact", FetchMode.FULL, Watermark.START, 100))).isNotEmpty();
            assertThat(runner.getStateManager(service).getState(Scope.CLUSTER).get("token.access")).startsWith("sealed1:");
            assertThat(NetSuiteTestConnectors.privateKeyPem()).as("the same key the text would have held").isNotBlank();
        }
    }

    @Test
    void salesforceTakesItsTokenFromAnOAuth2AccessTokenProviderAndKeepsItOffClusterState() throws Exception {
        try (SalesforceSimulator salesforce = new SalesforceSimulator()) {
            salesforce.seed(20, 5).start(0);
            final TestRunner runner = ConnectorTestRunners.hostRunner();
            final SimulatorTokenProvider provider = new SimulatorTokenProvider(salesforce.baseUrl());
            final SalesforceConnectorService service = ConnectorTestRunners.added(runner, "sf", new SalesforceConnectorService());
            runner.setProperty(service, "Login URL", salesforce.baseUrl());
            runner.setProperty(service, "Authentication", "access-token-provider");
            runner.assertNotValid(service);
            runner.setProperty(service, "OAuth2 Access Token Provider", enabled(runner, "oauth2", provider));
            runner.assertValid(service);
            runner.enableControllerService(service);
            assertThat(ConnectorTestRunners.fetchAll(service, new FetchRequest("Contact", FetchMode.FULL, Watermark.START, 200))).isNotEmpty();
            assertThat(provider.handedOut).hasPositiveValue();
            assertThat(salesforce.issuedSecrets()).as("one token, issued to the provider").hasSize(1);
            assertThat(runner.getStateManager(service).getState(Scope.CLUSTER).toMap()).doesNotContainKey("token.access");
        }
    }
}
