package io.optsync.nifi.connector;

import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

/** What the connector tests share: a runner that only hosts controller services, and adding a service to a runner. */
public final class ConnectorTestRunners {
    private ConnectorTestRunners() {
    }

    /** A processor that does nothing: its runner hosts the connector under test. */
    public static class NoOp extends AbstractProcessor {
        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) {
        }
    }

    /** A runner with no processor work, to host connectors. */
    public static TestRunner hostRunner() {
        return TestRunners.newTestRunner(NoOp.class);
    }

    /** Sets properties of an enabled service: disables it, sets them (by name), enables it again. */
    public static <T extends ControllerService> T reconfigured(final TestRunner runner, final T service, final java.util.Map<String, String> properties) {
        runner.disableControllerService(service);
        properties.forEach((name, value) -> runner.setProperty(service, name, value));
        runner.enableControllerService(service);
        return service;
    }

    /** Every record {@code request} reads, all pages together. */
    public static java.util.List<SourceRecord> fetchAll(final OptOutConnectorService connector, final FetchRequest request) throws ConnectorException {
        final java.util.List<SourceRecord> records = new java.util.ArrayList<>();
        connector.fetch(request, records::addAll);
        return records;
    }

    /** Direct calls that may use plain HTTP, as the simulators serve it. */
    public static final Connectivity PLAIN_HTTP = new Connectivity(null, null, org.apache.nifi.proxy.ProxyConfiguration.DIRECT_CONFIGURATION, true);

    /** A transport to a simulator. */
    public static HttpTransport plainHttp(final HttpTransport.Settings settings) {
        return new HttpTransport(settings, PLAIN_HTTP);
    }

    /** Adds {@code service} under {@code id}, not yet enabled, with Allow Plain HTTP set: the simulators serve http. */
    public static <T extends ControllerService> T added(final TestRunner runner, final String id, final T service) {
        try {
            runner.addControllerService(id, service);
        } catch (final InitializationException e) {
            throw new IllegalStateException(e);
        }
        runner.setProperty(service, ConnectorProperties.ALLOW_PLAIN_HTTP, "true");
        return service;
    }
}
