package io.optsync.simulators;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stateful in-memory HTTP simulator of one vendor API, on loopback. Every call is counted per endpoint and in a
 * one-second sliding window; a {@link FaultPlan} makes a share of calls fail. Admin calls under {@code /_sim/} are
 * never counted and never fail:
 * <ul>
 * <li>{@code GET /_sim/stats}: calls per endpoint, faults injected, highest calls per second and concurrency;</li>
 * <li>{@code POST /_sim/stats/reset}: zeroes them;</li>
 * <li>{@code POST /_sim/faults?share=0.2&seed=7&timeoutMillis=3000}: sets the fault plan ({@code share=0} stops it);</li>
 * <li>{@code POST /_sim/answer-next?endpoint=GET%20/api/1/list/optout&status=200&contentType=application/json}: the
 * next call to that endpoint gets the request body as its answer, whatever it is (a truncated page, an HTML error
 * page): the way to replay a malformed vendor payload;</li>
 * <li>{@code /_sim/<anything else>}: the vendor simulator's own admin calls (seed data, back doors, state).</li>
 * </ul>
 */
public abstract class SimulatorServer implements AutoCloseable {
    private final CallStats stats = new CallStats();
    private volatile FaultPlan faultPlan = FaultPlan.NONE;
    private Random faultRandom = FaultPlan.NONE.random();
    private final Map<String, Deque<SimResponse>> cannedAnswers = new ConcurrentHashMap<>();
    private final Map<String, Deque<Runnable>> afterCalls = new ConcurrentHashMap<>();
    private final Map<String, Deque<FaultPlan.Fault>> forcedFaults = new ConcurrentHashMap<>();
    private volatile long latencyMillis;
    private HttpServer server;
    private ExecutorService executor;

    private final java.util.Set<String> issuedSecrets = ConcurrentHashMap.newKeySet();

    /** Records a token or session id the vendor hands out, and returns it. */
    protected final String issued(final String secret) {
        issuedSecrets.add(secret);
        return secret;
    }

    /** Every access token, refresh token and session id this vendor handed out: none may show in state, logs or flows. */
    public java.util.Set<String> issuedSecrets() {
        return java.util.Set.copyOf(issuedSecrets);
    }

    /** The vendor's name, for logs and the admin API. */
    public abstract String vendor();

    /** The endpoint a call counts under, such as {@code "GET /api/1/list/optout"}. */
    protected abstract String endpointOf(SimRequest request);

    /** Answers a vendor call. */
    protected abstract SimResponse handle(SimRequest request) throws Exception;

    /** Answers a vendor-specific admin call ({@code /_sim/...}); 404 by default. */
    protected SimResponse admin(final SimRequest request) throws Exception {
        return SimResponse.json(404, Map.of("error", "no such admin call: " + request.method() + " " + request.path()));
    }

    /**
     * The vendor's own answer when a call is over its rate limit, or {@code null} to serve it.
     *
     * @param callsInLastSecond calls in the last second, this one included
     */
    protected SimResponse overLimit(final SimRequest request, final int callsInLastSecond) {
        return null;
    }

    /** How long every vendor call takes to answer, as a slow vendor would (0 by default). */
    public void latency(final long millis) {
        this.latencyMillis = millis;
    }

    /** The vendor's own answer to a client over its request limit; a 429 unless the vendor says otherwise. */
    protected SimResponse vendorLimitError() {
        return injectedError(429);
    }

    /** The body of an injected 500, 503 or 429, in the vendor's error shape. */
    protected SimResponse injectedError(final int status) {
        return vendorError(status, "injected fault");
    }

    /** An error in the vendor's own shape; simulators override it with their vendor's envelope. */
    protected SimResponse vendorError(final int status, final String message) {
        return SimResponse.json(status, Map.of("error", message, "status", status));
    }

    /** A request this simulator does not implement: the vendor's 404 in its own shape, and a "not simulated" line. */
    protected SimResponse notSimulated(final SimRequest request) {
        System.err.println("not simulated: " + vendor() + " " + request.method() + " " + request.path());
        return vendorError(404, "not simulated: " + request.method() + " " + request.path());
    }

    public SimulatorServer start(final int port) throws IOException {
        return serve(HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256));
    }

    /** Serves HTTPS, as the vendor does, with a certificate of {@code tls} (a {@link TestCertificates#serverContext()}). */
    public SimulatorServer startHttps(final int port, final SSLContext tls) throws IOException {
        final HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        return serve(https);
    }

    private SimulatorServer serve(final HttpServer created) {
        server = created;
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + port();
    }

    public CallStats stats() {
        return stats;
    }

    /**
     * A credential outage, as when a password is changed, a key rotated or a user deactivated: while on, the vendor
     * ends every session and refuses the credential the connector holds, in its own error shape; afterwards that
     * credential works again. Not every vendor simulator has one.
     */
    public void credentialsRefused(final boolean on) {
        throw new UnsupportedOperationException(vendor() + " has no credential outage");
    }

    public synchronized void faults(final FaultPlan plan) {
        this.faultPlan = plan;
        this.faultRandom = plan.random();
    }

    /** The next call to {@code endpoint} (as {@link #endpointOf} names it) gets {@code answer}, then calls are served again. */
    public void answerNext(final String endpoint, final SimResponse answer) {
        cannedAnswers.computeIfAbsent(endpoint, e -> new ConcurrentLinkedDeque<>()).add(answer);
    }

    /** The next call to {@code endpoint} meets {@code fault} whatever the fault plan says; queued faults come one call each. */
    public void faultNext(final String endpoint, final FaultPlan.Fault fault) {
        forcedFaults.computeIfAbsent(endpoint, e -> new ConcurrentLinkedDeque<>()).add(fault);
    }

    /**
     * Runs {@code action} once, right after the next call to {@code endpoint} is answered and before the client reads
     * the answer: a change made by somebody else while a client is in the middle of paging, for example.
     */
    public void afterNextCall(final String endpoint, final Runnable action) {
        afterCalls.computeIfAbsent(endpoint, e -> new ConcurrentLinkedDeque<>()).add(action);
    }

    /** Drops every action {@link #afterNextCall} scheduled that has not run yet. */
    public void cancelAfterCalls() {
        afterCalls.clear();
    }

    private void runAfterCall(final String endpoint) {
        final Deque<Runnable> actions = afterCalls.get(endpoint);
        final Runnable action = actions == null ? null : actions.poll();
        if (action != null) {
            action.run();
        }
    }

    private SimResponse cannedAnswer(final String endpoint) {
        final Deque<SimResponse> answers = cannedAnswers.get(endpoint);
        return answers == null ? null : answers.poll();
    }

    /** The fault {@link #faultNext} queued for this endpoint, else the fault plan's pick. */
    private synchronized FaultPlan.Fault nextFault(final String endpoint) {
        final Deque<FaultPlan.Fault> forced = forcedFaults.get(endpoint);
        final FaultPlan.Fault queued = forced == null ? null : forced.poll();
        return queued != null ? queued : faultPlan.pick(faultRandom);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void exchange(final HttpExchange exchange) throws IOException {
        try {
            final SimRequest request = read(exchange);
            if (request.path().startsWith("/_sim/")) {
                send(exchange, commonAdmin(request));
                return;
            }
            stats.enter();
            final boolean[] left = {false};
            try {
                final String endpoint = endpointOf(request);
                final int rate = stats.record(endpoint, System.nanoTime());
                final SimResponse canned = cannedAnswer(endpoint);
                final FaultPlan.Fault fault = canned != null ? FaultPlan.Fault.NONE : nextFault(endpoint);
                switch (fault) {
                    case NONE -> {
                        final SimResponse limited = canned == null ? overLimit(request, rate) : null;
                        if (limited == null && latencyMillis > 0) {
                            Thread.sleep(latencyMillis);
                        }
                        final SimResponse answer = canned != null ? canned : limited != null ? limited : handle(request);
                        runAfterCall(endpoint);
                        // the call is over once answered: a client may open its next one as soon as it reads this answer
                        stats.leave();
                        left[0] = true;
                        send(exchange, answer);
                    }
                    case RESET -> {
                        stats.fault("reset");
                        exchange.close(); // no status line: the client sees the connection end
                    }
                    case LOST_RESPONSE -> {
                        stats.fault("lost-response");
                        handle(request); // applied, but the answer never leaves
                        exchange.close();
                    }
                    case TIMEOUT -> {
                        stats.fault("timeout");
                        Thread.sleep(faultPlan.timeoutMillis());
                        send(exchange, injectedError(504));
                    }
                    case SERVER_ERROR -> {
                        stats.fault("500");
                        send(exchange, injectedError(500));
                    }
                    case UNAVAILABLE -> {
                        stats.fault("503");
                        send(exchange, injectedError(503));
                    }
                    case TOO_MANY_REQUESTS -> {
                        stats.fault("429");
                        send(exchange, injectedError(429));
                    }
                    case VENDOR_LIMIT -> {
                        stats.fault("vendor-limit");
                        send(exchange, vendorLimitError());
                    }
                }
            } finally {
                if (!left[0]) {
                    stats.leave();
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        } catch (final Exception e) {
            // what the simulator does not understand is its own gap, not the client's fault: the vendor's own error
            // shape, no Java text in the answer, and a line that names what is missing
            System.err.println("not simulated: " + vendor() + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + ": " + e);
            send(exchange, vendorError(500, "not simulated"));
        } finally {
            exchange.close();
        }
    }

    private SimResponse commonAdmin(final SimRequest request) throws Exception {
        final String route = request.method() + " " + request.path();
        switch (route) {
            case "GET /_sim/stats" -> {
                final Map<String, Object> body = new LinkedHashMap<>(stats.snapshot());
                body.put("vendor", vendor());
                return SimResponse.json(200, body);
            }
            case "POST /_sim/stats/reset" -> {
                stats.reset();
                return SimResponse.empty(204);
            }
            case "POST /_sim/faults" -> {
                final double share = Double.parseDouble(valueOr(request.queryParam("share"), "0"));
                final long seed = Long.parseLong(valueOr(request.queryParam("seed"), "1"));
                final long timeout = Long.parseLong(valueOr(request.queryParam("timeoutMillis"), "3000"));
                faults(new FaultPlan(share, seed, timeout));
                return SimResponse.json(200, Map.of("share", share, "seed", seed, "timeoutMillis", timeout));
            }
            case "POST /_sim/answer-next" -> {
                final String endpoint = request.queryParam("endpoint");
                final int status = Integer.parseInt(valueOr(request.queryParam("status"), "200"));
                final Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Content-Type", valueOr(request.queryParam("contentType"), "application/json"));
                answerNext(endpoint, new SimResponse(status, headers, request.body()));
                return SimResponse.empty(204);
            }
            default -> {
                return admin(request);
            }
        }
    }

    private static String valueOr(final String value, final String fallback) {
        return value == null ? fallback : value;
    }

    private static SimRequest read(final HttpExchange exchange) throws IOException {
        final Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        final byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        final Map<String, List<String>> query = SimRequest.parseUrlEncoded(exchange.getRequestURI().getRawQuery());
        return new SimRequest(exchange.getRequestMethod().toUpperCase(Locale.ROOT), exchange.getRequestURI().getPath(), query, headers, body);
    }

    private static void send(final HttpExchange exchange, final SimResponse response) throws IOException {
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        final boolean noBody = response.body().length == 0;
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }
}
