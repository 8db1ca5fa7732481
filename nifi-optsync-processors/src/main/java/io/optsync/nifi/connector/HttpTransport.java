package io.optsync.nifi.connector;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RateLimiter;
import dev.failsafe.RetryPolicy;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one HTTP path of every connector: OkHttp for the calls, a Failsafe smooth rate limiter so that the connector
 * stays under the vendor's request budget, and a Failsafe retry policy with exponential back-off (or the vendor's
 * {@code Retry-After}) for what is worth retrying: 429, 5xx, timeouts and resets. Every call, retries included, waits
 * for a rate-limiter permit. Writes are idempotent (they set a field to a value), so retrying them is safe.
 */
public final class HttpTransport implements ClusterShare.Limit {
    /** The share by which the retry policy moves each delay either way, so that clients do not retry in step. */
    static final double JITTER = 0.2;

    /** Refines {@link HttpOutcome#of(int)} for a vendor whose faults hide in HTTP 200 or whose limits use 403. */
    @FunctionalInterface
    public interface Classifier {
        HttpOutcome classify(HttpReply reply);

        Classifier STATUS = reply -> HttpOutcome.of(reply.status());
    }

    /**
     * @param requestsPerSecond the request budget
     * @param attempts attempts per call, the first included
     * @param firstDelay the first back-off delay (doubled each time, with jitter)
     * @param maxDelay the longest back-off delay, and the longest a Retry-After is honoured within one call
     * @param timeout the deadline of one attempt, from connecting to the last byte of the reply: a reply that trickles in
     *                slower is cut off at it, not only one whose bytes stop coming
     */
    public record Settings(double requestsPerSecond, int attempts, Duration firstDelay, Duration maxDelay, Duration timeout) {
        public static final Settings DEFAULT = new Settings(5, 4, Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** The largest reply body read: a vendor page is a few megabytes at most; a larger body is refused, not held in memory. */
    public static final long MAX_REPLY_BYTES = 32L * 1024 * 1024;

    private final OkHttpClient client;
    private volatile RateLimiter<Object> rateLimiter;
    private final Settings settings;
    private int members = 1;
    private volatile Runnable demand = () -> { };

    /** A transport that reaches the vendor as {@code connectivity} says (TLS trust, proxy, plain HTTP allowed or not). */
    public HttpTransport(final Settings settings, final Connectivity connectivity) {
        this.settings = settings;
        final OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .connectTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false); // retries are ours, counted and paced
        connectivity.configure(builder);
        this.client = builder.build();
        this.rateLimiter = limiter(settings.requestsPerSecond());
    }

    private static RateLimiter<Object> limiter(final double requestsPerSecond) {
        final long nanosPerPermit = (long) (1_000_000_000L / requestsPerSecond);
        return RateLimiter.smoothBuilder(Duration.ofNanos(Math.max(1, nanosPerPermit))).withMaxWaitTime(Duration.ofMinutes(5)).build();
    }

    @Override
    public void onDemand(final Runnable onCall) {
        this.demand = onCall;
    }

    /** This node's part of the request budget: the budget over the members; none (every call waits) while {@code members} is 0. */
    @Override
    public synchronized void share(final int liveMembers, final int rank) {
        if (liveMembers != members) {
            if (liveMembers > 0) {
                rateLimiter = limiter(settings.requestsPerSecond() / liveMembers);
            }
            members = liveMembers;
            notifyAll();
        }
    }

    /** The requests a second this node may make now. */
    public synchronized double requestsPerSecond() {
        return members == 0 ? 0 : settings.requestsPerSecond() / members;
    }

    private synchronized void awaitPart() throws InterruptedException, ConnectorException {
        final long deadline = System.nanoTime() + ClusterShare.LONGEST_WAIT.toNanos();
        while (members == 0) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw ClusterShare.noPart("request rate");
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * Sends a request, retrying what is worth retrying.
     *
     * @return the reply when it is {@link HttpOutcome#OK} or {@link HttpOutcome#REJECT} (the connector reads the
     *         vendor's reason)
     * @throws ConnectorException when the call still fails after the last attempt (retryable), or cannot be sent
     */
    public HttpReply send(final Request request, final Classifier classifier) throws ConnectorException {
        return send(request, classifier, r -> r);
    }

    /** Prepares each attempt of a call: a vendor that refuses a repeated signature (an OAuth 1.0a nonce) signs every attempt anew. */
    @FunctionalInterface
    public interface Attempt {
        Request prepare(Request request) throws ConnectorException;
    }

    /**
     * Sends a request as {@link #send(Request, Classifier)} does, passing every attempt, retries included, through
     * {@code attempt} first.
     */
    public HttpReply send(final Request request, final Classifier classifier, final Attempt attempt) throws ConnectorException {
        final RetryPolicy<HttpReply> retry = RetryPolicy.<HttpReply>builder()
                .handle(IOException.class)
                .abortOn(Connectivity.RefusedDestination.class)
                .handleResultIf(reply -> classifier.classify(reply) == HttpOutcome.RETRY)
                .withMaxAttempts(settings.attempts())
                .withBackoff(settings.firstDelay(), settings.maxDelay())
                .withJitter(JITTER)
                .withDelayFn(context -> retryAfter(context.getLastResult()))
                .build();
        final HttpReply reply;
        try {
            reply = Failsafe.with(retry).get(() -> {
                demand.run();
                awaitPart();
                rateLimiter.acquirePermit();
                return call(attempt.prepare(request));
            });
        } catch (final FailsafeException e) {
            final Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ConnectorException refused) {
                throw refused;
            }
            if (cause instanceof Connectivity.RefusedDestination refused) {
                throw new ConnectorException("destination", request.method() + " " + safeUrl(request) + ": " + refused.getMessage(), false,
                        Duration.ZERO, refused);
            }
            throw new ConnectorException("network", request.method() + " " + safeUrl(request) + " failed: " + cause.getMessage(), true,
                    Duration.ZERO, cause);
        }
        if (classifier.classify(reply) == HttpOutcome.RETRY) {
            throw new ConnectorException(String.valueOf(reply.status()), request.method() + " " + safeUrl(request) + " still answers "
                    + reply.status() + " after " + settings.attempts() + " attempts", true, retryAfter(reply), null);
        }
        return reply;
    }

    private HttpReply call(final Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            final Map<String, String> headers = new LinkedHashMap<>();
            response.headers().names().forEach(name -> headers.put(name.toLowerCase(Locale.ROOT), response.header(name)));
            final ResponseBody body = response.body();
            return new HttpReply(response.code(), headers, body == null ? new byte[0] : capped(body));
        }
    }

    /** The body, read up to {@link #MAX_REPLY_BYTES}; a longer one fails the attempt as an I/O error (retried, then reported). */
    private static byte[] capped(final ResponseBody body) throws IOException {
        if (body.contentLength() > MAX_REPLY_BYTES) {
            throw new IOException("the reply announces " + body.contentLength() + " bytes, more than the " + MAX_REPLY_BYTES + " read at most");
        }
        final okio.BufferedSource source = body.source();
        if (source.request(MAX_REPLY_BYTES + 1)) {
            throw new IOException("the reply is longer than the " + MAX_REPLY_BYTES + " bytes read at most");
        }
        return source.getBuffer().readByteArray();
    }

    /**
     * The vendor's Retry-After (seconds or an HTTP-date), within the longest delay; a negative duration lets the back-off
     * decide. The retry policy's jitter moves every delay by up to {@link #JITTER} either way, so the asked wait is
     * lengthened first: a retry never comes before the vendor said it may.
     */
    private Duration retryAfter(final HttpReply reply) {
        if (reply == null) {
            return Duration.ofMillis(-1);
        }
        return RetryAfter.parse(reply.header("Retry-After"), Instant.now()).map(asked -> beforeJitter(asked, settings.maxDelay())).orElse(Duration.ofMillis(-1));
    }

    /** The delay to give the retry policy for a wait the vendor asked for (at most {@code longest}): after jitter, no shorter than asked. */
    static Duration beforeJitter(final Duration asked, final Duration longest) {
        final Duration capped = asked.compareTo(longest) > 0 ? longest : asked;
        return Duration.ofNanos((long) Math.ceil(capped.toNanos() / (1 - JITTER)));
    }

    /** The URL without its query, which may hold keys. */
    static String safeUrl(final Request request) {
        return request.url().newBuilder().query(null).build().toString();
    }
}
