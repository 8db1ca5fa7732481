package io.optsync.nifi.connector;

import org.apache.nifi.annotation.lifecycle.OnEnabled;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockConfigurationContext;
import org.apache.nifi.util.MockControllerServiceInitializationContext;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * Connector services as the nodes of one cluster would hold them: each its own instance, all on one cluster state.
 * TestRunner gives every service its own state, so these are initialized and enabled by hand, the way the framework does.
 */
public final class ClusterNodes {
    private ClusterNodes() {
    }

    /** Initializes {@code service} as a clustered node's instance on {@code clusterState} and enables it with {@code properties}. */
    public static <S extends AbstractConnectorService> S enable(final S service, final String node, final StateManager clusterState,
                                                                final Map<PropertyDescriptor, String> properties) throws Exception {
        final MockControllerServiceInitializationContext init = new MockControllerServiceInitializationContext(service, "connector",
                new MockComponentLog("connector@" + node, service), clusterState);
        init.setClustered(true);
        service.initialize(init);
        final Map<PropertyDescriptor, String> withPlainHttp = new java.util.HashMap<>(properties);
        withPlainHttp.putIfAbsent(ConnectorProperties.ALLOW_PLAIN_HTTP, "true"); // the simulators serve http
        final ConfigurationContext context = new MockConfigurationContext(service, withPlainHttp, init, Map.of());
        for (final Method method : service.getClass().getMethods()) {
            if (method.isAnnotationPresent(OnEnabled.class)) {
                if (method.getParameterCount() == 1) {
                    method.invoke(service, context);
                } else {
                    method.invoke(service);
                }
            }
        }
        return service;
    }

    /**
     * Has every node want to call, as a node under load does, and waits until each has taken its part of the vendor
     * limits (one renewal period after the last joined).
     */
    public static void awaitSettled(final AbstractConnectorService... nodes) throws InterruptedException {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        for (final AbstractConnectorService node : nodes) {
            while (!node.clusterShare().settled() || node.clusterShare().members() != nodes.length) {
                for (final AbstractConnectorService each : nodes) {
                    each.clusterShare().demand();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the nodes did not settle their shares");
                }
                Thread.sleep(100);
            }
        }
    }
}
