package io.optsync.nifi.connector;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Duration;
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

    private ConnectorProperties() {
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

    /** The transport a connector's Requests Per Second and Timeout ask for. */
    public static HttpTransport transport(final ConfigurationContext context, final PropertyDescriptor requestsPerSecond) {
        final Duration timeout = Duration.ofMillis(context.getProperty(TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS));
        return new HttpTransport(new HttpTransport.Settings(context.getProperty(requestsPerSecond).asInteger(), 4, Duration.ofMillis(250),
                Duration.ofSeconds(10), timeout));
    }
}
