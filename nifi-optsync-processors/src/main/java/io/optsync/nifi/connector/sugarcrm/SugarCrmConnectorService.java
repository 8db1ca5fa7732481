package io.optsync.nifi.connector.sugarcrm;

import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.SecretValidator;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.optout.BounceFlags;
import io.optsync.nifi.optout.CustomValueSet;
import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.DescribedValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.List;

@Tags({"optsync", "sugarcrm", "suitecrm", "crm", "opt-out", "unsubscribe", "connector"})
@CapabilityDescription("Connects optsync's processors to SugarCRM, through REST v10 (Sugar 7 and later) or the legacy REST v4_1 (SugarCRM "
        + "5.5+/6.x, SuiteCRM 7). Reads Contacts and Leads incrementally on date_modified, or the whole opted-out set (the campaign "
        + "unsubscribe link opts people out without changing date_modified); finds records by e-mail address; writes the opt-out "
        + "of an address. Sugar keeps the opt-out on the address, shared by every record with it, so each address of a record is "
        + "read as a record of its own. The session is kept in cluster state and shared by every node.")
@Stateful(scopes = Scope.CLUSTER, description = "The SugarCRM access token (v10) or session id (v4_1), encrypted under a key derived from the "
        + "sensitive properties, shared by every node, and a short lease that lets one node at a time sign in. On a cluster, also a lease per node "
        + "that splits the vendor's limits between the nodes.")
public class SugarCrmConnectorService extends AbstractConnectorService {

    enum ApiVersion implements DescribedValue {
        V10("v10", "REST v10", "Sugar 7 and later: /rest/v10, OAuth2 password grant"),
        V4_1("v4_1", "Legacy REST v4_1", "SugarCRM 5.5+/6.x and SuiteCRM 7: /service/v4_1/rest.php, MD5 login");

        private final String value;
        private final String displayName;
        private final String description;

        ApiVersion(final String value, final String displayName, final String description) {
            this.value = value;
            this.displayName = displayName;
            this.description = description;
        }

        @Override
        public String getValue() {
            return value;
        }

        @Override
        public String getDisplayName() {
            return displayName;
        }

        @Override
        public String getDescription() {
            return description;
        }
    }

    static final PropertyDescriptor SITE_URL = new PropertyDescriptor.Builder()
            .name("Site URL")
            .description("The SugarCRM site, for example https://crm.example.com; the API path is added by API Version.")
            .required(true)
            .addValidator(ConnectorProperties.VENDOR_URL)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();

    static final PropertyDescriptor API_VERSION = new PropertyDescriptor.Builder()
            .name("API Version")
            .description("Which SugarCRM REST API to use.")
            .required(true)
            .allowableValues(ApiVersion.class)
            .defaultValue(ApiVersion.V10)
            .build();



    static final PropertyDescriptor USERNAME = ConnectorProperties.USERNAME;
    static final PropertyDescriptor PASSWORD = ConnectorProperties.PASSWORD;
    static final PropertyDescriptor TIMEOUT = ConnectorProperties.TIMEOUT;
    static final PropertyDescriptor REQUESTS_PER_SECOND = ConnectorProperties.requestsPerSecond("10", 1000,
            "SugarCRM documents no limit; SugarCloud may throttle.");
    static final PropertyDescriptor BATCH_SIZE = ConnectorProperties.batchSize("100", 1000,
            "Records per write call (/bulk in v10, set_entries in v4_1); SugarCRM documents no maximum.");

    static final PropertyDescriptor CLIENT_ID = new PropertyDescriptor.Builder()
            .name("Client ID")
            .description("The OAuth client id (REST v10): 'sugar' unless an OAuth key was set up for the integration.")
            .required(true)
            .defaultValue("sugar")
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(API_VERSION, ApiVersion.V10)
            .build();

    static final PropertyDescriptor CLIENT_SECRET = new PropertyDescriptor.Builder()
            .name("Client Secret")
            .description("The OAuth client secret (REST v10), empty for the 'sugar' client. Use a sensitive parameter.")
            .required(false)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .dependsOn(API_VERSION, ApiVersion.V10)
            .build();

    static final PropertyDescriptor PLATFORM = new PropertyDescriptor.Builder()
            .name("Platform")
            .description("The OAuth platform (REST v10). A sign-in logs out the same user's earlier session on the same platform, so use one "
                    + "that nothing else uses.")
            .required(true)
            .defaultValue("optsync")
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(API_VERSION, ApiVersion.V10)
            .build();

    static final PropertyDescriptor MODULES = new PropertyDescriptor.Builder()
            .name("Modules")
            .description("Comma-separated modules this connector reads and writes.")
            .required(true)
            .defaultValue("Contacts,Leads")
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();




    private static final List<PropertyDescriptor> PROPERTIES = ConnectorProperties.withConnectivity(SITE_URL, API_VERSION, USERNAME, PASSWORD,
            CLIENT_ID, CLIENT_SECRET, PLATFORM, MODULES, REQUESTS_PER_SECOND, BATCH_SIZE, TIMEOUT);


    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected Connection connect(final ConfigurationContext context) {
        final boolean v10 = ApiVersion.V10.getValue().equals(context.getProperty(API_VERSION).getValue());
        final int rate = context.getProperty(REQUESTS_PER_SECOND).asInteger();
        final HttpTransport transport = ConnectorProperties.transport(context, REQUESTS_PER_SECOND);
        final SugarCredentials credentials = new SugarCredentials(context.getProperty(USERNAME).getValue(), context.getProperty(PASSWORD).getValue(),
                context.getProperty(CLIENT_ID).getValue(), context.getProperty(CLIENT_SECRET).isSet() ? context.getProperty(CLIENT_SECRET).getValue() : "",
                context.getProperty(PLATFORM).getValue());
        final String site = context.getProperty(SITE_URL).evaluateAttributeExpressions().getValue();
        final SharedToken token = sharedToken(context);
        return new Connection(v10 ? new SugarV10Api(site, credentials, transport, token) : new SugarV41Api(site, credentials, transport, token),
                new ConnectorProfile("SugarCRM", CustomValueSet.splitList(context.getProperty(MODULES).getValue()),
                        context.getProperty(BATCH_SIZE).asInteger(), rate, v10 ? OptOutEncoding.SUGARCRM_V10 : OptOutEncoding.SUGARCRM_V4_1, false,
                        java.util.Set.of("email*", "invalid_email")),
                transport);
    }

    /** Sugar's flags: booleans in v10, "0"/"1" strings in v4_1 and Sugar 7 era data. */
    static Boolean flag(final Object value) {
        return value == null ? null : BounceFlags.isBounced(value);
    }
}
