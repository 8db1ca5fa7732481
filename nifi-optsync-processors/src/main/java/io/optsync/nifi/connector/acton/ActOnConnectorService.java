package io.optsync.nifi.connector.acton;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnDisabled;
import org.apache.nifi.annotation.lifecycle.OnEnabled;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

@Tags({"optsync", "act-on", "opt-out", "unsubscribe", "marketing automation", "connector"})
@CapabilityDescription("Connects optsync's processors to an Act-On account: reads the account-wide opt-out list and the hard-bounce list "
        + "(incrementally by the time an address was added), and adds opt-outs by uploading them as a CSV. The OAuth token is kept in "
        + "cluster state and shared by every node: Act-On allows 5 password grants an hour and each refresh token is single-use, so "
        + "the cluster logs in once and refreshes one node at a time. Calls stay under the account's 5 calls a second.")
@Stateful(scopes = Scope.CLUSTER, description = "The Act-On access token, refresh token and expiry, shared by every node, and a short lease "
        + "that lets one node at a time obtain a new token.")
public class ActOnConnectorService extends AbstractControllerService implements OptOutConnectorService {

    static final PropertyDescriptor BASE_URL = new PropertyDescriptor.Builder()
            .name("Base URL")
            .description("Act-On's REST API: https://restapi.actonsoftware.com (or https://api-eu.actonsoftware.com for EU accounts).")
            .required(true)
            .defaultValue("https://restapi.actonsoftware.com")
            .addValidator(StandardValidators.URL_VALIDATOR)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();

    static final PropertyDescriptor USERNAME = new PropertyDescriptor.Builder()
            .name("Username")
            .description("The Act-On user the integration signs in as; it picks the account.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor PASSWORD = new PropertyDescriptor.Builder()
            .name("Password")
            .description("The Act-On user's password. Use a sensitive parameter.")
            .required(true)
            .sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor CLIENT_ID = new PropertyDescriptor.Builder()
            .name("Client ID")
            .description("The OAuth client id of the integration, from Act-On.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor CLIENT_SECRET = new PropertyDescriptor.Builder()
            .name("Client Secret")
            .description("The OAuth client secret of the integration. Use a sensitive parameter.")
            .required(true)
            .sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor REQUESTS_PER_SECOND = new PropertyDescriptor.Builder()
            .name("Requests Per Second")
            .description("Calls a second this service makes at most. Act-On allows 5 per account, shared with every other integration.")
            .required(true)
            .defaultValue("4")
            .addValidator(StandardValidators.createLongValidator(1, 5, true))
            .build();

    static final PropertyDescriptor BATCH_SIZE = new PropertyDescriptor.Builder()
            .name("Batch Size")
            .description("Addresses per CSV upload.")
            .required(true)
            .defaultValue("10000")
            .addValidator(StandardValidators.createLongValidator(1, 100_000, true))
            .build();

    static final PropertyDescriptor TIMEOUT = new PropertyDescriptor.Builder()
            .name("Timeout")
            .description("How long one call may take.")
            .required(true)
            .defaultValue("30 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(BASE_URL, USERNAME, PASSWORD, CLIENT_ID, CLIENT_SECRET,
            REQUESTS_PER_SECOND, BATCH_SIZE, TIMEOUT);

    private volatile ActOnClient client;
    private volatile ConnectorProfile profile;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @OnEnabled
    public void onEnabled(final ConfigurationContext context) {
        final int rate = context.getProperty(REQUESTS_PER_SECOND).asInteger();
        final int batch = context.getProperty(BATCH_SIZE).asInteger();
        final Duration timeout = Duration.ofMillis(context.getProperty(TIMEOUT).asTimePeriod(java.util.concurrent.TimeUnit.MILLISECONDS));
        final HttpTransport transport = new HttpTransport(new HttpTransport.Settings(rate, 4, Duration.ofMillis(250), Duration.ofSeconds(10), timeout));
        final ActOnClient.Credentials credentials = new ActOnClient.Credentials(context.getProperty(USERNAME).getValue(),
                context.getProperty(PASSWORD).getValue(), context.getProperty(CLIENT_ID).getValue(), context.getProperty(CLIENT_SECRET).getValue());
        client = new ActOnClient(context.getProperty(BASE_URL).evaluateAttributeExpressions().getValue(), credentials, transport,
                new SharedToken(getStateManager(), Clock.systemUTC()), getLogger());
        profile = new ConnectorProfile("Act-On", List.of(ActOnClient.OPT_OUT_LIST, ActOnClient.HARD_BOUNCE_LIST), batch, rate,
                OptOutEncoding.ACT_ON, true);
    }

    @OnDisabled
    public void onDisabled() {
        client = null;
    }

    @Override
    public ConnectorProfile profile() {
        return profile;
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        return client.fetch(request, pages);
    }

    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String object, final Collection<String> emails) throws ConnectorException {
        return client.lookupByEmail(object, emails);
    }

    @Override
    public List<WriteOutcome> write(final String object, final List<FieldUpdate> updates) throws ConnectorException {
        return client.write(object, updates);
    }
}
