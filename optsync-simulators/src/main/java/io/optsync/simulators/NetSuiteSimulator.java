package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NetSuite SuiteTalk REST ({@code shared/vendor-netsuite.md}, checklist in section 11), one account, under
 * {@code /services/rest}:
 * <ul>
 * <li>{@code POST /auth/oauth2/v1/token}: client credentials with a JWT client assertion signed PS256 with
 * {@link #CERTIFICATE_KEYS} ({@code kid} the certificate id, {@code iss} the client id, {@code aud} the token URL,
 * scope {@code rest_webservices}, at most an hour between {@code iat} and {@code exp}); {@code expires_in: 3600}, no
 * refresh token; anything else 400 {@code invalid_grant}. TBA (OAuth 1.0a) is not simulated.</li>
 * <li>{@code POST /query/v1/suiteql?limit&offset}: requires {@code Prefer: transient}; the SuiteQL optsync sends
 * ({@link #query}); values come back as strings, keys lower-case; {@code limit} at most 1000, {@code offset} a multiple
 * of {@code limit}; a query past 100,000 rows ({@link #maxRowsPerQuery(int)}) fails.</li>
 * <li>{@code PATCH /record/v1/{customer|contact}/{id}} with {@code globalSubscriptionStatus} as {@code {"id"}} or
 * {@code {"refName"}}: 204 with {@code Location}; the company may set only the soft statuses (1, 2) and may not move
 * a record away from 4 (Confirmed Opt-Out): 400 {@code INVALID_CONTENT}; 404 {@code NONEXISTENT_ID}. A write moves
 * {@code lastModifiedDate}.</li>
 * <li>Batch {@code PATCH /record/v1/{customer|contact}} ({@code Prefer: respond-async}, {@code Content-Type:
 * application/vnd.oracle.resource+json; type=collection}, {@code {"items":[{"id":…, …}]}}, at most 100 records): 202 with
 * {@code Preference-Applied} and a relative {@code Location} of the job, as NetSuite's example shows it; a repeated
 * {@code X-NetSuite-Idempotency-Key} is 400 {@code IDEMPOTENCY_ERROR} with the earlier job's {@code Location}. The job
 * runs its items, one task each and in order, once its status has been read {@link #asyncPendingReads(int)} times
 * (pending before); {@code GET /async/v1/job/{id}}, {@code …/task}, {@code …/task/{n}} and {@code …/task/{n}/result}
 * (the item's own reply: 204, or the error a single PATCH gets). A job's progress once done is {@code succeeded}, or
 * {@code failed} when a task failed (NetSuite documents only {@code pending} and {@code succeeded}).</li>
 * <li>One account-wide concurrency limit (default 5, {@link #concurrencyLimit(int)}): past it,
 * {@code 429 CONCURRENCY_LIMIT_EXCEEDED} in NetSuite's error shape. {@code GET /system/v1/governanceLimits}.</li>
 * <li>{@link #recipientUnsubscribe(String, boolean)}: a recipient's unsubscribe, which NetSuite applies as Confirmed
 * Opt-Out to every entity with the address, with or without moving {@code lastModifiedDate} (unknown in NetSuite).</li>
 * </ul>
 */
public final class NetSuiteSimulator extends SimulatorServer {
    public static final String CLIENT_ID = "optsync-netsuite-integration";
    public static final String CERTIFICATE_ID = "hxz4Hw3aFvuKP4Tt3SmE1jvUBtQXrtsKBFg5AcL8SGw";
    /** The key pair whose public half is the certificate mapped to the integration: the connector signs with the private half. */
    public static final KeyPair CERTIFICATE_KEYS = rsaKeys();
    /** Token-based authentication: the account (realm), the integration's consumer and the user's token. */
    public static final String ACCOUNT_ID = "1234567_SB1";
    public static final String CONSUMER_KEY = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4";
    public static final String CONSUMER_SECRET = "d6c2cb4b1f1c8a0c63b8b0c52a7d2e3b4e0e86a1e3d7a3f3c9d0b2a5f6e7d8c9";
    public static final String TOKEN_ID = "2c2eb8b1b4d0e25a2c4a0b9f5f6e3a1d7c8b9a0f1e2d3c4b5a6978877665544";
    public static final String TOKEN_SECRET = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";
    private static final DateTimeFormatter DB = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Map<String, String> LABELS = Map.of("1", "Soft Opt-In", "2", "Soft Opt-Out", "3", "Confirmed Opt-In", "4", "Confirmed Opt-Out");
    private static final Pattern RECORD = Pattern.compile("/services/rest/record/v1/(customer|contact)/(\\d+)");
    private static final Pattern COLLECTION = Pattern.compile("/services/rest/record/v1/(customer|contact)");
    private static final Pattern JOB = Pattern.compile("/services/rest/async/v1/job/(\\d+)(/task(?:/(\\d+)(/result)?)?)?");
    private static final int BATCH_MAX = 100;

    /** A customer (lead, prospect or customer by stage) or a contact. */
    public static final class Entity {
        final String type;
        final String id;
        String email;
        String stage;
        String status;
        Instant lastModified;
        final Map<String, String> custom = new HashMap<>();

        Entity(final String type, final String id) {
            this.type = type;
            this.id = id;
        }

        public String id() {
            return id;
        }

        public String type() {
            return type;
        }

        public String email() {
            return email;
        }

        /** globalSubscriptionStatus: "1" to "4". */
        public String status() {
            return status;
        }

        public Instant lastModified() {
            return lastModified;
        }

        /** Sets a custom field (custentity_...), as an administrator's field would hold it; the record is modified. */
        public void custom(final String field, final String value) {
            custom.put(field, value);
            lastModified = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        }

        String value(final String column) {
            return switch (column) {
                case "id" -> id;
                case "email" -> email;
                case "globalsubscriptionstatus" -> status;
                case "searchstage" -> stage;
                case "lastmodifieddate" -> DB.format(lastModified.atOffset(ZoneOffset.UTC));
                default -> {
                    if (!column.startsWith("custentity")) {
                        throw new IllegalArgumentException("Unknown identifier '" + column + "'");
                    }
                    yield custom.get(column);
                }
            };
        }
    }

    private final Clock clock;
    private final Map<String, Entity> entities = new LinkedHashMap<>();
    private final Map<String, Instant> tokens = new HashMap<>();
    private final java.util.Set<String> nonces = new java.util.HashSet<>();
    private int tokenBasedRefusals;
    private volatile int concurrencyLimit = 5;
    private volatile int maxRowsPerQuery = 100_000;
    private int nextId = 100;
    private int grants;
    private boolean credentialsRefused;
    private final Map<String, Job> jobs = new HashMap<>();
    private final Map<String, String> idempotencyKeys = new HashMap<>();
    private int asyncPendingReads = 1;

    /** A batch request's job: one task per item, run when its status has been read often enough. */
    private static final class Job {
        final String id;
        final String type;
        final List<JsonNode> items;
        int pendingReads;
        List<SimResponse> results; // null until the job ran

        Job(final String id, final String type, final List<JsonNode> items, final int pendingReads) {
            this.id = id;
            this.type = type;
            this.items = items;
            this.pendingReads = pendingReads;
        }
    }

    public NetSuiteSimulator(final Clock clock) {
        this.clock = clock;
    }

    public NetSuiteSimulator() {
        this(Clock.systemUTC());
    }

    @Override
    public String vendor() {
        return "netsuite";
    }

    @Override
    protected String endpointOf(final SimRequest request) {
        if (RECORD.matcher(request.path()).matches()) {
            return request.method() + " /services/rest/record/v1/{type}/{id}";
        }
        if (COLLECTION.matcher(request.path()).matches()) {
            return request.method() + " /services/rest/record/v1/{type}";
        }
        final Matcher job = JOB.matcher(request.path());
        if (job.matches()) {
            return request.method() + " /services/rest/async/v1/job/{id}" + (job.group(2) == null ? "" : job.group(3) == null ? "/task"
                    : job.group(4) == null ? "/task/{n}" : "/task/{n}/result");
        }
        return request.method() + " " + request.path();
    }

    static SimResponse error(final int status, final String title, final String code, final String detail) {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html");
        body.put("title", title);
        body.put("status", status);
        body.put("o:errorDetails", List.of(Map.of("detail", detail, "o:errorCode", code)));
        return SimResponse.json(status, body);
    }

    @Override
    protected SimResponse vendorError(final int status, final String message) {
        return error(status, status == 404 ? "Not Found" : "Internal Server Error", status == 404 ? "NONEXISTENT_ID" : "UNEXPECTED_ERROR", message);
    }

    @Override
    protected SimResponse injectedError(final int status) {
        return error(status, status == 429 ? "Bad Request" : "Internal Server Error", status == 429 ? "CONCURRENCY_LIMIT_EXCEEDED" : "UNEXPECTED_ERROR",
                status == 429 ? "Concurrent request limit exceeded. Request blocked." : "An unexpected error occurred. Error ID: " + UUID.randomUUID());
    }

    @Override
    protected SimResponse vendorLimitError() {
        return injectedError(429);
    }

    @Override
    protected SimResponse overLimit(final SimRequest request, final int callsInLastSecond) {
        if (stats().inFlight() > concurrencyLimit) {
            stats().fault("concurrency-limit");
            return injectedError(429);
        }
        return null;
    }

    public void concurrencyLimit(final int limit) {
        this.concurrencyLimit = limit;
    }

    public void maxRowsPerQuery(final int rows) {
        this.maxRowsPerQuery = rows;
    }

    /** How many reads of a new job's status answer "pending" before the job runs (default 1); a large number keeps it pending. */
    public synchronized void asyncPendingReads(final int reads) {
        this.asyncPendingReads = reads;
    }

    // ---- data, for tests and scenarios

    /** Seeds customers (a third of them leads) and contacts; a fifth soft opt-out, a few confirmed opt-out or opt-in. */
    public synchronized NetSuiteSimulator seed(final int count, final long seed) {
        final Random random = new Random(seed);
        final Instant base = now().minus(60, ChronoUnit.DAYS);
        for (int i = 0; i < count; i++) {
            final int roll = random.nextInt(20);
            final String status = roll < 3 ? "2" : roll == 3 ? "4" : roll == 4 ? "3" : "1";
            final Entity entity = create(i % 4 == 3 ? "contact" : "customer", "ns.entity" + i + "@example" + (i % 5) + ".com", status);
            entity.stage = entity.type.equals("customer") ? (i % 3 == 0 ? "LEAD" : "CUSTOMER") : null;
            entity.lastModified = base.plusSeconds(i * 60L);
        }
        return this;
    }

    public synchronized Entity create(final String type, final String email, final String status) {
        final Entity entity = new Entity(type, String.valueOf(++nextId));
        entity.email = email;
        entity.status = status;
        entity.stage = type.equals("customer") ? "CUSTOMER" : null;
        entity.lastModified = now();
        entities.put(type + "/" + entity.id, entity);
        return entity;
    }

    public synchronized Entity lead(final String email, final String status) {
        final Entity lead = create("customer", email, status);
        lead.stage = "LEAD";
        return lead;
    }

    public synchronized Entity entity(final String type, final String id) {
        return entities.get(type + "/" + id);
    }

    public synchronized List<Entity> withEmail(final String email) {
        return entities.values().stream().filter(e -> e.email != null && e.email.equalsIgnoreCase(email.trim())).toList();
    }

    public synchronized List<Entity> all() {
        return List.copyOf(entities.values());
    }

    /** A company user setting a status in the UI. */
    public synchronized void setStatus(final String type, final String id, final String status) {
        final Entity entity = entities.get(type + "/" + id);
        entity.status = status;
        entity.lastModified = now();
    }

    /** A recipient unsubscribing from a campaign: Confirmed Opt-Out on every entity with the address. */
    public synchronized void recipientUnsubscribe(final String email, final boolean movesLastModified) {
        for (final Entity entity : withEmail(email)) {
            entity.status = "4";
            if (movesLastModified) {
                entity.lastModified = now();
            }
        }
    }

    /**
     * The integration's certificate revoked (or the role removed): every access token ends (401 INVALID_LOGIN) and the
     * client-credentials grant is refused while on; token-based (OAuth 1.0a) calls are refused too.
     */
    @Override
    public synchronized void credentialsRefused(final boolean on) {
        credentialsRefused = on;
        if (on) {
            tokens.clear();
        }
    }

    public synchronized int grants() {
        return grants;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    // ---- the API

    @Override
    protected SimResponse handle(final SimRequest request) throws Exception {
        if (request.method().equals("POST") && request.path().equals("/services/rest/auth/oauth2/v1/token")) {
            return token(request.form());
        }
        final String authorization = request.header("Authorization");
        synchronized (this) {
            if (authorization != null && authorization.startsWith("OAuth ")) {
                if (credentialsRefused || !validTokenBased(request, authorization)) {
                    tokenBasedRefusals++;
                    return error(401, "Unauthorized", "INVALID_LOGIN",
                            "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.");
                }
                return api(request);
            }
            final Instant expires = authorization == null ? null : tokens.get(authorization.replaceFirst("(?i)^Bearer\\s+", ""));
            if (expires == null || expires.isBefore(clock.instant())) {
                return error(401, "Unauthorized", "INVALID_LOGIN",
                        "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.");
            }
        }
        return api(request);
    }

    private SimResponse api(final SimRequest request) throws Exception {
        if (request.method().equals("POST") && request.path().equals("/services/rest/query/v1/suiteql")) {
            return query(request);
        }
        final Matcher record = RECORD.matcher(request.path());
        if (request.method().equals("PATCH") && record.matches()) {
            return patch(record.group(1), record.group(2), SimResponse.JSON.readTree(request.body()));
        }
        if (request.method().equals("GET") && record.matches()) {
            return record(record.group(1), record.group(2));
        }
        final Matcher collection = COLLECTION.matcher(request.path());
        if (request.method().equals("PATCH") && collection.matches()) {
            return batch(collection.group(1), request);
        }
        final Matcher job = JOB.matcher(request.path());
        if (request.method().equals("GET") && job.matches()) {
            return job(job.group(1), job.group(2) != null, job.group(3), job.group(4) != null);
        }
        if (request.method().equals("GET") && request.path().equals("/services/rest/system/v1/governanceLimits")) {
            return SimResponse.json(200, Map.of("accountConcurrencyLimit", concurrencyLimit, "accountUnallocatedConcurrencyLimit", concurrencyLimit - 1,
                    "integrationLimitType", "accountLimit"));
        }
        return notSimulated(request);
    }

    /**
     * OAuth 1.0a as NetSuite checks it: realm the account, the known consumer and token, HMAC-SHA256 only (SHA-1 is
     * refused since 2023.1), a timestamp within five minutes, a nonce never seen before, and the signature over the
     * RFC 5849 base string with the query parameters in it.
     */
    private boolean validTokenBased(final SimRequest request, final String authorization) {
        final Map<String, String> oauth = new HashMap<>();
        final Matcher pair = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(authorization);
        while (pair.find()) {
            oauth.put(pair.group(1), java.net.URLDecoder.decode(pair.group(2).replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        final String timestamp = oauth.getOrDefault("oauth_timestamp", "0");
        if (!ACCOUNT_ID.equals(oauth.get("realm")) || !CONSUMER_KEY.equals(oauth.get("oauth_consumer_key")) || !TOKEN_ID.equals(oauth.get("oauth_token"))
                || !"HMAC-SHA256".equals(oauth.get("oauth_signature_method")) || !timestamp.matches("\\d{1,12}")
                || Math.abs(clock.instant().getEpochSecond() - Long.parseLong(timestamp)) > 300 || !nonces.add(oauth.get("oauth_nonce"))) {
            return false;
        }
        final List<Map.Entry<String, String>> parameters = new ArrayList<>();
        request.query().forEach((name, values) -> values.forEach(value -> parameters.add(Map.entry(percent(name), percent(value)))));
        oauth.forEach((name, value) -> {
            if (name.startsWith("oauth_") && !name.equals("oauth_signature")) {
                parameters.add(Map.entry(percent(name), percent(value)));
            }
        });
        parameters.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        final String normalized = String.join("&", parameters.stream().map(p -> p.getKey() + "=" + p.getValue()).toList());
        final String base = request.method() + "&" + percent(baseUrl().substring(0, baseUrl().indexOf("://") + 3) + request.header("Host").toLowerCase(Locale.ROOT) + request.path()) + "&"
                + percent(normalized);
        try {
            final javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec((percent(CONSUMER_SECRET) + "&" + percent(TOKEN_SECRET)).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(base.getBytes(StandardCharsets.UTF_8))).equals(oauth.get("oauth_signature"));
        } catch (final java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** RFC 3986 percent-encoding, as OAuth 1.0a wants it: URLEncoder's form encoding, corrected. */
    private static String percent(final String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    /** Token-based requests refused (bad signature, reused nonce, stale timestamp, unknown token). */
    public synchronized int tokenBasedRefusals() {
        return tokenBasedRefusals;
    }

    private synchronized SimResponse token(final Map<String, String> form) {
        if (!"client_credentials".equals(form.get("grant_type"))
                || !"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))
                || !validAssertion(String.valueOf(form.get("client_assertion"))) || credentialsRefused) {
            return SimResponse.json(400, Map.of("error", "invalid_grant"));
        }
        grants++;
        final String access = issued("eyJraWQiOi" + UUID.randomUUID().toString().replace("-", ""));
        tokens.put(access, clock.instant().plusSeconds(3600));
        return SimResponse.json(200, Map.of("access_token", access, "expires_in", 3600, "token_type", "bearer"));
    }

    /** The assertion's scope, which NetSuite takes as an array (its docs' form) or as a comma-separated string. */
    private static List<String> scopes(final JsonNode scope) {
        final List<String> scopes = new ArrayList<>();
        if (scope.isArray()) {
            scope.forEach(s -> scopes.add(s.asText()));
        } else {
            for (final String s : scope.asText("").split(",")) {
                scopes.add(s.trim());
            }
        }
        return scopes;
    }

    private boolean validAssertion(final String jwt) {
        final String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            final JsonNode header = SimResponse.JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            final JsonNode claims = SimResponse.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            final Signature verifier = Signature.getInstance("RSASSA-PSS");
            verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            verifier.initVerify(CERTIFICATE_KEYS.getPublic());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            final long iat = claims.path("iat").asLong();
            final long exp = claims.path("exp").asLong();
            return verifier.verify(Base64.getUrlDecoder().decode(parts[2])) && "PS256".equals(header.path("alg").asText())
                    && CERTIFICATE_ID.equals(header.path("kid").asText()) && CLIENT_ID.equals(claims.path("iss").asText())
                    && (baseUrl() + "/services/rest/auth/oauth2/v1/token").equals(claims.path("aud").asText())
                    && scopes(claims.path("scope")).contains("rest_webservices") && exp > clock.instant().getEpochSecond() && exp - iat <= 3600;
        } catch (final Exception e) {
            return false;
        }
    }

    /**
     * The SuiteQL optsync sends: {@code SELECT id, email, globalsubscriptionstatus, TO_CHAR(lastmodifieddate,
     * 'YYYY-MM-DD HH24:MI:SS') AS lmd FROM customer|contact [WHERE c AND c ...] [ORDER BY lastmodifieddate, id]}, with
     * conditions {@code lastmodifieddate >= TO_TIMESTAMP(?, 'YYYY-MM-DD HH24:MI:SS')}, the key
     * {@code (lastmodifieddate > TO_TIMESTAMP(?, …) OR (lastmodifieddate = TO_TIMESTAMP(?, …) AND id > ?))},
     * {@code globalsubscriptionstatus IN ('2', '4')}, {@code searchstage = 'LEAD'}, {@code LOWER(email) IN (?, …)}, {@code id IN (?, …)}.
     */
    private synchronized SimResponse query(final SimRequest request) throws Exception {
        if (!"transient".equalsIgnoreCase(String.valueOf(request.header("Prefer")).trim())) {
            return error(400, "Bad Request", "INVALID_REQUEST", "The SuiteQL query must be sent with the header Prefer: transient.");
        }
        final int limit = parse(request.queryParam("limit"), 1000);
        final int offset = parse(request.queryParam("offset"), 0);
        if (limit < 1 || limit > 1000 || offset % limit != 0) {
            return error(400, "Bad Request", "INVALID_PARAMETER", "Invalid limit or offset: the offset must be a multiple of the limit, the limit at most 1000.");
        }
        final JsonNode body = SimResponse.JSON.readTree(request.body());
        final List<String> params = new ArrayList<>();
        body.path("params").forEach(p -> params.add(p.asText()));
        final Suiteql suiteql;
        try {
            suiteql = Suiteql.parse(body.path("q").asText(""), params);
        } catch (final IllegalArgumentException e) {
            return error(400, "Bad Request", "INVALID_PARAMETER", "Invalid search query. Detailed unprocessed description follows. " + e.getMessage());
        } catch (final UnsupportedOperationException e) {
            System.err.println("not simulated: NetSuite " + e.getMessage());
            return vendorError(500, "not simulated: " + e.getMessage());
        }
        final List<Entity> rows = new ArrayList<>(entities.values().stream().filter(e -> e.type.equals(suiteql.table())).filter(suiteql.where()).toList());
        if (suiteql.ordered()) {
            rows.sort((a, b) -> {
                final int byTime = a.lastModified.compareTo(b.lastModified);
                return byTime != 0 ? byTime : Integer.compare(Integer.parseInt(a.id), Integer.parseInt(b.id));
            });
        }
        if (offset + limit > maxRowsPerQuery && rows.size() > maxRowsPerQuery) {
            return error(400, "Bad Request", "INVALID_PARAMETER", "The search query cannot return more than " + maxRowsPerQuery + " results.");
        }
        final List<Map<String, Object>> items = new ArrayList<>();
        for (final Entity entity : rows.subList(Math.min(offset, rows.size()), Math.min(rows.size(), offset + limit))) {
            final Map<String, Object> item = new LinkedHashMap<>();
            item.put("links", List.of());
            if (!suiteql.plain()) {
                item.put("id", entity.id);
                item.put("email", entity.email);
                item.put("globalsubscriptionstatus", entity.status);
                item.put("lmd", entity.value("lastmodifieddate"));
            }
            for (final String column : suiteql.extra()) {
                item.put(column, entity.value(column));
            }
            items.add(item);
        }
        final Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("links", pageLinks(limit, offset, rows.size()));
        reply.put("count", items.size());
        reply.put("hasMore", offset + items.size() < rows.size());
        reply.put("offset", offset);
        reply.put("totalResults", rows.size());
        reply.put("items", items);
        return SimResponse.json(200, reply);
    }

    /** The collection links NetSuite sends: next (when there is more), first, last and self, as query URLs. */
    private List<Map<String, String>> pageLinks(final int limit, final int offset, final int total) {
        final String base = baseUrl() + "/services/rest/query/v1/suiteql?limit=" + limit + "&offset=";
        final List<Map<String, String>> links = new ArrayList<>();
        if (offset + limit < total) {
            links.add(Map.of("rel", "next", "href", base + (offset + limit)));
        }
        links.add(Map.of("rel", "first", "href", base + 0));
        links.add(Map.of("rel", "last", "href", base + (total == 0 ? 0 : (total - 1) / limit * limit)));
        links.add(Map.of("rel", "self", "href", base + offset));
        return links;
    }

    /** {@code GET /record/v1/{type}/{id}}: the record as the REST record service renders it. */
    private synchronized SimResponse record(final String type, final String id) {
        final Entity entity = entities.get(type + "/" + id);
        if (entity == null) {
            return error(404, "Not Found", "NONEXISTENT_ID", "The record instance does not exist. Provide a valid record instance ID.");
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("links", List.of(Map.of("rel", "self", "href", baseUrl() + "/services/rest/record/v1/" + type + "/" + id)));
        body.put("id", entity.id);
        body.put("email", entity.email);
        body.put("globalSubscriptionStatus", Map.of("id", entity.status));
        body.put("lastModifiedDate", entity.lastModified.truncatedTo(ChronoUnit.SECONDS).toString());
        return SimResponse.json(200, body);
    }

    private synchronized SimResponse patch(final String type, final String id, final JsonNode body) {
        final Entity entity = entities.get(type + "/" + id);
        if (entity == null) {
            return error(404, "Record Not Found", "NONEXISTENT_ID", "Record does not exist.");
        }
        final JsonNode status = body.path("globalSubscriptionStatus");
        String wanted = null;
        if (status.has("id")) {
            wanted = status.get("id").asText();
        } else if (status.has("refName")) {
            wanted = LABELS.entrySet().stream().filter(e -> e.getValue().equalsIgnoreCase(status.get("refName").asText())).map(Map.Entry::getKey)
                    .findFirst().orElse("?");
        }
        if (wanted != null) {
            if (!wanted.equals("1") && !wanted.equals("2")) {
                return error(400, "Bad Request", "INVALID_CONTENT", "Only the recipient can set the subscription status to " + LABELS.getOrDefault(wanted, wanted) + ".");
            }
            if (entity.status.equals("4")) {
                return error(400, "Bad Request", "INVALID_CONTENT", "The recipient has opted out (Confirmed Opt-Out); the company cannot change the status.");
            }
            entity.status = wanted;
        }
        entity.lastModified = now();
        return SimResponse.empty(204).withHeader("Location", baseUrl() + "/services/rest/record/v1/" + type + "/" + id);
    }

    /** A batch PATCH: always asynchronous, at most 100 items, each naming its record by internal id. */
    private synchronized SimResponse batch(final String type, final SimRequest request) throws Exception {
        if (!String.valueOf(request.header("Prefer")).toLowerCase(Locale.ROOT).contains("respond-async")) {
            return error(400, "Bad Request", "INVALID_REQUEST", "A batch request must be sent with the header Prefer: respond-async.");
        }
        if (!String.valueOf(request.header("Content-Type")).replace(" ", "").toLowerCase(Locale.ROOT).startsWith("application/vnd.oracle.resource+json;type=collection")) {
            return error(400, "Bad Request", "INVALID_REQUEST", "A batch request must have the content type application/vnd.oracle.resource+json; type=collection.");
        }
        final JsonNode items = SimResponse.JSON.readTree(request.body()).path("items");
        if (!items.isArray() || items.isEmpty() || items.size() > BATCH_MAX) {
            return error(400, "Bad Request", "INVALID_CONTENT", "A batch request holds from 1 to " + BATCH_MAX + " records in items.");
        }
        for (final JsonNode item : items) {
            if (!item.path("id").isValueNode() && !item.path("externalId").isValueNode()) {
                return error(400, "Bad Request", "INVALID_CONTENT", "Every record of a PATCH batch needs an internal or an external ID.");
            }
        }
        final String key = request.header("X-NetSuite-Idempotency-Key");
        if (key != null && idempotencyKeys.containsKey(key)) {
            return error(400, "Conflict", "IDEMPOTENCY_ERROR", "A request with this idempotency key has already been submitted.")
                    .withHeader("Location", "/services/rest/async/v1/job/" + idempotencyKeys.get(key));
        }
        final Job job = new Job(String.valueOf(jobs.size() + 1), type, new ArrayList<>(), asyncPendingReads);
        items.forEach(job.items::add);
        jobs.put(job.id, job);
        if (key != null) {
            idempotencyKeys.put(key, job.id);
        }
        return SimResponse.empty(202).withHeader("Preference-Applied", "respond-async").withHeader("Location", "/services/rest/async/v1/job/" + job.id);
    }

    /** A job's status (which runs it once it has been read often enough), its tasks, one task, or a task's result. */
    private synchronized SimResponse job(final String id, final boolean tasks, final String task, final boolean result) {
        final Job job = jobs.get(id);
        if (job == null) {
            return error(404, "Not Found", "NONEXISTENT_ID", "The job does not exist.");
        }
        final String self = baseUrl() + "/services/rest/async/v1/job/" + id;
        if (!tasks) {
            if (job.results == null && job.pendingReads-- <= 0) {
                job.results = new ArrayList<>();
                for (final JsonNode item : job.items) {
                    job.results.add(item.path("id").isValueNode() ? patch(job.type, item.get("id").asText(), item)
                            : error(400, "Bad Request", "INVALID_CONTENT", "External IDs are not simulated."));
                }
            }
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("links", List.of(Map.of("rel", "self", "href", self)));
            body.put("completed", job.results != null);
            body.put("id", job.id);
            body.put("progress", job.results == null ? "pending" : job.results.stream().allMatch(r -> r.status() / 100 == 2) ? "succeeded" : "failed");
            body.put("task", Map.of("links", List.of(Map.of("rel", "self", "href", self + "/task"))));
            return SimResponse.json(200, body);
        }
        if (task == null) {
            final List<Map<String, Object>> items = new ArrayList<>();
            for (int n = 1; n <= job.items.size(); n++) {
                items.add(Map.of("links", List.of(Map.of("rel", "self", "href", self + "/task/" + n))));
            }
            return SimResponse.json(200, Map.of("links", List.of(Map.of("rel", "self", "href", self + "/task")), "count", items.size(), "hasMore", false,
                    "items", items, "offset", 0, "totalResults", items.size()));
        }
        final int n = Integer.parseInt(task);
        if (n < 1 || n > job.items.size()) {
            return error(404, "Not Found", "NONEXISTENT_ID", "The task does not exist.");
        }
        if (result) {
            return job.results == null ? error(404, "Not Found", "NONEXISTENT_ID", "The task has no result yet.") : job.results.get(n - 1);
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("links", List.of(Map.of("rel", "self", "href", self + "/task/" + n)));
        body.put("completed", job.results != null);
        body.put("id", String.valueOf(n));
        body.put("progress", job.results == null ? "pending" : job.results.get(n - 1).status() / 100 == 2 ? "succeeded" : "failed");
        return SimResponse.json(200, body);
    }

    /** Batch requests accepted (jobs created). */
    public synchronized int jobs() {
        return jobs.size();
    }

    private static int parse(final String text, final int fallback) {
        try {
            return text == null ? fallback : Integer.parseInt(text.trim());
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    private static KeyPair rsaKeys() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(3072);
            return generator.generateKeyPair();
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The parsed subset of SuiteQL. */
    /**
     * @param extra the columns after optsync's own four, or with {@code plain} every column selected
     * @param plain a plain {@code SELECT col, ... FROM ...} rather than optsync's form with its {@code lmd} column
     */
    record Suiteql(String table, Predicate<Entity> where, boolean ordered, List<String> extra, boolean plain) {
        private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
        private static final String TS = "TO_TIMESTAMP\\(\\s*\\?\\s*,\\s*'YYYY-MM-DD HH24:MI:SS'\\s*\\)";
        private static final Pattern SELECT = Pattern.compile("\\s*SELECT\\s+id\\s*,\\s*email\\s*,\\s*globalsubscriptionstatus\\s*,\\s*TO_CHAR\\(\\s*lastmodifieddate\\s*,"
                + "\\s*'YYYY-MM-DD HH24:MI:SS'\\s*\\)\\s+AS\\s+lmd((?:\\s*,\\s*\\w+)*)\\s+FROM\\s+(customer|contact)(?:\\s+WHERE\\s+(.+?))?(\\s+ORDER\\s+BY\\s+lastmodifieddate\\s*,\\s*id)?\\s*", FLAGS);
        private static final Pattern PLAIN = Pattern.compile("\\s*SELECT\\s+(\\w+(?:\\s*,\\s*\\w+)*)\\s+FROM\\s+(customer|contact)(?:\\s+WHERE\\s+(.+?))?"
                + "(\\s+ORDER\\s+BY\\s+lastmodifieddate\\s*,\\s*id)?\\s*", FLAGS);
        private static final Pattern MODIFIED = Pattern.compile("lastmodifieddate\\s*(>=|>|=)\\s*" + TS, FLAGS);
        private static final Pattern ID_AFTER = Pattern.compile("id\\s*>\\s*\\?", FLAGS);
        private static final Pattern OPTED_OUT = Pattern.compile("globalsubscriptionstatus\\s+IN\\s*\\(\\s*'2'\\s*,\\s*'4'\\s*\\)", FLAGS);
        private static final Pattern STAGE = Pattern.compile("searchstage\\s*=\\s*'(LEAD|PROSPECT|CUSTOMER)'", FLAGS);
        private static final Pattern EMAILS = Pattern.compile("(LOWER\\(\\s*email\\s*\\)|id)\\s+IN\\s*\\(([?,\\s]+)\\)", FLAGS);
        private static final Pattern EMAIL_PRESENT = Pattern.compile("email\\s+IS\\s+NOT\\s+NULL", FLAGS);
        private static final Pattern COLUMN_IS = Pattern.compile("(\\w+)\\s*(=|<>|!=)\\s*'([^']*)'", FLAGS);

        static Suiteql parse(final String q, final List<String> params) {
            final Matcher optsync = SELECT.matcher(q);
            final boolean plain = !optsync.matches();
            final Matcher select = plain ? PLAIN.matcher(q) : optsync;
            if (plain && !select.matches()) {
                throw new UnsupportedOperationException("SuiteQL beyond the simulator's subset: " + q);
            }
            final int[] next = {0};
            final Predicate<Entity> where = select.group(3) == null ? e -> true : Conditions.parse(select.group(3), c -> condition(c, params, next));
            final List<String> extra = new ArrayList<>();
            for (final String column : select.group(1).split(",")) {
                if (!column.isBlank()) {
                    extra.add(column.trim().toLowerCase(Locale.ROOT));
                }
            }
            if (plain) {
                for (final String column : extra) {
                    if (!List.of("id", "email", "globalsubscriptionstatus", "searchstage", "lastmodifieddate").contains(column)
                            && !column.startsWith("custentity")) {
                        throw new IllegalArgumentException("Unknown identifier '" + column + "'");
                    }
                }
            }
            return new Suiteql(select.group(2).toLowerCase(Locale.ROOT), where, select.group(4) != null, extra, plain);
        }

        /** The next positional parameter; a {@code ?} without one is NetSuite's invalid query, not a crash. */
        private static String param(final List<String> params, final int[] next) {
            if (next[0] >= params.size()) {
                throw new IllegalArgumentException("No value was given for bind parameter " + (next[0] + 1) + ".");
            }
            return params.get(next[0]++);
        }

        /** One condition of the WHERE clause; {@code next} is the next positional parameter. */
        private static Predicate<Entity> condition(final String c, final List<String> params, final int[] next) {
            final Matcher modified = MODIFIED.matcher(c);
            if (modified.matches()) {
                final Instant at = LocalDateTime.parse(param(params, next), DB).toInstant(ZoneOffset.UTC);
                return switch (modified.group(1)) {
                    case ">=" -> e -> !e.lastModified.isBefore(at);
                    case ">" -> e -> e.lastModified.isAfter(at);
                    default -> e -> e.lastModified.equals(at);
                };
            }
            if (ID_AFTER.matcher(c).matches()) {
                final int id = Integer.parseInt(param(params, next));
                return e -> Integer.parseInt(e.id) > id;
            }
            if (OPTED_OUT.matcher(c).matches()) {
                return e -> e.status.equals("2") || e.status.equals("4");
            }
            final Matcher stage = STAGE.matcher(c);
            if (stage.matches()) {
                final String wanted = stage.group(1).toUpperCase(Locale.ROOT);
                return e -> wanted.equals(e.stage);
            }
            final Matcher emails = EMAILS.matcher(c);
            if (emails.matches()) {
                final int count = (int) emails.group(2).chars().filter(ch -> ch == '?').count();
                if (count > 1000) {
                    throw new IllegalArgumentException("An IN list may hold at most 1000 items.");
                }
                if (next[0] + count > params.size()) {
                    throw new IllegalArgumentException("No value was given for bind parameter " + (params.size() + 1) + ".");
                }
                final List<String> wanted = params.subList(next[0], next[0] + count).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
                next[0] += count;
                if (emails.group(1).equalsIgnoreCase("id")) {
                    return e -> wanted.contains(e.id);
                }
                return e -> e.email != null && wanted.contains(e.email.toLowerCase(Locale.ROOT));
            }
            if (EMAIL_PRESENT.matcher(c).matches()) { // NetSuite stores an empty address as NULL
                return e -> e.email != null && !e.email.isBlank();
            }
            final Matcher column = COLUMN_IS.matcher(c);
            if (column.matches()) { // any column against a literal, as a user's scope would say it (custentity_newsletter = 'T')
                final String name = column.group(1).toLowerCase(Locale.ROOT);
                final String literal = column.group(3);
                final boolean equal = column.group(2).equals("=");
                if (!List.of("id", "email", "globalsubscriptionstatus", "searchstage").contains(name) && !name.startsWith("custentity")) {
                    throw new IllegalArgumentException("Unknown identifier '" + name + "'");
                }
                return e -> literal.equals(e.value(name)) == equal;
            }
            throw new UnsupportedOperationException("a condition beyond the simulator's subset: " + c);
        }
    }
}
