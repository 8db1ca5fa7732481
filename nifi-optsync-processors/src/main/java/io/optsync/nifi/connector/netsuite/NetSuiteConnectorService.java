package io.optsync.nifi.connector.netsuite;

import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConcurrencyCap;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.PemKeys;
import io.optsync.nifi.connector.RecordScope;
import io.optsync.nifi.connector.SecretValidator;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.optout.OptOutEncoding;
import okhttp3.HttpUrl;
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

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

@Tags({"optsync", "netsuite", "erp", "crm", "opt-out", "unsubscribe", "globalSubscriptionStatus", "suiteql", "connector"})
@CapabilityDescription("Connects optsync's processors to a NetSuite account through SuiteTalk REST: reads customers, contacts and leads "
        + "incrementally through SuiteQL, paged by (last-modified time, id) rather than by offset, and sets globalSubscriptionStatus in batch requests "
        + "(2 Soft Opt-Out; 1 Soft Opt-In only for an opt-in the decision rule allowed). 2 and 4 are opted out; 3 and 4 belong to the "
        + "recipient and are never written, and a Confirmed Opt-Out is never left. Signs in with OAuth 2.0 client credentials (a PS256 "
        + "client assertion signed with the certificate's key; the token is shared in cluster state) or, for accounts that still use it, token-based authentication (OAuth 1.0a, HMAC-SHA256). At most Max Concurrent Requests "
        + "calls are open at once: the account's concurrency is shared by every integration.")
@Stateful(scopes = Scope.CLUSTER, description = "The NetSuite access token (encrypted under a key derived from the sensitive properties), shared by "
        + "every node, and a short lease that lets one node at a time obtain a new one. On a cluster, also a lease per node that splits the vendor's "
        + "limits between the nodes.")
public class NetSuiteConnectorService extends AbstractConnectorService {

    static final PropertyDescriptor HOST = new PropertyDescriptor.Builder()
            .name("Host")
            .description("The account's REST domain, copied from Setup > Company > Company Information > Company URLs (SuiteTalk), for example "
                    + "https://1234567.suitetalk.api.netsuite.com or https://1234567-sb1.suitetalk.api.netsuite.com. NetSuite asks not to build it "
                    + "from the account id.")
            .required(true)
            .addValidator(ConnectorProperties.VENDOR_URL)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();

    static final PropertyDescriptor ACCOUNT_ID = new PropertyDescriptor.Builder()
            .name("Account ID")
            .description("The account id (realm), for example 1234567 or 1234567_SB1 for a sandbox; it differs from the host's spelling.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final AllowableValue CLIENT_CREDENTIALS = new AllowableValue("OAuth 2.0 Client Credentials", "OAuth 2.0 Client Credentials",
            "Machine to machine: a JWT client assertion signed PS256 with a certificate's private key, exchanged for an access token of an hour. "
                    + "NetSuite's way for new integrations.");
    static final AllowableValue TOKEN_BASED = new AllowableValue("Token-Based Authentication", "Token-Based Authentication (legacy)",
            "OAuth 1.0a with HMAC-SHA256 and a consumer key and token, each call signed. For accounts that still use it: NetSuite takes no new "
                    + "TBA integrations from 2027.1 and plans to end the existing ones.");

    static final PropertyDescriptor AUTHENTICATION = new PropertyDescriptor.Builder()
            .name("Authentication")
            .description("How optsync signs in to NetSuite.")
            .required(true)
            .allowableValues(CLIENT_CREDENTIALS, TOKEN_BASED)
            .defaultValue(CLIENT_CREDENTIALS.getValue())
            .build();

    static final PropertyDescriptor CLIENT_ID = new PropertyDescriptor.Builder()
            .name("Client ID")
            .description("The integration record's client id.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(AUTHENTICATION, CLIENT_CREDENTIALS)
            .build();

    static final PropertyDescriptor CERTIFICATE_ID = new PropertyDescriptor.Builder()
            .name("Certificate ID")
            .description("The certificate id of the OAuth 2.0 client credentials mapping (integration, role, entity): the JWT's kid.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(AUTHENTICATION, CLIENT_CREDENTIALS)
            .build();

    static final PropertyDescriptor PRIVATE_KEY = new PropertyDescriptor.Builder()
            .name("Private Key")
            .description("The RSA private key of that certificate (3072 or 4096 bits), unencrypted PKCS#8 PEM. Use a sensitive parameter, or "
                    + "set Private Key Service instead (an encrypted key, or a key file).")
            .required(false)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .dependsOn(AUTHENTICATION, CLIENT_CREDENTIALS)
            .build();

    static final PropertyDescriptor PRIVATE_KEY_SERVICE = PemKeys.privateKeyService(AUTHENTICATION, CLIENT_CREDENTIALS);

    static final PropertyDescriptor CONSUMER_KEY = tokenBased("Consumer Key", "The integration record's consumer key.", false);
    static final PropertyDescriptor CONSUMER_SECRET = tokenBased("Consumer Secret", "The integration record's consumer secret. Use a sensitive parameter.", true);
    static final PropertyDescriptor TOKEN_ID = tokenBased("Token ID", "The access token's id (a user and role of the integration).", false);
    static final PropertyDescriptor TOKEN_SECRET = tokenBased("Token Secret", "The access token's secret. Use a sensitive parameter.", true);

    static final PropertyDescriptor MAX_CONCURRENT = new PropertyDescriptor.Builder()
            .name("Max Concurrent Requests")
            .description("Calls open at once, at most. The account's concurrency limit (5 on many accounts) is shared by every integration and "
                    + "user of the account; leave most of it to them.")
            .required(true)
            .defaultValue("2")
            .addValidator(StandardValidators.createLongValidator(1, 50, true))
            .build();

    static final PropertyDescriptor EXTRA_FIELDS = new PropertyDescriptor.Builder()
            .name("Extra Fields")
            .description("Further fields to read, comma-separated SuiteQL column names (custom fields such as custentity_email_optout). Each "
                    + "comes in the record's fields map: point NormalizeOptOutValue's Opt-Out Field at /fields/<name>, with a custom value set, to "
                    + "sync a custom opt-out field with no code.")
            .required(false)
            .addValidator(StandardValidators.createRegexMatchingValidator(java.util.regex.Pattern.compile("\\s*[a-z][a-z0-9_]*(\\s*,\\s*[a-z][a-z0-9_]*)*\\s*")))
            .build();

    static final PropertyDescriptor SCOPE = RecordScope.property("SuiteQL", "custentity_newsletter = 'T' or searchstage = 'CUSTOMER' (a saved search's "
            + "criteria, restated: SuiteQL cannot run a saved search)");
    static final PropertyDescriptor OPT_OUTS_OUTSIDE_SCOPE = RecordScope.OPT_OUTS_OUTSIDE_SCOPE;

    static final PropertyDescriptor REQUESTS_PER_SECOND = ConnectorProperties.requestsPerSecond("5", 100,
            "NetSuite limits concurrency, not requests; this only smooths optsync's calls.");
    static final PropertyDescriptor BATCH_SIZE = ConnectorProperties.batchSize("100", 1000, "Records per write call. Three or more go in NetSuite's "
            + "asynchronous batch requests of at most 100 records each; fewer go one PATCH each.");
    static final PropertyDescriptor TIMEOUT = ConnectorProperties.TIMEOUT;

    private static final List<PropertyDescriptor> PROPERTIES = ConnectorProperties.withConnectivity(HOST, ACCOUNT_ID, AUTHENTICATION, CLIENT_ID,
            CERTIFICATE_ID, PRIVATE_KEY, PRIVATE_KEY_SERVICE, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, EXTRA_FIELDS, SCOPE, OPT_OUTS_OUTSIDE_SCOPE,
            MAX_CONCURRENT, REQUESTS_PER_SECOND, BATCH_SIZE, TIMEOUT);

    private static PropertyDescriptor tokenBased(final String name, final String description, final boolean sensitive) {
        return new PropertyDescriptor.Builder()
                .name(name)
                .description(description)
                .required(true)
                .sensitive(sensitive)
                .addValidator(sensitive ? SecretValidator.NON_BLANK : StandardValidators.NON_BLANK_VALIDATOR)
                .dependsOn(AUTHENTICATION, TOKEN_BASED)
                .build();
    }

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected Collection<ValidationResult> customValidate(final ValidationContext context) {
        final List<ValidationResult> results = new ArrayList<>(super.customValidate(context));
        if (CLIENT_CREDENTIALS.getValue().equals(context.getProperty(AUTHENTICATION).getValue())) {
            PemKeys.checkOneOf(context, PRIVATE_KEY, PRIVATE_KEY_SERVICE).ifPresent(results::add);
        }
        return results;
    }

    /** The M2M sign-in, with the key of the Private Key Service or of the Private Key text (a key service's key also seals the token). */
    private NetSuiteSignIn clientCredentials(final ConfigurationContext context, final HttpUrl host, final io.optsync.nifi.connector.HttpTransport transport) {
        final java.security.PrivateKey key = PemKeys.resolve(context, PRIVATE_KEY, PRIVATE_KEY_SERVICE);
        return new NetSuiteAuth(host, context.getProperty(CLIENT_ID).getValue(), context.getProperty(CERTIFICATE_ID).getValue(), key, transport,
                context.getProperty(PRIVATE_KEY_SERVICE).isSet() ? sharedToken(context, key) : sharedToken(context));
    }

    @Override
    protected Connection connect(final ConfigurationContext context) {
        final HttpUrl host = HttpUrl.get(context.getProperty(HOST).evaluateAttributeExpressions().getValue());
        final var transport = ConnectorProperties.transport(context, REQUESTS_PER_SECOND);
        final NetSuiteSignIn signIn = TOKEN_BASED.getValue().equals(context.getProperty(AUTHENTICATION).getValue())
                ? new TokenBasedSignIn(new TokenBasedSignIn.Credentials(context.getProperty(ACCOUNT_ID).getValue(), context.getProperty(CONSUMER_KEY).getValue(),
                        context.getProperty(CONSUMER_SECRET).getValue(), context.getProperty(TOKEN_ID).getValue(), context.getProperty(TOKEN_SECRET).getValue()),
                        Clock.systemUTC())
                : clientCredentials(context, host, transport);
        final String extra = context.getProperty(EXTRA_FIELDS).getValue();
        final List<String> extraFields = extra == null ? List.of() : java.util.Arrays.stream(extra.split(",")).map(String::trim).filter(f -> !f.isEmpty()).toList();
        final ConcurrencyCap concurrency = new ConcurrencyCap(context.getProperty(MAX_CONCURRENT).asInteger());
        return new Connection(new NetSuiteClient(host, signIn, transport, concurrency, extraFields, RecordScope.of(context, SCOPE)),
                new ConnectorProfile("NetSuite", NetSuiteClient.OBJECTS, context.getProperty(BATCH_SIZE).asInteger(),
                        context.getProperty(REQUESTS_PER_SECOND).asInteger(), OptOutEncoding.NETSUITE, false, java.util.Set.of("globalSubscriptionStatus", "email")), transport, concurrency);
    }
}
