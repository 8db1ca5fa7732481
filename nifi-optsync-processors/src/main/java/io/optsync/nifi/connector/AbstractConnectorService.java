package io.optsync.nifi.connector;

import org.apache.nifi.annotation.lifecycle.OnDisabled;
import org.apache.nifi.annotation.lifecycle.OnEnabled;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.controller.VerifiableControllerService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.controller.ControllerServiceInitializationContext;
import org.apache.nifi.controller.NodeTypeProvider;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
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
 * ({@link #connect}), and hands over the vendor limits it keeps (request rate, connections): on a cluster the base
 * splits them between the nodes through the service's cluster state ({@link ClusterShare}), so that the cluster as a
 * whole, not each node, stays within the vendor's limits.
 */
public abstract class AbstractConnectorService extends AbstractControllerService implements OptOutConnectorService, VerifiableControllerService {

    /** A vendor API as a connector uses it. */
    public interface Client {
        Watermark fetch(FetchRequest request, PageHandler pages) throws ConnectorException;

        Map<String, List<RecordRef>> lookupByEmail(String object, Collection<String> emails) throws ConnectorException;

        List<WriteOutcome> write(String object, List<FieldUpdate> updates) throws ConnectorException;

        /** The vendor URL the object is read from or written to, without credentials: provenance's transit URI. */
        String endpoint(String object, boolean write);

        /**
         * How much of the vendor's allowance is used, as the vendor last reported it, against the ceiling the connector
         * keeps to (for Verify), or {@code null} when the vendor reports none.
         */
        default String usage() {
            return null;
        }
    }

    /**
     * What a configuration connects to: the vendor client, what the processors need to know of the vendor, and the
     * vendor limits the client keeps (split between the nodes of a cluster once enabled).
     */
    public record Connection(Client client, ConnectorProfile profile, ClusterShare.Limit... limits) {
    }

    /**
     * Builds the client of a configuration, without calling the vendor: when the service is enabled, and for Verify
     * (with the configuration being edited).
     */
    protected abstract Connection connect(ConfigurationContext context);

    private volatile Client client;
    private volatile ConnectorProfile profile;
    private volatile NodeTypeProvider nodes;
    private volatile ClusterShare share;
    private volatile ScheduledExecutorService renewer;

    @Override
    protected void init(final ControllerServiceInitializationContext config) {
        nodes = config.getNodeTypeProvider();
    }

    /** The proxy settings' checks; a vendor service adds its own to these. */
    @Override
    protected Collection<ValidationResult> customValidate(final ValidationContext context) {
        return ConnectorProperties.validateConnectivity(context);
    }

    /**
     * The vendor token this service shares with the other nodes through its cluster state, sealed there with a key
     * derived from the service's sensitive property values ({@link StateCipher}): View State shows no live token.
     */
    protected final SharedToken sharedToken(final ConfigurationContext context) {
        return sharedToken(context, null);
    }

    /**
     * The shared token, sealed also with {@code serviceKey}: a key from a Private Key Service, which the sensitive
     * properties of this service do not hold.
     */
    protected final SharedToken sharedToken(final ConfigurationContext context, final java.security.PrivateKey serviceKey) {
        final List<String> secrets = new ArrayList<>(context.getProperties().entrySet().stream()
                .filter(e -> e.getKey().isSensitive() && e.getValue() != null)
                .sorted(java.util.Comparator.comparing(e -> e.getKey().getName()))
                .map(e -> context.getProperty(e.getKey()).getValue()).toList());
        if (serviceKey != null && serviceKey.getEncoded() != null) {
            secrets.add(java.util.Base64.getEncoder().encodeToString(serviceKey.getEncoded()));
        }
        return new SharedToken(getStateManager(), Clock.systemUTC(), StateCipher.of(getIdentifier(), secrets));
    }

    @OnEnabled
    public final void enable(final ConfigurationContext context) {
        final Connection connection = connect(context);
        use(connection.client(), connection.profile(), connection.limits());
    }

    /**
     * Verify, before the service is enabled, with the configuration being edited: signs in and reads one record of each
     * object the service reads, as a fetch would (so a Scope that does not compile, an object the user may not read or a
     * list that does not exist shows here), then reports the vendor's API usage where it reports one. It writes nothing.
     * A sign-in goes through the service's shared token in cluster state, as the enabled service's would: a token the
     * cluster holds is used without a new grant (Act-On allows 5 password grants an hour), and a token Verify had to
     * obtain is kept there for the service, so Verify spends no grant the service would not have spent, and never uses a
     * single-use refresh token twice.
     */
    @Override
    public List<ConfigVerificationResult> verify(final ConfigurationContext context, final ComponentLog verificationLogger,
                                                 final Map<String, String> variables) {
        final List<String> secrets = context.getProperties().entrySet().stream().filter(e -> e.getKey().isSensitive() && e.getValue() != null)
                .map(Map.Entry::getValue).toList();
        final List<ConfigVerificationResult> results = new ArrayList<>();
        try {
            final Connection connection = connect(context);
            results.addAll(ConnectorVerification.readOneOfEach(connection.client(), connection.profile()));
            final String usage = connection.client().usage();
            if (usage != null) {
                results.add(ConnectorVerification.successful("API usage", usage));
            }
        } catch (final RuntimeException e) {
            results.add(ConnectorVerification.failed("Configure the connection", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        final List<ConfigVerificationResult> shown = ConnectorVerification.redacted(results, secrets);
        shown.forEach(result -> verificationLogger.info("{}: {} ({})", result.getVerificationStepName(), result.getOutcome(), result.getExplanation()));
        return shown;
    }

    /**
     * Starts using a client built by {@link #connect}.
     *
     * @param limits the vendor limits the client keeps, split between the nodes of a cluster
     */
    private void use(final Client enabledClient, final ConnectorProfile enabledProfile, final ClusterShare.Limit... limits) {
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
