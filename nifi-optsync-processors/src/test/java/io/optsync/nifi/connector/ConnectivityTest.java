package io.optsync.nifi.connector;

import com.sun.net.httpserver.HttpServer;
import io.optsync.nifi.connector.sugarcrm.SugarCrmConnectorService;
import io.optsync.simulators.ConnectProxy;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.TestCertificates;
import okhttp3.Request;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.proxy.ProxyConfiguration;
import org.apache.nifi.proxy.ProxyConfigurationService;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connector reaches a vendor behind a private CA through an SSL Context Service, through an authenticating HTTP
 * proxy through a Proxy Configuration Service, and never leaves the host it calls or https.
 */
class ConnectivityTest {
    private static final String PROXY_USER = "optsync";
    private static final String PROXY_PASSWORD = "proxy-secret";

    private final TestCertificates certificates = new TestCertificates();
    private SugarV10Simulator sugar;
    private HttpServer redirecting;

    @AfterEach
    void stop() {
        if (sugar != null) {
            sugar.close();
        }
        if (redirecting != null) {
            redirecting.stop(0);
        }
    }


    /** A Proxy Configuration Service for an HTTP proxy on 127.0.0.1. */
    static final class ProxyService extends AbstractControllerService implements ProxyConfigurationService {
        private final int port;
        private final String password;

        ProxyService(final int port, final String password) {
            this.port = port;
            this.password = password;
        }

        @Override
        public ProxyConfiguration getConfiguration() {
            final ProxyConfiguration configuration = new ProxyConfiguration();
            configuration.setProxyType(Proxy.Type.HTTP);
            configuration.setProxyServerHost("127.0.0.1");
            configuration.setProxyServerPort(port);
            configuration.setProxyUserName(PROXY_USER);
            configuration.setProxyUserPassword(password);
            return configuration;
        }
    }

    private String httpsSugar() throws Exception {
        sugar = new SugarV10Simulator(new SugarStore());
        sugar.startHttps(0, certificates.serverContext());
        return sugar.baseUrl();
    }

    /** A SugarCRM connector on {@code siteUrl}, https only, with the given services set (null: not set). */
    private static SugarCrmConnectorService sugarConnector(final TestRunner runner, final String siteUrl, final AbstractControllerService ssl,
                                                          final AbstractControllerService proxy) throws Exception {
        final SugarCrmConnectorService service = ConnectorTestRunners.added(runner, "sugar", new SugarCrmConnectorService());
        runner.setProperty(service, ConnectorProperties.ALLOW_PLAIN_HTTP, "false");
        runner.setProperty(service, "Site URL", siteUrl);
        runner.setProperty(service, "API Version", "v10");
        runner.setProperty(service, "Username", SugarV10Simulator.USERNAME);
        runner.setProperty(service, "Password", SugarV10Simulator.PASSWORD);
        runner.setProperty(service, ConnectorProperties.TIMEOUT, "5 sec");
        if (ssl != null) {
            runner.addControllerService("ssl", ssl);
            runner.enableControllerService(ssl);
            runner.setProperty(service, ConnectorProperties.SSL_CONTEXT_SERVICE, "ssl");
        }
        if (proxy != null) {
            runner.addControllerService("proxy", proxy);
            runner.enableControllerService(proxy);
            runner.setProperty(service, ConnectorProperties.PROXY_CONFIGURATION_SERVICE, "proxy");
        }
        runner.assertValid(service);
        runner.enableControllerService(service);
        return service;
    }

    @Test
    void aVendorBehindAPrivateCaIsReachedThroughTheSslContextServiceOnly() throws Exception {
        final String site = httpsSugar();
        final SugarCrmConnectorService trusting = sugarConnector(ConnectorTestRunners.hostRunner(), site, new TrustingSslContextService(certificates), null);
        assertThat(trusting.lookupByEmail("Contacts", List.of("nobody@example.com"))).isEmpty();
        assertThat(sugar.stats().totalCalls()).isPositive();

        final SugarCrmConnectorService jvmTrust = sugarConnector(ConnectorTestRunners.hostRunner(), site, null, null);
        assertThatThrownBy(() -> jvmTrust.lookupByEmail("Contacts", List.of("nobody@example.com")))
                .isInstanceOf(ConnectorException.class).hasMessageContaining("PKIX");
    }

    @Test
    void callsGoThroughTheProxyWithItsCredentials() throws Exception {
        final String site = httpsSugar();
        try (ConnectProxy proxy = new ConnectProxy(PROXY_USER, PROXY_PASSWORD)) {
            final SugarCrmConnectorService service = sugarConnector(ConnectorTestRunners.hostRunner(), site, new TrustingSslContextService(certificates),
                    new ProxyService(proxy.port(), PROXY_PASSWORD));
            assertThat(service.lookupByEmail("Contacts", List.of("nobody@example.com"))).isEmpty();
            assertThat(proxy.tunnels()).as("every connection went through the proxy").isNotEmpty().allMatch(t -> t.equals("127.0.0.1:" + sugar.port()));
            assertThat(proxy.refused()).as("the credentials went with the first CONNECT (the proxy opens no tunnel without them)").isZero();
        }
    }

    @Test
    void aProxyThatRefusesTheCredentialsFailsTheCallWithoutAskingAgainAndAgain() throws Exception {
        final String site = httpsSugar();
        try (ConnectProxy proxy = new ConnectProxy(PROXY_USER, PROXY_PASSWORD)) {
            final SugarCrmConnectorService service = sugarConnector(ConnectorTestRunners.hostRunner(), site, new TrustingSslContextService(certificates),
                    new ProxyService(proxy.port(), "wrong"));
            assertThatThrownBy(() -> service.lookupByEmail("Contacts", List.of("nobody@example.com"))).isInstanceOf(ConnectorException.class)
                    .hasMessageNotContaining("wrong").hasMessageNotContaining(PROXY_PASSWORD);
            assertThat(proxy.tunnels()).isEmpty();
            assertThat(proxy.refused()).as("one refusal per attempt, not a loop").isBetween(1, 4);
            assertThat(sugar.stats().totalCalls()).isZero();
        }
    }

    private String redirectingServer(final String location, final AtomicInteger hits) throws Exception {
        redirecting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        redirecting.createContext("/", exchange -> {
            hits.incrementAndGet();
            if (exchange.getRequestURI().getPath().equals("/moved")) {
                exchange.getResponseHeaders().add("Location", location.replace("PORT", String.valueOf(redirecting.getAddress().getPort())));
                exchange.sendResponseHeaders(302, -1);
            } else {
                final byte[] body = "{}".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        redirecting.start();
        return "http://127.0.0.1:" + redirecting.getAddress().getPort();
    }

    private static HttpTransport plainHttpTransport() {
        return ConnectorTestRunners.plainHttp(new HttpTransport.Settings(100, 4, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5)));
    }

    @Test
    void aRedirectToAnotherHostIsRefusedOnceAndNotRetried() throws Exception {
        final AtomicInteger hits = new AtomicInteger();
        final String base = redirectingServer("http://localhost:PORT/elsewhere", hits); // the same server, under another host name
        assertThatThrownBy(() -> plainHttpTransport().send(new Request.Builder().url(base + "/moved?api_key=k").header("Authorization", "Bearer t").build(),
                HttpTransport.Classifier.STATUS)).isInstanceOfSatisfying(ConnectorException.class, e -> {
                    assertThat(e.code()).isEqualTo("destination");
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.getMessage()).contains("http://localhost:").doesNotContain("api_key", "elsewhere");
                });
        assertThat(hits).as("the redirect was asked for once, and never followed").hasValue(1);
    }

    @Test
    void aRedirectOnTheSameHostIsFollowed() throws Exception {
        final AtomicInteger hits = new AtomicInteger();
        final String base = redirectingServer("http://127.0.0.1:PORT/here", hits);
        final HttpReply reply = plainHttpTransport().send(new Request.Builder().url(base + "/moved").build(), HttpTransport.Classifier.STATUS);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(hits).hasValue(2);
    }

    @Test
    void plainHttpIsNotCalledUnlessAllowed() throws Exception {
        final AtomicInteger hits = new AtomicInteger();
        final String base = redirectingServer("unused", hits);
        final HttpTransport httpsOnly = new HttpTransport(new HttpTransport.Settings(100, 4, Duration.ofMillis(10), Duration.ofMillis(50),
                Duration.ofSeconds(5)), Connectivity.DEFAULT);
        assertThatThrownBy(() -> httpsOnly.send(new Request.Builder().url(base + "/here").build(), HttpTransport.Classifier.STATUS))
                .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.code()).isEqualTo("destination"))
                .hasMessageContaining("Allow Plain HTTP");
        assertThat(hits).hasValue(0);
    }
}
