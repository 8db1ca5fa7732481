package io.optsync.nifi.connector;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.Validator;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.proxy.ProxyConfiguration;
import org.apache.nifi.proxy.ProxySpec;
import org.apache.nifi.ssl.SSLContextProvider;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The property descriptors every connector shares, and the transport they configure. */
public final class ConnectorProperties {

    public static final PropertyDescriptor USERNAME = new PropertyDescriptor.Builder()
            .name("Username")
            .description("The user the integration signs in as.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor PASSWORD = new PropertyDescriptor.Builder()
            .name("Password")
            .description("The user's password. Use a sensitive parameter.")
            .required(true)
            .sensitive(true)
            .addValidator(SecretValidator.NON_BLANK)
            .build();

    public static final PropertyDescriptor TIMEOUT = new PropertyDescriptor.Builder()
            .name("Timeout")
            .description("How long one call may take.")
            .required(true)
            .defaultValue("30 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor ALLOW_PLAIN_HTTP = new PropertyDescriptor.Builder()
            .name("Allow Plain HTTP")
            .description("Whether the vendor URL may be http://. Credentials and API keys then cross the network in clear: set it only for a "
                    + "simulator or a test system on a trusted network. When false, an http:// URL makes the service invalid, and no call, "
                    + "redirect or next page goes out over plain HTTP.")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("false")
            .build();

    public static final PropertyDescriptor SSL_CONTEXT_SERVICE = new PropertyDescriptor.Builder()
            .name("SSL Context Service")
            .description("The TLS trust (and client certificate) for calls to the vendor, for example a StandardRestrictedSSLContextService "
                    + "whose trust store holds a private CA. When not set, the JVM's trust store is used.")
            .required(false)
            .identifiesControllerService(SSLContextProvider.class)
            .build();

    /** The HTTP proxy, with or without user name and password (NiFi's Proxy Configuration Service). */
    public static final PropertyDescriptor PROXY_CONFIGURATION_SERVICE = ProxyConfiguration.createProxyConfigPropertyDescriptor(ProxySpec.HTTP,
            ProxySpec.HTTP_AUTH);

    /** How every connector reaches its vendor; the last properties of each. */
    public static final List<PropertyDescriptor> CONNECTIVITY = List.of(SSL_CONTEXT_SERVICE, PROXY_CONFIGURATION_SERVICE, ALLOW_PLAIN_HTTP);

    /**
     * A vendor URL: absolute, with a host, without a user name or password in it, and https unless Allow Plain HTTP is
     * true. Its messages never repeat the value (a URL may carry a key in its query).
     */
    public static final Validator VENDOR_URL = ConnectorProperties::validateUrl;

    private ConnectorProperties() {
    }

    private static ValidationResult validateUrl(final String subject, final String input, final ValidationContext context) {
        final ValidationResult.Builder result = new ValidationResult.Builder().subject(subject).input(null);
        if (input == null || input.isBlank()) {
            return result.valid(false).explanation("a URL is required").build();
        }
        final String value = context.isExpressionLanguageSupported(subject) && context.isExpressionLanguagePresent(input)
                ? context.newPropertyValue(input).evaluateAttributeExpressions().getValue() : input;
        final String whyNot = whyNotUrl(value, context.getProperty(ALLOW_PLAIN_HTTP).asBoolean());
        return result.valid(whyNot == null).explanation(whyNot == null ? "a vendor URL" : whyNot).build();
    }

    /** Why {@code value} is not a vendor URL, or {@code null} when it is one. */
    static String whyNotUrl(final String value, final Boolean plainHttpAllowed) {
        final URI uri;
        try {
            uri = new URI(value == null ? "" : value.trim());
        } catch (final URISyntaxException e) {
            return "not a URL";
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            return "not an absolute http(s) URL with a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "a user name or password in the URL would be sent and logged with it: use the service's credential properties";
        }
        if (scheme.equals("http") && !Boolean.TRUE.equals(plainHttpAllowed)) {
            return "http:// sends the credentials in clear: use https://, or set " + ALLOW_PLAIN_HTTP.getName() + " to true for a test system";
        }
        return null;
    }

    /** The proxy settings' own checks (a proxy that needs a user name has one), for a connector's customValidate. */
    public static Collection<ValidationResult> validateConnectivity(final ValidationContext context) {
        final List<ValidationResult> results = new ArrayList<>();
        ProxyConfiguration.validateProxySpec(context, results, ProxySpec.HTTP, ProxySpec.HTTP_AUTH);
        return results;
    }

    /** The TLS trust, proxy and plain-HTTP rule a connector's configuration asks for. */
    public static Connectivity connectivity(final ConfigurationContext context) {
        final SSLContextProvider ssl = context.getProperty(SSL_CONTEXT_SERVICE).asControllerService(SSLContextProvider.class);
        return new Connectivity(ssl == null ? null : ssl.createContext(), ssl == null ? null : ssl.createTrustManager(),
                ProxyConfiguration.getConfiguration(context), context.getProperty(ALLOW_PLAIN_HTTP).asBoolean());
    }

    /** {@code vendorProperties} followed by {@link #CONNECTIVITY}. */
    public static List<PropertyDescriptor> withConnectivity(final PropertyDescriptor... vendorProperties) {
        final List<PropertyDescriptor> all = new ArrayList<>(List.of(vendorProperties));
        all.addAll(CONNECTIVITY);
        return List.copyOf(all);
    }

    /** "Requests Per Second", with the vendor's own default, ceiling and explanation. */
    public static PropertyDescriptor requestsPerSecond(final String defaultValue, final long max, final String vendorLimit) {
        return new PropertyDescriptor.Builder()
                .name("Requests Per Second")
                .description("Calls a second this service makes at most; on a cluster, the nodes that call share it. " + vendorLimit)
                .required(true)
                .defaultValue(defaultValue)
                .addValidator(StandardValidators.createLongValidator(1, max, true))
                .build();
    }

    /** "Batch Size", with the vendor's own default, ceiling and explanation. */
    public static PropertyDescriptor batchSize(final String defaultValue, final long max, final String what) {
        return new PropertyDescriptor.Builder()
                .name("Batch Size")
                .description(what)
                .required(true)
                .defaultValue(defaultValue)
                .addValidator(StandardValidators.createLongValidator(1, max, true))
                .build();
    }

    /** The transport a connector's Requests Per Second, Timeout, SSL Context, proxy and Allow Plain HTTP ask for. */
    public static HttpTransport transport(final ConfigurationContext context, final PropertyDescriptor requestsPerSecond) {
        final Duration timeout = Duration.ofMillis(context.getProperty(TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS));
        return new HttpTransport(new HttpTransport.Settings(context.getProperty(requestsPerSecond).asInteger(), 4, Duration.ofMillis(250),
                Duration.ofSeconds(10), timeout), connectivity(context));
    }
}
