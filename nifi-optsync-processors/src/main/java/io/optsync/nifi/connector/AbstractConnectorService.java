package io.optsync.nifi.connector;

import org.apache.nifi.annotation.lifecycle.OnDisabled;
import org.apache.nifi.controller.AbstractControllerService;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The part every connector service shares: while enabled it holds a vendor {@link Client} built from its immutable
 * configuration, and answers the SPI through it. A vendor service only declares its properties and builds its client
 * in {@code @OnEnabled}.
 */
public abstract class AbstractConnectorService extends AbstractControllerService implements OptOutConnectorService {

    /** A vendor API as a connector uses it. */
    public interface Client {
        Watermark fetch(FetchRequest request, PageHandler pages) throws ConnectorException;

        Map<String, List<RecordRef>> lookupByEmail(String object, Collection<String> emails) throws ConnectorException;

        List<WriteOutcome> write(String object, List<FieldUpdate> updates) throws ConnectorException;
    }

    private volatile Client client;
    private volatile ConnectorProfile profile;

    /** Called from the vendor service's {@code @OnEnabled}. */
    protected final void use(final Client enabledClient, final ConnectorProfile enabledProfile) {
        this.client = enabledClient;
        this.profile = enabledProfile;
    }

    @OnDisabled
    public final void release() {
        client = null;
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
    public Map<String, List<RecordRef>> lookupByEmail(final String object, final Collection<String> emails) throws ConnectorException {
        return client().lookupByEmail(object, emails);
    }

    @Override
    public List<WriteOutcome> write(final String object, final List<FieldUpdate> updates) throws ConnectorException {
        return client().write(object, updates);
    }
}
