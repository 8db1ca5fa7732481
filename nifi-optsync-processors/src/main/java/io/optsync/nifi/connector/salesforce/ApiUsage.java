package io.optsync.nifi.connector.salesforce;

import io.optsync.nifi.connector.ConnectorException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The org's daily API budget as Salesforce reports it on every response ({@code Sforce-Limit-Info:
 * api-usage=18/100000}). Salesforce sends no Retry-After and refuses with 403 {@code REQUEST_LIMIT_EXCEEDED} once the
 * budget is spent, which stops every integration of the org: optsync stops calling before that, at the ceiling.
 */
final class ApiUsage {
    private static final Pattern USAGE = Pattern.compile("api-usage=(\\d+)/(\\d+)");

    private static final long PROBE_AFTER_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);

    private final double ceiling;
    private volatile long used = -1;
    private volatile long limit = -1;
    private volatile long observedAt;

    /** @param ceiling the share of the daily allocation optsync may use up to, 0 to 1 */
    ApiUsage(final double ceiling) {
        this.ceiling = ceiling;
    }

    /** Reads the header of a response; absent or malformed headers change nothing. */
    void observe(final String header) {
        if (header == null) {
            return;
        }
        final Matcher matcher = USAGE.matcher(header);
        if (matcher.find()) {
            used = Long.parseLong(matcher.group(1));
            limit = Long.parseLong(matcher.group(2));
            observedAt = System.nanoTime();
        }
    }

    /**
     * Refuses a call, retryably, once the org's usage has reached the ceiling; one call every 5 minutes goes through
     * to learn whether the rolling allocation has freed up.
     */
    void checkBeforeCall() throws ConnectorException {
        final long u = used;
        final long l = limit;
        if (l > 0 && u >= ceiling * l && System.nanoTime() - observedAt < PROBE_AFTER_NANOS) {
            throw new ConnectorException("api-usage", String.format(java.util.Locale.ROOT,
                    "Salesforce API usage is %,d of %,d today, at or above the ceiling of %.0f %%: no call until it falls (the allocation is "
                            + "a rolling 24 hours)", u, l, ceiling * 100), true, java.time.Duration.ofMinutes(5), null);
        }
    }

    long used() {
        return used;
    }

    long limit() {
        return limit;
    }

    /** The usage last reported against the ceiling, in words, or {@code null} before any response said. */
    String describe() {
        final long u = used;
        final long l = limit;
        if (l <= 0) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "%,d of the org's %,d API requests used in the last 24 hours (%.1f %%); optsync stops calling at %.0f %%",
                u, l, 100.0 * u / l, ceiling * 100);
    }
}
