package io.optsync.simulators;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Act-On REST API ({@code shared/vendor-apis.md} sections 6 and 13), one account:
 * <ul>
 * <li>{@code POST /token}: password and refresh grants. At most 5 password grant calls an hour, refused ones included
 * ("5 auth calls per hour": the 6th is refused);
 * access tokens live 1 hour; each refresh token is single-use and every newly issued token invalidates the older
 * refresh tokens.</li>
 * <li>{@code GET /api/1/list/optout} and {@code /api/1/list/hardbounce}: {@code count} (at most 1000), {@code offset},
 * {@code createdafter}/{@code createdbefore} in Unix milliseconds; {@code totalCount} is always -1.</li>
 * <li>{@code PUT /api/1/list/optout}: multipart upload, field {@code file}, a one-column CSV of addresses; invalid
 * addresses are rejected and counted in {@code rejectedRecords}.</li>
 * <li>{@code PUT /api/1/list/optin}: a gated feature, refused with 403 unless turned on.</li>
 * <li>5 calls a second per account; the 6th within a second is refused with 429 (Act-On does not document the status
 * or body of this refusal: an assumption, like the 429 for the 6th password grant of an hour).</li>
 * </ul>
 * Admin calls: {@code POST /_sim/acton/optouts} (JSON array of addresses, added by "User"), {@code GET
 * /_sim/acton/optouts}, {@code POST /_sim/acton/hardbounces}, {@code GET /_sim/acton/auth} (grants made),
 * {@code POST /_sim/acton/expire-tokens}, {@code POST /_sim/acton/settings?rateLimit=false&optinFeature=true}.
 */
public final class ActOnSimulator extends SimulatorServer {
    public static final String USERNAME = "optsync@example.com";
    public static final String PASSWORD = "acton-password";
    public static final String CLIENT_ID = "optsync-client";
    public static final String CLIENT_SECRET = "acton-client-secret";
    static final int CALLS_PER_SECOND = 5;
    static final int PASSWORD_GRANTS_PER_HOUR = 5;
    private static final long TOKEN_LIFETIME_MS = 3_600_000L;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+");

    /** One row of an Act-On list: the address as given, when it was added (Unix ms), and by what. */
    public record Entry(String email, long timestamp, String origin) {
    }

    private final Clock clock;
    private final Map<String, Entry> optOuts = new LinkedHashMap<>();
    private final Map<String, Entry> hardBounces = new LinkedHashMap<>();
    private final Map<String, Long> accessTokens = new LinkedHashMap<>();
    private final ArrayDeque<Long> passwordGrantTimes = new ArrayDeque<>();
    private String validRefreshToken;
    private int passwordGrants;
    private int refreshGrants;
    private int refusedGrants;
    private int passwordGrantCalls;
    private boolean credentialsRefused;
    private volatile boolean rateLimit = true;
    private volatile boolean optinFeature;

    public ActOnSimulator(final Clock clock) {
        this.clock = clock;
    }

    public ActOnSimulator() {
        this(Clock.systemUTC());
    }

    /** Seeds {@code count} opted-out addresses, added over the past days, the same for the same seed. */
    public synchronized ActOnSimulator seed(final int count, final long seed) {
        final Random random = new Random(seed);
        final long now = clock.millis();
        for (int i = 0; i < count; i++) {
            final String email = "acton.optout" + i + "@example" + (i % 7) + ".com";
            addOptOut(email, now - 86_400_000L * (1 + random.nextInt(30)) + i, "User: Marketing via Act-On");
        }
        return this;
    }

    @Override
    public String vendor() {
        return "act-on";
    }

    @Override
    protected String endpointOf(final SimRequest request) {
        return request.method() + " " + request.path();
    }

    @Override
    protected SimResponse overLimit(final SimRequest request, final int callsInLastSecond) {
        if (rateLimit && callsInLastSecond > CALLS_PER_SECOND) {
            stats().fault("rate-limited");
            return error(429, "Too Many Requests", "Rate limit exceeded: " + CALLS_PER_SECOND + " calls per second");
        }
        return null;
    }

    @Override
    protected SimResponse vendorError(final int status, final String message) {
        return error(status, status == 429 ? "Too Many Requests" : status == 503 ? "Service Unavailable" : status == 404 ? "Not Found"
                : "Internal Server Error", message);
    }

    private static SimResponse error(final int status, final String message, final String detail) {
        return SimResponse.json(status, Map.of("httpCode", status, "httpMessage", message, "moreInformation", detail));
    }

    @Override
    protected synchronized SimResponse handle(final SimRequest request) {
        final String route = request.method() + " " + request.path();
        if (route.equals("POST /token")) {
            return token(request.form());
        }
        if (!authorized(request)) {
            return SimResponse.json(401, Map.of("error", "access_denied", "error_description", "Unauthorized"));
        }
        return switch (route) {
            case "GET /api/1/list/optout" -> page(optOuts, request);
            case "GET /api/1/list/hardbounce" -> page(hardBounces, request);
            case "PUT /api/1/list/optout" -> upload(request, true);
            case "PUT /api/1/list/optin" -> optinFeature ? upload(request, false)
                    : error(403, "Forbidden", "FEATURE_NOT_ENABLED: removing opt-outs is a controlled feature");
            default -> error(404, "Not Found", "no such endpoint: " + route);
        };
    }

    private boolean authorized(final SimRequest request) {
        final String header = request.header("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        final Long expiry = accessTokens.get(header.substring("Bearer ".length()).trim());
        return expiry != null && expiry > clock.millis();
    }

    private SimResponse token(final Map<String, String> form) {
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            refusedGrants++;
            return SimResponse.json(401, Map.of("error", "invalid_client", "error_description", "Bad client credentials"));
        }
        final String grant = String.valueOf(form.get("grant_type"));
        if (grant.equals("password")) {
            final long now = clock.millis();
            while (!passwordGrantTimes.isEmpty() && passwordGrantTimes.peekFirst() <= now - 3_600_000L) {
                passwordGrantTimes.removeFirst();
            }
            if (passwordGrantTimes.size() >= PASSWORD_GRANTS_PER_HOUR) {
                refusedGrants++;
                return SimResponse.json(429, Map.of("error", "too_many_requests",
                        "error_description", "At most " + PASSWORD_GRANTS_PER_HOUR + " password grants an hour"));
            }
            passwordGrantTimes.addLast(now); // every call counts, a refused one too
            passwordGrantCalls++;
            if (credentialsRefused || !USERNAME.equals(form.get("username")) || !PASSWORD.equals(form.get("password"))) {
                refusedGrants++;
                return SimResponse.json(401, Map.of("error", "invalid_grant", "error_description", "Bad username or password"));
            }
            passwordGrants++;
            return issueTokens();
        }
        if (grant.equals("refresh_token")) {
            final String refresh = form.get("refresh_token");
            if (refresh == null || !refresh.equals(validRefreshToken)) {
                refusedGrants++;
                return SimResponse.json(401, Map.of("error", "invalid_grant", "error_description", "Invalid refresh token"));
            }
            refreshGrants++;
            return issueTokens();
        }
        refusedGrants++;
        return SimResponse.json(400, Map.of("error", "unsupported_grant_type", "error_description", grant));
    }

    private SimResponse issueTokens() {
        final String access = issued(UUID.randomUUID().toString());
        accessTokens.put(access, clock.millis() + TOKEN_LIFETIME_MS);
        validRefreshToken = issued(UUID.randomUUID().toString()); // single-use: every new token invalidates the older refresh tokens
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access);
        body.put("refresh_token", validRefreshToken);
        body.put("scope", "offline-access");
        body.put("token_type", "Bearer");
        body.put("expires_in", TOKEN_LIFETIME_MS / 1000);
        return SimResponse.json(200, body);
    }

    private SimResponse page(final Map<String, Entry> list, final SimRequest request) {
        final int count = Math.min(1000, Math.max(1, parseInt(request.queryParam("count"), 1000)));
        final int offset = Math.max(0, parseInt(request.queryParam("offset"), 0));
        final long after = parseLong(request.queryParam("createdafter"), Long.MIN_VALUE);
        final long before = parseLong(request.queryParam("createdbefore"), Long.MAX_VALUE);
        final List<Map<String, Object>> result = new ArrayList<>();
        int index = 0;
        for (final Entry entry : list.values()) {
            if (entry.timestamp() <= after || entry.timestamp() >= before) {
                continue;
            }
            if (index++ < offset) {
                continue;
            }
            if (result.size() == count) {
                break;
            }
            result.add(Map.of("email", entry.email(), "timestamp", entry.timestamp(), "origin", entry.origin()));
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("offset", offset);
        body.put("count", result.size());
        body.put("totalCount", -1);
        body.put("result", result);
        return SimResponse.json(200, body);
    }

    private SimResponse upload(final SimRequest request, final boolean optOut) {
        final String csv = Multipart.part(request.header("Content-Type"), request.body(), "file");
        if (csv == null) {
            return error(400, "Bad Request", "expected multipart/form-data with a 'file' part");
        }
        int valid = 0;
        int rejected = 0;
        int empty = 0;
        for (final String line : csv.split("\r?\n", -1)) {
            final String address = line.trim();
            if (address.isEmpty()) {
                empty++;
            } else if (!EMAIL.matcher(address).matches()) {
                rejected++;
            } else {
                valid++;
                if (optOut) {
                    addOptOut(address, clock.millis(), "User: " + USERNAME + " via Act-On API");
                } else {
                    optOuts.remove(address.toLowerCase(Locale.ROOT));
                }
            }
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("message", rejected + " invalid or empty records rejected. " + valid + " valid records processed.");
        body.put("emptyRecords", empty);
        body.put("rejectedRecords", rejected);
        body.put("rejectedRecordsUrl", rejected == 0 ? "" : "bad_optout_records_" + UUID.randomUUID() + ".csv");
        return SimResponse.json(200, body);
    }

    private void addOptOut(final String email, final long timestamp, final String origin) {
        optOuts.putIfAbsent(email.toLowerCase(Locale.ROOT), new Entry(email, timestamp, origin));
    }

    @Override
    protected synchronized SimResponse admin(final SimRequest request) throws Exception {
        final String route = request.method() + " " + request.path();
        switch (route) {
            case "POST /_sim/acton/optouts" -> {
                for (final String email : SimResponse.JSON.readValue(request.body(), String[].class)) {
                    addOptOut(email, clock.millis(), "User: Marketing via Act-On");
                }
                return SimResponse.json(200, Map.of("optOuts", optOuts.size()));
            }
            case "GET /_sim/acton/optouts" -> {
                return SimResponse.json(200, new ArrayList<>(optOuts.values()));
            }
            case "POST /_sim/acton/hardbounces" -> {
                for (final String email : SimResponse.JSON.readValue(request.body(), String[].class)) {
                    hardBounces.putIfAbsent(email.toLowerCase(Locale.ROOT), new Entry(email, clock.millis(), "Hard bounce"));
                }
                return SimResponse.json(200, Map.of("hardBounces", hardBounces.size()));
            }
            case "GET /_sim/acton/auth" -> {
                return SimResponse.json(200, Map.of("passwordGrants", passwordGrants, "refreshGrants", refreshGrants, "refusedGrants", refusedGrants));
            }
            case "POST /_sim/acton/expire-tokens" -> {
                accessTokens.replaceAll((token, expiry) -> 0L);
                return SimResponse.empty(204);
            }
            case "POST /_sim/acton/settings" -> {
                if (request.queryParam("rateLimit") != null) {
                    rateLimit = Boolean.parseBoolean(request.queryParam("rateLimit"));
                }
                if (request.queryParam("optinFeature") != null) {
                    optinFeature = Boolean.parseBoolean(request.queryParam("optinFeature"));
                }
                return SimResponse.json(200, Map.of("rateLimit", rateLimit, "optinFeature", optinFeature));
            }
            default -> {
                return super.admin(request);
            }
        }
    }

    /** An opt-out made in Act-On itself (a recipient unsubscribing, or a marketer adding the address). */
    public synchronized void optOut(final String email) {
        addOptOut(email, clock.millis(), "User: Marketing via Act-On");
    }

    /** The opted-out addresses, lower-cased. */
    public synchronized List<String> optOutAddresses() {
        return new ArrayList<>(optOuts.keySet());
    }

    public synchronized int passwordGrants() {
        return passwordGrants;
    }

    /** Password grant calls, refused ones included: what Act-On's hourly limit counts. */
    public synchronized int passwordGrantCalls() {
        return passwordGrantCalls;
    }

    /**
     * A credential outage (the account's password changed, the user locked): while on, every token is revoked, refresh
     * tokens included, and the password grant is refused as a wrong password; afterwards the password works again.
     */
    @Override
    public synchronized void credentialsRefused(final boolean on) {
        credentialsRefused = on;
        if (on) {
            accessTokens.clear();
            validRefreshToken = null;
        }
    }

    public synchronized int refreshGrants() {
        return refreshGrants;
    }

    public void rateLimit(final boolean on) {
        this.rateLimit = on;
    }

    private static int parseInt(final String value, final int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (final NumberFormatException e) {
            return fallback;
        }
    }

    private static long parseLong(final String value, final long fallback) {
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (final NumberFormatException e) {
            return fallback;
        }
    }
}
