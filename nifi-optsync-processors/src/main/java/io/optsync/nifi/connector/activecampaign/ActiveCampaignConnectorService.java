package io.optsync.nifi.connector.activecampaign;

import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.ConnectorProperties;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.SecretValidator;
import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

@Tags({"optsync", "activecampaign", "marketing automation", "opt-out", "unsubscribe", "list", "connector"})
@CapabilityDescription("Connects optsync's processors to an ActiveCampaign account (API v3): reads contacts incrementally with their list "
        + "memberships and hard bounces, and unsubscribes addresses (status 2) from every mapped list in bulk imports of up to 250 "
        + "contacts, each confirmed through the import's status before it counts as written; with Lists set, an opt-out needs no look-up "
        + "and an address ActiveCampaign does not have is added, unsubscribed, so that no later import can mail it. A contact "
        + "counts as opted out when unsubscribed from the mapped lists it holds and active on none; bounced_hard is a hard bounce. "
        + "Status 1 (re-subscribe) is written only when PushCrmFieldUpdates allows it: opt-in propagation on and a consent newer than the "
        + "opt-out. Stays under the account's 5 requests a second (3 by default), honours Retry-After on 429 and retries 503.")
@Stateful(scopes = Scope.CLUSTER, description = "On a cluster, a lease per node that splits the vendor's limits (requests a second) between the "
        + "nodes.")
public class ActiveCampaignConnectorService extends AbstractConnectorService {

    static final PropertyDescriptor BASE_URL = new PropertyDescriptor.Builder()
            .name("Base URL")
            .description("The account's API URL from Settings > Developer, for example https://youraccount.api-us1.com (do not build it from the "
                    + "account name).")
            .required(true)
            .addValidator(ConnectorProperties.VENDOR_URL)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();

    static final PropertyDescriptor API_TOKEN = new PropertyDescriptor.Builder()
            .name("API Token")
            .description("The API key of the user the integration acts as (each user has their own). Use a sensitive parameter.")
            .required(true)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .build();

    static final PropertyDescriptor LISTS = new PropertyDescriptor.Builder()
            .name("Lists")
            .description("The ids of the lists that count, comma-separated: a contact is opted out when unsubscribed from those it holds and "
                    + "active on none, and an opt-out unsubscribes it from each. Empty: every list the contact is on.")
            .required(false)
            .addValidator(StandardValidators.createRegexMatchingValidator(java.util.regex.Pattern.compile("\\s*\\d+(\\s*,\\s*\\d+)*\\s*")))
            .build();

    static final PropertyDescriptor REQUESTS_PER_SECOND = ConnectorProperties.requestsPerSecond("3", 5,
            "ActiveCampaign allows 5 per account, shared by every key and integration of the account; the default leaves room for the "
                    + "others and for calls that bunch up in transit (4 a second was seen to arrive as 6 within one second under load).");
    static final PropertyDescriptor BATCH_SIZE = ConnectorProperties.batchSize("250", 1000,
            "Contacts per write call: opt-outs go in bulk imports of up to 250 contacts each (ActiveCampaign's most), so 250 writes "
                    + "10,000 opt-outs in 40 imports.");
    static final PropertyDescriptor TIMEOUT = ConnectorProperties.TIMEOUT;

    private static final List<PropertyDescriptor> PROPERTIES = ConnectorProperties.withConnectivity(BASE_URL, API_TOKEN, LISTS, REQUESTS_PER_SECOND,
            BATCH_SIZE, TIMEOUT);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected Connection connect(final ConfigurationContext context) {
        final String lists = context.getProperty(LISTS).getValue();
        final Set<String> mapped = lists == null ? Set.of() : Arrays.stream(lists.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        final int rate = context.getProperty(REQUESTS_PER_SECOND).asInteger();
        final HttpTransport transport = ConnectorProperties.transport(context, REQUESTS_PER_SECOND);
        return new Connection(new ActiveCampaignClient(context.getProperty(BASE_URL).evaluateAttributeExpressions().getValue(), context.getProperty(API_TOKEN).getValue(),
                        mapped, transport),
                new ConnectorProfile("ActiveCampaign", List.of(ActiveCampaignClient.CONTACTS), context.getProperty(BATCH_SIZE).asInteger(), rate,
                        OptOutEncoding.ACTIVECAMPAIGN, !mapped.isEmpty(), java.util.Set.of("email", "status", "contactLists", "bounced_hard", "bounced_soft")), transport);
    }
}
