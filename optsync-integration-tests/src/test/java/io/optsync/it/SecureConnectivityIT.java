package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.optsync.simulators.ConnectProxy;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.TestCertificates;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.optsync.it.FlowBuilder.parameter;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a real NiFi 2.3.0, a connector reaches a vendor that serves HTTPS with a certificate of a private CA through NiFi's
 * own StandardRestrictedSSLContextService (that CA in its trust store), through an authenticating HTTP proxy configured
 * in NiFi's own StandardProxyConfigurationService; without the SSL Context Service it does not trust the vendor, and an
 * {@code http://} URL makes it invalid until Allow Plain HTTP is set.
 */
class SecureConnectivityIT {
    private static final String SUGAR = "io.optsync.nifi.connector.sugarcrm.SugarCrmConnectorService";
    private static final String TRUST_PASSWORD = "trust-store-secret";
    private static final String PROXY_USER = "optsync";
    private static final String PROXY_PASSWORD = "proxy-secret";

    @Test
    void aConnectorReachesAnHttpsVendorBehindAPrivateCaThroughAnAuthenticatingProxy() throws Exception {
        final TestCertificates certificates = new TestCertificates();
        final Path trustStore = certificates.writeTrustStore(Files.createTempDirectory("optsync-tls").resolve("private-ca.p12"), TRUST_PASSWORD);
        try (SugarV10Simulator sugar = new SugarV10Simulator(new SugarStore().seed(50, 7));
             SugarV10Simulator plainSugar = new SugarV10Simulator(new SugarStore().seed(5, 7));
             ConnectProxy proxy = new ConnectProxy(PROXY_USER, PROXY_PASSWORD);
             NiFiInstance nifi = NiFiInstance.create("secure-connectivity")) {
            sugar.startHttps(0, certificates.serverContext());
            plainSugar.start(0);
            final NiFiRest rest = nifi.start(Duration.ofMinutes(3));
            final String root = rest.get("/flow/process-groups/root").path("processGroupFlow").path("id").asText();
            final String context = FlowBuilder.parameterContext(rest, "secure connectivity", "Secrets of the connectivity test", List.of(
                    parameter("SugarCRM Password", SugarV10Simulator.PASSWORD, true, "the SugarCRM user's password"),
                    parameter("Truststore Password", TRUST_PASSWORD, true, "the trust store's password"),
                    parameter("Proxy Password", PROXY_PASSWORD, true, "the proxy user's password")));
            final FlowBuilder flow = FlowBuilder.group(rest, root, "secure connectivity", context);
            final String ssl = flow.service("org.apache.nifi.ssl.StandardRestrictedSSLContextService", "Private CA", Map.of(
                    "Truststore Filename", trustStore.toString(), "Truststore Password", "#{Truststore Password}", "Truststore Type", "PKCS12"));
            final String proxyService = flow.service("org.apache.nifi.proxy.StandardProxyConfigurationService", "Company proxy", Map.of(
                    "proxy-type", "HTTP", "proxy-server-host", "127.0.0.1", "proxy-server-port", String.valueOf(proxy.port()),
                    "proxy-user-name", PROXY_USER, "proxy-user-password", "#{Proxy Password}"));
            enable(rest, ssl);
            enable(rest, proxyService);

            final Map<String, String> properties = new LinkedHashMap<>(Map.of("Site URL", sugar.baseUrl(), "API Version", "v10",
                    "Username", SugarV10Simulator.USERNAME, "Password", "#{SugarCRM Password}", "SSL Context Service", ssl,
                    "proxy-configuration-service", proxyService));
            final String connector = flow.service(SUGAR, "SugarCRM", properties);
            assertThat(validationErrors(rest, connector)).isEmpty();
            final List<JsonNode> verified = verify(rest, connector, Map.of());
            assertThat(verified).as("Verify signs in and reads one record of each module, over TLS, through the proxy").isNotEmpty()
                    .allMatch(step -> step.path("outcome").asText().equals("SUCCESSFUL"), "SUCCESSFUL");
            assertThat(proxy.tunnels()).as("the calls went through the proxy, to the vendor").isNotEmpty()
                    .allMatch(tunnel -> tunnel.equals("127.0.0.1:" + sugar.port()));
            final long callsThroughProxy = sugar.stats().totalCalls();
            assertThat(callsThroughProxy).isPositive();
            enable(rest, connector);

            final String untrusting = flow.service(SUGAR, "SugarCRM without the SSL Context Service", Map.of("Site URL", sugar.baseUrl(),
                    "API Version", "v10", "Username", SugarV10Simulator.USERNAME, "Password", "#{SugarCRM Password}"));
            final List<JsonNode> refused = verify(rest, untrusting, Map.of());
            assertThat(refused).as("the JVM's trust store does not hold the private CA").anyMatch(step -> step.path("outcome").asText().equals("FAILED")
                    && step.path("explanation").asText().contains("PKIX"));
            assertThat(sugar.stats().totalCalls()).as("no request reached the vendor over an untrusted connection").isEqualTo(callsThroughProxy);

            final String plain = flow.service(SUGAR, "SugarCRM over http", Map.of("Site URL", plainSugar.baseUrl(), "API Version", "v10",
                    "Username", SugarV10Simulator.USERNAME, "Password", "#{SugarCRM Password}"));
            assertThat(validationErrors(rest, plain)).as("http:// without Allow Plain HTTP").anyMatch(error -> error.contains("Allow Plain HTTP"))
                    .noneMatch(error -> error.contains(String.valueOf(plainSugar.port())));
            setProperties(rest, plain, Map.of("Allow Plain HTTP", "true"));
            assertThat(validationErrors(rest, plain)).isEmpty();
            assertThat(verify(rest, plain, Map.of())).allMatch(step -> step.path("outcome").asText().equals("SUCCESSFUL"), "SUCCESSFUL");
            assertThat(nifi.appLog()).doesNotContain(PROXY_PASSWORD, TRUST_PASSWORD, SugarV10Simulator.PASSWORD);
            System.out.printf("FIGURE secure connectivity: %d SugarCRM calls over TLS (private CA via StandardRestrictedSSLContextService) through "
                    + "%d CONNECT tunnels of an authenticating proxy (%d refused CONNECTs); without the SSL Context Service: %s; http:// refused "
                    + "until Allow Plain HTTP%n", callsThroughProxy, proxy.tunnels().size(), proxy.refused(),
                    refused.stream().filter(step -> step.path("outcome").asText().equals("FAILED")).findFirst().map(step -> "FAILED (PKIX)").orElse("?"));
        }
    }

    private static void enable(final NiFiRest rest, final String service) throws Exception {
        rest.put("/controller-services/" + service + "/run-status", Map.of("revision", rest.get("/controller-services/" + service).path("revision"),
                "state", "ENABLED"));
        TemplateRunner.waitFor(Duration.ofMinutes(1), "service " + service + " to enable",
                () -> rest.get("/controller-services/" + service).path("component").path("state").asText().equals("ENABLED"));
    }

    private static void setProperties(final NiFiRest rest, final String service, final Map<String, String> properties) throws Exception {
        rest.put("/controller-services/" + service, Map.of("revision", rest.get("/controller-services/" + service).path("revision"),
                "component", Map.of("id", service, "properties", properties)));
    }

    private static List<String> validationErrors(final NiFiRest rest, final String service) throws Exception {
        TemplateRunner.waitFor(Duration.ofSeconds(30), "validation of " + service,
                () -> !rest.get("/controller-services/" + service).path("component").path("validationStatus").asText().equals("VALIDATING"));
        final List<String> errors = new ArrayList<>();
        rest.get("/controller-services/" + service).path("component").path("validationErrors").forEach(error -> errors.add(error.asText()));
        return errors;
    }

    /** NiFi's Verify of a disabled service, with {@code properties} as edited, as the UI's Verify button runs it. */
    private static List<JsonNode> verify(final NiFiRest rest, final String service, final Map<String, String> properties) throws Exception {
        final Map<String, Object> request = new LinkedHashMap<>();
        request.put("componentId", service);
        request.put("properties", properties); // the ones being edited; NiFi takes the rest (sensitive ones included) from the service
        request.put("attributes", Map.of());
        final JsonNode started = rest.post("/controller-services/" + service + "/config/verification-requests", Map.of("request", request)).path("request");
        final String path = "/controller-services/" + service + "/config/verification-requests/" + started.path("requestId").asText();
        TemplateRunner.waitFor(Duration.ofMinutes(2), "Verify of " + service, () -> rest.get(path).path("request").path("complete").asBoolean());
        final List<JsonNode> results = new ArrayList<>();
        rest.get(path).path("request").path("results").forEach(results::add);
        return results;
    }
}
