package io.optsync.nifi.connector;

import org.apache.nifi.annotation.lifecycle.OnDisabled;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.controller.ControllerServiceInitializationContext;
import org.apache.nifi.controller.NodeTypeProvider;

import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part every connector service shares: while enabled it holds a vendor {@link Client} built from its immutable
 * configuration, and answers the SPI through it. A vendor service only declares its properties and builds its client
 * in {@code @OnEnabled}, and hands over the vendor limits it keeps (request rate, connections): on a cluster the base
 * splits them between the nodes through the service's cluster state ({@link ClusterShare}), so that the cluster as a
 * whole, not each node, stays within the vendor's limits.
 */
public abstract class AbstractConnectorService extends AbstractControllerService implements OptOutConnectorService {

    /** A vendor API as a connector uses it. */
    public interface Client {
        Watermark fetch(FetchRequest request, PageHandler pages) throws ConnectorException;

        Map<String, List<RecordRef>> lookupByEmail(String object, Collection<String> emails) throws ConnectorException;

        List<WriteOutcome> write(String object, List<FieldUpdate> updates) throws ConnectorException;

        /** The vendor URL the object is read from or written to, without credentials: provenance's transit URI. */
        String endpoint(String object, boolean write);
    }

    private volatile Client client;
    private volatile ConnectorProfile profile;
    private volatile NodeTypeProvider nodes;
    private volatile ClusterShare share;
    private volatile ScheduledExecutorService renewer;

    @Override
    protected void init(final ControllerServiceInitializationContext config) {
        nodes = config.getNodeTypeProvider();
    }

    /**
     * Called from the vendor service's {@code @OnEnabled}.
     *
     * @param limits the vendor limits the client keeps, split between the nodes of a cluster
     */
    protected final void use(final Client enabledClient, final ConnectorProfile enabledProfile, final ClusterShare.Limit... limits) {
        final NodeTypeProvider provider = nodes;
        if (provider != null && (provider.isConfiguredForClustering() || provider.isClustered())) {
            final ClusterShare clustered = ClusterShare.clustered(getStateManager(), Clock.systemUTC(), List.of(limits));
            final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "optsync cluster share of " + getIdentifier());
                t.setDaemon(true);
                return t;
            });
            final Runnable renew = () -> {
                try {
                    clustered.renew();
                } catch (final IOException | RuntimeException e) {
                    getLogger().warn("Could not renew this node's share of the vendor limits in cluster state; keeping the last one", e);
                }
            };
            final AtomicBoolean wakePending = new AtomicBoolean();
            clustered.onWake(() -> {
                if (wakePending.compareAndSet(false, true)) {
                    try {
                        thread.execute(() -> {
                            wakePending.set(false);
                            renew.run();
                        });
                    } catch (final java.util.concurrent.RejectedExecutionException disabled) {
                        wakePending.set(false); // the service is being disabled: no call goes out any more
                    }
                }
            });
            thread.scheduleWithFixedDelay(renew, ClusterShare.RENEW.toMillis(), ClusterShare.RENEW.toMillis(), TimeUnit.MILLISECONDS);
            share = clustered;
            renewer = thread;
        } else {
            share = ClusterShare.standalone(List.of(limits));
        }
        this.client = enabledClient;
        this.profile = enabledProfile;
    }

    @OnDisabled
    public final void release() {
        client = null;
        final ScheduledExecutorService thread = renewer;
        renewer = null;
        if (thread != null) {
            thread.shutdownNow();
        }
        final ClusterShare last = share;
        if (last != null) {
            try {
                last.leave();
            } catch (final IOException e) {
                getLogger().warn("Could not leave the cluster's share of the vendor limits; the lease runs out by itself", e);
            }
        }
    }

    /** How the vendor limits are split now (for tests and diagnostics). */
    public final ClusterShare clusterShare() {
        return share;
    }

    private Client client() throws ConnectorException {
        final Client current = client;
        if (current == null) {
            throw new ConnectorException("disabled", getClass().getSimpleName() + " is not enabled", true);
        }
        return current;
    }

    @Override
    public ConnectorProfile profile() {
        return profile;
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        return client().fetch(request, pages);
    }

    @Override
    public String transitUri(final String object, final boolean write) {
        final Client current = client;
        return current == null ? OptOutConnectorService.super.transitUri(object, write) : current.endpoint(object, write);
    }

    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String object, final Collection<String> emails) throws ConnectorException {
        return client().lookupByEmail(object, emails);
    }

    @Override
    public List<WriteOutcome> write(final String object, final List<FieldUpdate> updates) throws ConnectorException {
        return client().write(object, updates);
    }
}
