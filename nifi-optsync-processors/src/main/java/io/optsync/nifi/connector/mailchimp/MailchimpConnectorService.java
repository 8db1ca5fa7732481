package io.optsync.nifi.connector.mailchimp;

import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConcurrencyCap;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.SecretValidator;
import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

@Tags({"optsync", "mailchimp", "marketing automation", "opt-out", "unsubscribe", "audience", "connector"})
@CapabilityDescription("Connects optsync's processors to one Mailchimp audience (list) through the Marketing API v3: reads members "
        + "incrementally by last_changed, and writes opt-outs by address through the batch member endpoint, 500 a request, adding an "
        + "address that is not on the audience as unsubscribed so that no later import can subscribe it. unsubscribed is opted out; "
        + "cleaned is a hard bounce; pending, transactional and archived are no marketing consent (unknown). Mailchimp refuses to "
        + "re-subscribe an unsubscribed or cleaned member (Member In Compliance State): that is final, never retried. At most Max "
        + "Concurrent Connections calls are open at once (Mailchimp allows 10 per API key).")
@Stateful(scopes = Scope.CLUSTER, description = "On a cluster, a lease per node that splits the vendor's limits (requests a second, connections open "
        + "at once) between the nodes.")
public class MailchimpConnectorService extends AbstractConnectorService {

    static final AllowableValue API_KEY_AUTH = new AllowableValue("api-key", "API Key", "An API key; its suffix after '-' names the data centre.");
    static final AllowableValue OAUTH = new AllowableValue("oauth", "OAuth Access Token",
            "An OAuth 2.0 access token of a Mailchimp app (they do not expire), with the account's Server Prefix.");

    static final PropertyDescriptor AUTHENTICATION = new PropertyDescriptor.Builder()
            .name("Authentication")
            .description("How to sign the calls.")
            .required(true)
            .allowableValues(API_KEY_AUTH, OAUTH)
            .defaultValue(API_KEY_AUTH.getValue())
            .build();

    static final PropertyDescriptor API_KEY = new PropertyDescriptor.Builder()
            .name("API Key")
            .description("The API key, for example 0123...cdef-us19; it goes in HTTP Basic authentication and its suffix picks the data centre. "
                    + "Use a sensitive parameter.")
            .required(true)
            .sensitive(true)
            .addValidator(SecretValidator.matching(java.util.regex.Pattern.compile("\\S+-[a-z]+\\d+"), "a Mailchimp API key, which ends in its data centre, as -us19"))
            .dependsOn(AUTHENTICATION, API_KEY_AUTH)
            .build();

    static final PropertyDescriptor ACCESS_TOKEN = new PropertyDescriptor.Builder()
            .name("Access Token")
            .description("The OAuth access token. Use a sensitive parameter.")
            .required(true)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .dependsOn(AUTHENTICATION, OAUTH)
            .build();

    static final PropertyDescriptor SERVER_PREFIX = new PropertyDescriptor.Builder()
            .name("Server Prefix")
            .description("The account's data centre, for example us19 (from https://login.mailchimp.com/oauth2/metadata).")
            .required(true)
            .addValidator(StandardValidators.createRegexMatchingValidator(java.util.regex.Pattern.compile("[a-z]+\\d+")))
            .dependsOn(AUTHENTICATION, OAUTH)
            .build();

    static final PropertyDescriptor BASE_URL = new PropertyDescriptor.Builder()
            .name("Base URL")
            .description("Overrides https://<data centre>.api.mailchimp.com, for a proxy or a test server.")
            .required(false)
            .addValidator(ConnectorProperties.VENDOR_URL)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();

    static final PropertyDescriptor LIST_ID = new PropertyDescriptor.Builder()
            .name("List ID")
            .description("The audience (list) id, from Audience > Settings > Audience name and defaults.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_CONNECTIONS = new PropertyDescriptor.Builder()
            .name("Max Concurrent Connections")
            .description("Calls open at once, at most; Mailchimp allows 10 per API key, shared by every integration using the key.")
            .required(true)
            .defaultValue("8")
            .addValidator(StandardValidators.createLongValidator(1, 10, true))
            .build();

    static final PropertyDescriptor REQUESTS_PER_SECOND = ConnectorProperties.requestsPerSecond("10", 100,
            "Mailchimp limits connections, not requests; this only smooths optsync's calls.");
    static final PropertyDescriptor BATCH_SIZE = ConnectorProperties.batchSize("500", 500, "Members per batch request (Mailchimp's most is 500).");
    static final PropertyDescriptor TIMEOUT = ConnectorProperties.TIMEOUT;

    private static final List<PropertyDescriptor> PROPERTIES = ConnectorProperties.withConnectivity(AUTHENTICATION, API_KEY, ACCESS_TOKEN,
            SERVER_PREFIX, BASE_URL, LIST_ID, MAX_CONNECTIONS, REQUESTS_PER_SECOND, BATCH_SIZE, TIMEOUT);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected Connection connect(final ConfigurationContext context) {
        final boolean apiKey = API_KEY_AUTH.getValue().equals(context.getProperty(AUTHENTICATION).getValue());
        final String secret = apiKey ? context.getProperty(API_KEY).getValue() : context.getProperty(ACCESS_TOKEN).getValue();
        final String dc = apiKey ? secret.substring(secret.lastIndexOf('-') + 1) : context.getProperty(SERVER_PREFIX).getValue();
        final String base = context.getProperty(BASE_URL).isSet() ? context.getProperty(BASE_URL).evaluateAttributeExpressions().getValue()
                : "https://" + dc + ".api.mailchimp.com";
        final String authorization = apiKey ? "Basic " + Base64.getEncoder().encodeToString(("optsync:" + secret).getBytes(StandardCharsets.UTF_8))
                : "Bearer " + secret;
        final int batch = context.getProperty(BATCH_SIZE).asInteger();
        final HttpTransport transport = ConnectorProperties.transport(context, REQUESTS_PER_SECOND);
        final ConcurrencyCap connections = new ConcurrencyCap(context.getProperty(MAX_CONNECTIONS).asInteger());
        return new Connection(new MailchimpClient(base, context.getProperty(LIST_ID).getValue(), authorization, transport, connections, batch),
                new ConnectorProfile("Mailchimp", List.of(MailchimpClient.MEMBERS), batch, context.getProperty(REQUESTS_PER_SECOND).asInteger(),
                        OptOutEncoding.MAILCHIMP, true, java.util.Set.of("status", "email_address", "status_if_new")), transport, connections);
    }
}
