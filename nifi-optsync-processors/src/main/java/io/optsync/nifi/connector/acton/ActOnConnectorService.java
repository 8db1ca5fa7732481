package io.optsync.nifi.connector.acton;

import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.SecretValidator;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.List;

@Tags({"optsync", "act-on", "opt-out", "unsubscribe", "marketing automation", "connector"})
@CapabilityDescription("Connects optsync's processors to an Act-On account: reads the account-wide opt-out list and the hard-bounce list "
        + "(incrementally by the time an address was added), and adds opt-outs by uploading them as a CSV. The OAuth token is kept in "
        + "cluster state and shared by every node: Act-On allows 5 password grants an hour and each refresh token is single-use, so "
        + "the cluster logs in once and refreshes one node at a time. Calls stay under the account's 5 calls a second.")
@Stateful(scopes = Scope.CLUSTER, description = "The Act-On access token and refresh token (encrypted under a key derived from the sensitive "
        + "properties) and expiry, shared by every node, and a short lease that lets one node at a time obtain a new token. On a cluster, also a "
        + "lease per node that splits the vendor's limits between the nodes.")
public class ActOnConnectorService extends AbstractConnectorService {

    static final PropertyDescriptor BASE_URL = new PropertyDescriptor.Builder()
            .name("Base URL")
            .description("Act-On's REST API: https://restapi.actonsoftware.com (or https://api-eu.actonsoftware.com for EU accounts).")
            .required(true)
            .defaultValue("https://restapi.actonsoftware.com")
            .addValidator(ConnectorProperties.VENDOR_URL)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();



    static final PropertyDescriptor USERNAME = ConnectorProperties.USERNAME;
    static final PropertyDescriptor PASSWORD = ConnectorProperties.PASSWORD;
    static final PropertyDescriptor TIMEOUT = ConnectorProperties.TIMEOUT;
    static final PropertyDescriptor REQUESTS_PER_SECOND = ConnectorProperties.requestsPerSecond("4", 5,
            "Act-On allows 5 per account, shared with every other integration.");
    static final PropertyDescriptor BATCH_SIZE = ConnectorProperties.batchSize("10000", 100_000, "Addresses per CSV upload.");

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
            .addValidator(SecretValidator.NON_BLANK)
            .build();




    private static final List<PropertyDescriptor> PROPERTIES = ConnectorProperties.withConnectivity(BASE_URL, USERNAME, PASSWORD, CLIENT_ID,
            CLIENT_SECRET, REQUESTS_PER_SECOND, BATCH_SIZE, TIMEOUT);


    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected Connection connect(final ConfigurationContext context) {
        final SharedToken token = sharedToken(context);
        try {
            token.clearRefusedSignIn(); // enabled again or verified: the user asks for a sign-in now
        } catch (final java.io.IOException e) {
            getLogger().warn("Could not clear the hold on Act-On sign-ins in cluster state; it ends by itself", e);
        }
        final int rate = context.getProperty(REQUESTS_PER_SECOND).asInteger();
        final int batch = context.getProperty(BATCH_SIZE).asInteger();
        final HttpTransport transport = ConnectorProperties.transport(context, REQUESTS_PER_SECOND);
        final ActOnClient.Credentials credentials = new ActOnClient.Credentials(context.getProperty(USERNAME).getValue(),
                context.getProperty(PASSWORD).getValue(), context.getProperty(CLIENT_ID).getValue(), context.getProperty(CLIENT_SECRET).getValue());
        return new Connection(new ActOnClient(context.getProperty(BASE_URL).evaluateAttributeExpressions().getValue(), credentials, transport, token, getLogger()),
                new ConnectorProfile("Act-On", List.of(ActOnClient.OPT_OUT_LIST, ActOnClient.HARD_BOUNCE_LIST), batch, rate, OptOutEncoding.ACT_ON, true, java.util.Set.of("*")),
                transport);
    }

}
