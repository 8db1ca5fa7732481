package io.optsync.nifi.connector.salesforce;

import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.RecordScope;
import io.optsync.nifi.connector.SecretValidator;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;

import io.optsync.nifi.connector.PemKeys;
import io.optsync.nifi.connector.TokenSource;
import org.apache.nifi.oauth2.OAuth2AccessTokenProvider;

import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

@Tags({"optsync", "salesforce", "crm", "opt-out", "unsubscribe", "HasOptedOutOfEmail", "connector"})
@CapabilityDescription("Connects optsync's processors to Salesforce: reads Contacts, Leads (not converted) and Person Accounts incrementally "
        + "on SystemModstamp, looks them up by address and sets HasOptedOutOfEmail (PersonHasOptedOutOfEmail) through sObject Collections, "
        + "200 records a request. IsEmailBounced is read as a bounce, never as an opt-out. Signs in with OAuth 2.0 client credentials, "
        + "JWT bearer (key text or NiFi's Private Key Service), a refresh token or NiFi's OAuth2 Access Token Provider; the session is kept in cluster state, encrypted, and shared by every node. Stays under the Requests Per "
        + "Second, stops before the org's daily API allocation is spent (API Usage Ceiling, read from Sforce-Limit-Info), and waits out "
        + "403 REQUEST_LIMIT_EXCEEDED instead of taking it for an authentication failure.")
@Stateful(scopes = Scope.CLUSTER, description = "The Salesforce access token (encrypted under a key derived from the sensitive properties) and "
        + "instance URL, shared by every node, and a short lease that lets one node at a time obtain a new token. On a cluster, also a lease per "
        + "node that splits the vendor's limits between the nodes.")
public class SalesforceConnectorService extends AbstractConnectorService {

    static final AllowableValue CLIENT_CREDENTIALS = new AllowableValue(SalesforceAuth.CLIENT_CREDENTIALS, "Client Credentials",
            "The connected app's client id and secret, running as the app's integration user.");
    static final AllowableValue JWT_BEARER = new AllowableValue(SalesforceAuth.JWT_BEARER, "JWT Bearer",
            "An RS256 assertion signed with the private key of the certificate uploaded to the connected app, for a pre-authorized user.");
    static final AllowableValue REFRESH_TOKEN_FLOW = new AllowableValue(SalesforceAuth.REFRESH_TOKEN, "Refresh Token",
            "A refresh token issued to the connected app once, by a user's consent.");
    static final AllowableValue ACCESS_TOKEN_PROVIDER_FLOW = new AllowableValue(SalesforceAuth.ACCESS_TOKEN_PROVIDER, "OAuth2 Access Token Provider",
            "The token of NiFi's OAuth2 Access Token Provider service, which signs in and refreshes by itself. API calls go to the Login URL, "
                    + "which must then be the org's My Domain. The token stays on each node, never in cluster state.");

    static final PropertyDescriptor LOGIN_URL = new PropertyDescriptor.Builder()
            .name("Login URL")
            .description("Where tokens are issued: https://login.salesforce.com, https://test.salesforce.com for sandboxes, or the org's "
                    + "My Domain (required by Client Credentials). API calls go to the instance URL Salesforce returns with the token.")
            .required(true)
            .defaultValue("https://login.salesforce.com")
            .addValidator(ConnectorProperties.VENDOR_URL)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();

    static final PropertyDescriptor API_VERSION = new PropertyDescriptor.Builder()
            .name("API Version")
            .description("The REST API version, as in the URL.")
            .required(true)
            .defaultValue("v60.0")
            .addValidator(StandardValidators.createRegexMatchingValidator(java.util.regex.Pattern.compile("v\\d+\\.\\d")))
            .build();

    static final PropertyDescriptor AUTHENTICATION = new PropertyDescriptor.Builder()
            .name("Authentication")
            .description("The OAuth 2.0 flow to sign in with.")
            .required(true)
            .allowableValues(CLIENT_CREDENTIALS, JWT_BEARER, REFRESH_TOKEN_FLOW, ACCESS_TOKEN_PROVIDER_FLOW)
            .defaultValue(CLIENT_CREDENTIALS.getValue())
            .build();

    static final PropertyDescriptor CLIENT_ID = new PropertyDescriptor.Builder()
            .name("Client ID")
            .description("The connected app's consumer key.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(AUTHENTICATION, CLIENT_CREDENTIALS, JWT_BEARER, REFRESH_TOKEN_FLOW)
            .build();

    static final PropertyDescriptor CLIENT_SECRET = new PropertyDescriptor.Builder()
            .name("Client Secret")
            .description("The connected app's consumer secret: required by Client Credentials, optional with a Refresh Token. Use a sensitive parameter.")
            .required(false)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .dependsOn(AUTHENTICATION, CLIENT_CREDENTIALS, REFRESH_TOKEN_FLOW)
            .build();

    static final PropertyDescriptor USERNAME = new PropertyDescriptor.Builder()
            .name("Username")
            .description("The Salesforce user the JWT is issued for (its sub claim); the connected app must be pre-authorized for that user.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(AUTHENTICATION, JWT_BEARER)
            .build();

    static final PropertyDescriptor PRIVATE_KEY = new PropertyDescriptor.Builder()
            .name("Private Key")
            .description("The PEM private key (unencrypted PKCS#8, -----BEGIN PRIVATE KEY-----) of the certificate uploaded to the connected app. "
                    + "Use a sensitive parameter, or set Private Key Service instead (an encrypted key, or a key file).")
            .required(false)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .dependsOn(AUTHENTICATION, JWT_BEARER)
            .build();

    static final PropertyDescriptor PRIVATE_KEY_SERVICE = PemKeys.privateKeyService(AUTHENTICATION, JWT_BEARER);

    static final PropertyDescriptor ACCESS_TOKEN_PROVIDER = new PropertyDescriptor.Builder()
            .name("OAuth2 Access Token Provider")
            .description("NiFi's OAuth2 Access Token Provider that hands out the Salesforce access token (for example a "
                    + "StandardOauth2AccessTokenProvider on the org's token endpoint).")
            .required(true)
            .identifiesControllerService(OAuth2AccessTokenProvider.class)
            .dependsOn(AUTHENTICATION, ACCESS_TOKEN_PROVIDER_FLOW)
            .build();

    static final PropertyDescriptor REFRESH_TOKEN = new PropertyDescriptor.Builder()
            .name("Refresh Token")
            .description("The refresh token issued to the connected app. Use a sensitive parameter.")
            .required(true)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .dependsOn(AUTHENTICATION, REFRESH_TOKEN_FLOW)
            .build();

    static final PropertyDescriptor REQUESTS_PER_SECOND = ConnectorProperties.requestsPerSecond("10", 100,
            "Salesforce counts calls against the org's daily allocation rather than per second; this keeps optsync's share smooth.");
    static final PropertyDescriptor BATCH_SIZE = ConnectorProperties.batchSize("200", 200, "Records per sObject Collections update (Salesforce's most is 200).");

    static final PropertyDescriptor API_USAGE_CEILING = new PropertyDescriptor.Builder()
            .name("API Usage Ceiling")
            .description("The percentage of the org's daily API allocation (from Sforce-Limit-Info) at which optsync stops calling, leaving the "
                    + "rest to the org's other integrations; calls resume when usage falls below it.")
            .required(true)
            .defaultValue("90")
            .addValidator(StandardValidators.createLongValidator(1, 100, true))
            .build();

    static final PropertyDescriptor SCOPE = RecordScope.property("SOQL", "Newsletter__c = TRUE or LeadSource = 'Web' (a list view's or report's "
            + "filter, restated)");
    static final PropertyDescriptor OPT_OUTS_OUTSIDE_SCOPE = RecordScope.OPT_OUTS_OUTSIDE_SCOPE;
    static final PropertyDescriptor TIMEOUT = ConnectorProperties.TIMEOUT;

    private static final List<PropertyDescriptor> PROPERTIES = ConnectorProperties.withConnectivity(LOGIN_URL, API_VERSION, AUTHENTICATION, CLIENT_ID,
            CLIENT_SECRET, USERNAME, PRIVATE_KEY, PRIVATE_KEY_SERVICE, REFRESH_TOKEN, ACCESS_TOKEN_PROVIDER, SCOPE, OPT_OUTS_OUTSIDE_SCOPE, REQUESTS_PER_SECOND, BATCH_SIZE, API_USAGE_CEILING,
            TIMEOUT);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected Collection<ValidationResult> customValidate(final ValidationContext context) {
        final List<ValidationResult> results = new ArrayList<>(super.customValidate(context));
        final String flow = context.getProperty(AUTHENTICATION).getValue();
        if (CLIENT_CREDENTIALS.getValue().equals(flow) && !context.getProperty(CLIENT_SECRET).isSet()) {
            results.add(new ValidationResult.Builder().subject(CLIENT_SECRET.getDisplayName()).valid(false)
                    .explanation("Client Credentials needs the Client Secret").build());
        }
        if (JWT_BEARER.getValue().equals(flow)) {
            PemKeys.checkOneOf(context, PRIVATE_KEY, PRIVATE_KEY_SERVICE).ifPresent(results::add);
        }
        return results;
    }

    @Override
    protected Connection connect(final ConfigurationContext context) {
        final int rate = context.getProperty(REQUESTS_PER_SECOND).asInteger();
        final int batch = context.getProperty(BATCH_SIZE).asInteger();
        final HttpTransport transport = ConnectorProperties.transport(context, REQUESTS_PER_SECOND);
        final String flow = context.getProperty(AUTHENTICATION).getValue();
        final PrivateKey key = JWT_BEARER.getValue().equals(flow) ? PemKeys.resolve(context, PRIVATE_KEY, PRIVATE_KEY_SERVICE) : null;
        final OAuth2AccessTokenProvider provider = ACCESS_TOKEN_PROVIDER_FLOW.getValue().equals(flow)
                ? context.getProperty(ACCESS_TOKEN_PROVIDER).asControllerService(OAuth2AccessTokenProvider.class) : null;
        final SalesforceAuth auth = new SalesforceAuth(context.getProperty(LOGIN_URL).evaluateAttributeExpressions().getValue(),
                new SalesforceAuth.Credentials(flow, context.getProperty(CLIENT_ID).getValue(), context.getProperty(CLIENT_SECRET).getValue(),
                        context.getProperty(USERNAME).getValue(), key, context.getProperty(REFRESH_TOKEN).getValue(), provider), transport);
        // the provider's token stays on the node; a key from a Private Key Service also seals the shared token
        final TokenSource tokens = provider != null ? TokenSource.nodeLocal()
                : context.getProperty(PRIVATE_KEY_SERVICE).isSet() ? sharedToken(context, key) : sharedToken(context);
        return new Connection(new SalesforceClient(context.getProperty(API_VERSION).getValue(), auth, transport, tokens,
                        new ApiUsage(context.getProperty(API_USAGE_CEILING).asInteger() / 100.0), batch,
                        RecordScope.of(context, SCOPE)),
                new ConnectorProfile("Salesforce", SalesforceObject.ALL.stream().map(SalesforceObject::name).toList(), batch, rate,
                        OptOutEncoding.SALESFORCE, false,
                        java.util.Set.of("HasOptedOutOfEmail", "Email", "IsEmailBounced", "EmailBouncedReason", "EmailBouncedDate", "PersonEmail", "PersonHasOptedOutOfEmail")), transport);
    }
}
