package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 * Salesforce REST API ({@code shared/vendor-apis.md} sections 5, 12 F1–F5 and 13), one org:
 * <ul>
 * <li>{@code POST /services/oauth2/token}: client credentials, refresh token and JWT bearer (RS256, verified with
 * {@link #JWT_KEYS}; {@code iss} the client id, {@code sub} the user, {@code aud} this server or
 * login.salesforce.com). The answer has {@code instance_url} (this server) and no expiry; sessions end when
 * {@link #expireSessions()} says so, after which calls get 401 {@code INVALID_SESSION_ID}. No refresh token is issued
 * for client credentials or JWT.</li>
 * <li>{@code GET /services/data/vXX.X/query?q=SOQL}: the subset optsync sends (see {@link Soql}); results are a
 * snapshot taken at query time, served in pages of at most 2000 ({@code Sforce-Query-Options: batchSize=N}, 200 to
 * 2000) or shorter ones when {@link #shortPages(boolean)} is on, with {@code nextRecordsUrl} until {@code done}.
 * String comparisons are case-insensitive. Malformed SOQL: 400 {@code MALFORMED_QUERY}; well-formed SOQL beyond that subset
 * ({@link SoqlSyntax}): 500 {@code UNKNOWN_EXCEPTION} "not simulated" and a line on stderr. A URI over 16,384 bytes: 414.</li>
 * <li>{@code PATCH /services/data/vXX.X/composite/sobjects}: at most 200 records, {@code allOrNone}, one SaveResult
 * per record in request order, HTTP 200 even when records failed; converted Leads answer
 * {@code CANNOT_UPDATE_CONVERTED_LEAD}; with {@code allOrNone} the others {@code ALL_OR_NONE_OPERATION_ROLLED_BACK}.
 * {@code PATCH /services/data/vXX.X/sobjects/{Type}/{Id}}: 204.</li>
 * <li>Every API answer carries {@code Sforce-Limit-Info: api-usage=N/LIMIT}; past the daily allocation calls get 403
 * {@code REQUEST_LIMIT_EXCEEDED} (never 429, no Retry-After). The injected vendor limit error is the concurrency
 * variant of that 403. Errors are JSON arrays of {@code {message, errorCode, fields}}.</li>
 * <li>SystemModstamp moves on every change, including bounce flagging; it has millisecond precision.</li>
 * </ul>
 */
public final class SalesforceSimulator extends SimulatorServer {
    public static final String CLIENT_ID = "optsync-connected-app";
    public static final String CLIENT_SECRET = "salesforce-client-secret";
    public static final String USERNAME = "integration@optsync.example.com";
    public static final String REFRESH_TOKEN = "5Aep861-salesforce-refresh-token";
    /** The connected app's certificate key pair: the connector signs JWTs with the private key. */
    public static final KeyPair JWT_KEYS = rsaKeys();
    static final int MAX_COLLECTION = 200;
    static final int MAX_URI = 16_384;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private static final Pattern VERSIONED = Pattern.compile("/services/data/v\\d+\\.\\d+(/.*)");

    /** One Contact, Lead or (person) Account. */
    public static final class SfRecord {
        final String id;
        final String type;
        String email;
        String firstName;
        String lastName;
        boolean optedOut;
        boolean bounced;
        boolean converted;
        Instant modstamp;
        /** Further fields (LeadSource, custom fields such as Newsletter__c), by lower-cased API name. */
        final Map<String, String> extra = new HashMap<>();

        SfRecord(final String id, final String type) {
            this.id = id;
            this.type = type;
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

        public boolean optedOut() {
            return optedOut;
        }

        public boolean bounced() {
            return bounced;
        }

        public Instant modstamp() {
            return modstamp;
        }

        public boolean converted() {
            return converted;
        }

        Map<String, Object> snapshot(final List<String> fields) {
            final boolean person = type.equals("Account");
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("attributes", Map.of("type", type, "url", "/services/data/v60.0/sobjects/" + type + "/" + id));
            for (final String field : fields) {
                final Object value = switch (field.toLowerCase(Locale.ROOT)) {
                    case "id" -> id;
                    case "email", "personemail" -> email;
                    case "firstname" -> firstName;
                    case "lastname" -> lastName;
                    case "hasoptedoutofemail", "personhasoptedoutofemail" -> optedOut;
                    case "isemailbounced", "personisemailbounced" -> bounced;
                    case "isconverted" -> converted;
                    case "ispersonaccount" -> person;
                    case "systemmodstamp", "lastmodifieddate" -> STAMP.format(modstamp.atOffset(ZoneOffset.UTC)); // moved together here
                    default -> {
                        if (!extra.containsKey(field.toLowerCase(Locale.ROOT))) {
                            throw new IllegalArgumentException("No such column '" + field + "' on entity '" + type + "'");
                        }
                        yield extra.get(field.toLowerCase(Locale.ROOT));
                    }
                };
                row.put(canonical(field), value);
            }
            return row;
        }
    }

    private final Clock clock;
    private final Map<String, SfRecord> records = new LinkedHashMap<>();
    private final Map<String, Instant> sessions = new HashMap<>();
    private final Map<String, List<Map<String, Object>>> cursors = new HashMap<>();
    private final Random pageSizes = new Random(5);
    private long ids;
    private long apiUsage;
    private long apiAllocation = 100_000;
    private boolean shortPages;
    private int grants;
    private boolean credentialsRefused;

    public SalesforceSimulator(final Clock clock) {
        this.clock = clock;
    }

    public SalesforceSimulator() {
        this(Clock.systemUTC());
    }

    @Override
    public String vendor() {
        return "salesforce";
    }

    @Override
    protected String endpointOf(final SimRequest request) {
        final Matcher versioned = VERSIONED.matcher(request.path());
        if (!versioned.matches()) {
            return request.method() + " " + request.path();
        }
        final String rest = versioned.group(1);
        if (rest.startsWith("/query/")) {
            return request.method() + " /services/data/{v}/query/{locator}";
        }
        if (rest.startsWith("/sobjects/")) {
            return request.method() + " /services/data/{v}/sobjects/{Type}/{Id}";
        }
        return request.method() + " /services/data/{v}" + rest;
    }

    private static SimResponse errors(final int status, final String code, final String message) {
        return SimResponse.json(status, List.of(Map.of("message", message, "errorCode", code, "fields", List.of())));
    }

    @Override
    protected SimResponse vendorError(final int status, final String message) {
        return errors(status, status == 503 ? "SERVER_UNAVAILABLE" : status == 404 ? "NOT_FOUND" : "UNKNOWN_EXCEPTION", message);
    }

    @Override
    protected SimResponse vendorLimitError() {
        return errors(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.");
    }

    // ---- data, for tests and scenarios

    /** Seeds Contacts and Leads (a fifth opted out, some bounced, some Leads converted), the same for the same seed. */
    public synchronized SalesforceSimulator seed(final int contacts, final long seed) {
        final Random random = new Random(seed);
        final Instant base = now().minusSeconds(30L * 86_400);
        for (int i = 0; i < contacts; i++) {
            final SfRecord contact = create("Contact", "First" + i, "Contact" + i, "sf.contact" + i + "@example" + (i % 5) + ".com");
            contact.optedOut = random.nextInt(5) == 0;
            contact.bounced = random.nextInt(40) == 0;
            contact.modstamp = base.plusSeconds(i * 60L);
            if (i % 10 == 0) {
                final SfRecord lead = create("Lead", "First" + i, "Lead" + i, "sf.lead" + i + "@example.org");
                lead.optedOut = random.nextInt(5) == 0;
                lead.converted = i % 30 == 0;
                lead.modstamp = base.plusSeconds(i * 60L + 1);
            }
        }
        return this;
    }

    /** A new record of {@code type} (Contact, Lead or Account for a person account), subscribed, modified now. */
    public synchronized SfRecord create(final String type, final String firstName, final String lastName, final String email) {
        final String prefix = switch (type) {
            case "Contact" -> "003";
            case "Lead" -> "00Q";
            case "Account" -> "001";
            default -> throw new IllegalArgumentException(type);
        };
        final SfRecord record = new SfRecord(prefix + String.format(Locale.ROOT, "%012d", ++ids) + "AAA", type);
        record.firstName = firstName;
        record.lastName = lastName;
        record.email = email;
        record.modstamp = now();
        records.put(record.id, record);
        return record;
    }

    private Instant now() {
        final Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return now;
    }

    public synchronized SfRecord record(final String id) {
        return records.get(id);
    }

    /** A user ticking or clearing "Email Opt Out" in the UI. */
    public synchronized void setOptedOut(final String id, final boolean optedOut) {
        final SfRecord record = records.get(id);
        record.optedOut = optedOut;
        record.modstamp = now();
    }

    /** An administrator's or a user's edit of another field (LeadSource, a custom field such as Newsletter__c). */
    public synchronized void setField(final String id, final String field, final String value) {
        final SfRecord record = records.get(id);
        record.extra.put(field.toLowerCase(Locale.ROOT), value);
        record.modstamp = now();
    }

    /** Salesforce's bounce management flags the address: SystemModstamp moves, HasOptedOutOfEmail does not. */
    public synchronized void bounce(final String id) {
        final SfRecord record = records.get(id);
        record.bounced = true;
        record.modstamp = now();
    }

    public synchronized void convert(final String leadId) {
        final SfRecord lead = records.get(leadId);
        lead.converted = true;
        lead.modstamp = now();
    }

    /** Every record whose address is {@code email}, ignoring case. */
    public synchronized List<SfRecord> withEmail(final String email) {
        return records.values().stream().filter(r -> r.email != null && r.email.equalsIgnoreCase(email.trim())).toList();
    }

    public synchronized List<SfRecord> all(final String type) {
        return records.values().stream().filter(r -> r.type.equals(type)).toList();
    }

    /** The connected app's secret rotated: every session ends (401 INVALID_SESSION_ID) and every grant is refused. */
    @Override
    public synchronized void credentialsRefused(final boolean on) {
        credentialsRefused = on;
        if (on) {
            sessions.clear();
        }
    }

    /** Ends every session: the next call with an old token gets 401 INVALID_SESSION_ID. */
    public synchronized void expireSessions() {
        sessions.clear();
    }

    /** Serves query results in pages shorter than asked, of random size (the server may, "based on the size and complexity"). */
    public synchronized void shortPages(final boolean on) {
        this.shortPages = on;
    }

    public synchronized void apiUsage(final long used, final long allocation) {
        this.apiUsage = used;
        this.apiAllocation = allocation;
    }

    public synchronized long apiUsage() {
        return apiUsage;
    }

    public synchronized int grants() {
        return grants;
    }

    // ---- the API

    @Override
    protected synchronized SimResponse handle(final SimRequest request) throws Exception {
        if (request.method().equals("POST") && request.path().equals("/services/oauth2/token")) {
            return token(withBasicClient(request));
        }
        if (uriLength(request) > MAX_URI) {
            return SimResponse.text(414, "URI Too Long");
        }
        final String authorization = request.header("Authorization");
        if (authorization == null || !sessions.containsKey(authorization.replaceFirst("(?i)^Bearer\\s+", ""))) {
            return errors(401, "INVALID_SESSION_ID", "Session expired or invalid");
        }
        if (apiUsage >= apiAllocation) {
            return limited(errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
        }
        apiUsage++;
        final Matcher versioned = VERSIONED.matcher(request.path());
        if (!versioned.matches()) {
            return limited(errors(404, "NOT_FOUND", "The requested resource does not exist"));
        }
        final String rest = versioned.group(1);
        final SimResponse response;
        if (request.method().equals("GET") && (rest.equals("/query") || rest.equals("/query/"))) { // the docs write /query/?q=
            response = query(request);
        } else if (request.method().equals("GET") && rest.equals("/limits")) {
            response = SimResponse.json(200, Map.of("DailyApiRequests", Map.of("Max", apiAllocation, "Remaining", Math.max(0, apiAllocation - apiUsage))));
        } else if (request.method().equals("GET") && rest.matches("/sobjects/\\w+/\\w+")) {
            response = retrieve(rest.substring("/sobjects/".length()));
        } else if (request.method().equals("GET") && rest.startsWith("/query/")) {
            response = nextPage(rest.substring("/query/".length()));
        } else if (request.method().equals("PATCH") && rest.equals("/composite/sobjects")) {
            response = collection(SimResponse.JSON.readTree(request.body()));
        } else if (request.method().equals("PATCH") && rest.startsWith("/sobjects/")) {
            response = single(rest.substring("/sobjects/".length()), SimResponse.JSON.readTree(request.body()));
        } else {
            response = errors(404, "NOT_FOUND", "The requested resource does not exist");
        }
        return limited(response);
    }

    private SimResponse limited(final SimResponse response) {
        return response.withHeader("Sforce-Limit-Info", "api-usage=" + apiUsage + "/" + apiAllocation);
    }

    private static int uriLength(final SimRequest request) {
        int length = request.path().length();
        for (final Map.Entry<String, List<String>> entry : request.query().entrySet()) {
            for (final String value : entry.getValue()) {
                length += entry.getKey().length() + 2 + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).length();
            }
        }
        return length;
    }

    private SimResponse token(final Map<String, String> form) {
        final String grant = String.valueOf(form.get("grant_type"));
        final boolean ok = switch (grant) {
            case "client_credentials" -> CLIENT_ID.equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret"));
            case "refresh_token" -> CLIENT_ID.equals(form.get("client_id")) && REFRESH_TOKEN.equals(form.get("refresh_token"))
                    && (form.get("client_secret") == null || CLIENT_SECRET.equals(form.get("client_secret")));
            case "urn:ietf:params:oauth:grant-type:jwt-bearer" -> validJwt(String.valueOf(form.get("assertion")));
            default -> false;
        };
        if (!ok || credentialsRefused) {
            return SimResponse.json(400, Map.of("error", grant.equals("client_credentials") || grant.equals("refresh_token")
                    || grant.startsWith("urn:") ? "invalid_grant" : "unsupported_grant_type", "error_description", "authentication failure"));
        }
        grants++;
        final String access = issued("00D000000000001!" + UUID.randomUUID().toString().replace("-", ""));
        sessions.put(access, clock.instant());
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access);
        body.put("instance_url", baseUrl());
        body.put("id", baseUrl() + "/id/00D000000000001/005000000000001");
        body.put("token_type", "Bearer");
        body.put("issued_at", String.valueOf(clock.millis()));
        body.put("signature", "c2lnbmF0dXJl");
        return SimResponse.json(200, body);
    }

    /** An RS256 JWT signed with {@link #JWT_KEYS}, for this connected app and user, not expired. */
    private boolean validJwt(final String assertion) {
        final String[] parts = assertion.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            final Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(JWT_KEYS.getPublic());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return false;
            }
            final JsonNode header = SimResponse.JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            final JsonNode claims = SimResponse.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            final String audience = claims.path("aud").asText();
            return header.path("alg").asText().equals("RS256") && CLIENT_ID.equals(claims.path("iss").asText())
                    && USERNAME.equals(claims.path("sub").asText())
                    && (audience.equals(baseUrl()) || audience.equals("https://login.salesforce.com") || audience.equals("https://test.salesforce.com"))
                    && claims.path("exp").asLong() > clock.instant().getEpochSecond();
        } catch (final Exception e) {
            return false;
        }
    }

    private SimResponse query(final SimRequest request) {
        final Soql soql;
        try {
            soql = Soql.parse(String.valueOf(request.queryParam("q")));
        } catch (final IllegalArgumentException e) {
            if (SoqlSyntax.wellFormed(String.valueOf(request.queryParam("q")))) { // valid SOQL the simulator cannot run: never "malformed"
                System.err.println("not simulated: " + vendor() + " SOQL beyond the simulator's subset: " + request.queryParam("q"));
                return vendorError(500, "not simulated: SOQL beyond the simulator's subset");
            }
            return errors(400, "MALFORMED_QUERY", e.getMessage());
        }
        final List<Map<String, Object>> rows = new ArrayList<>();
        try {
            for (final SfRecord record : soql.ordered(records.values())) {
                rows.add(record.snapshot(soql.fields()));
            }
        } catch (final IllegalArgumentException e) {
            return errors(400, "INVALID_FIELD", e.getMessage());
        }
        int batch = 2000;
        final String options = request.header("Sforce-Query-Options");
        if (options != null && options.matches("(?i)\\s*batchSize\\s*=\\s*\\d+\\s*")) {
            batch = Math.max(200, Math.min(2000, Integer.parseInt(options.replaceAll("\\D", ""))));
        }
        final String locator = "01g" + UUID.randomUUID().toString().replace("-", "").substring(0, 15);
        cursors.put(locator, rows);
        return page(locator, 0, batch, rows.size());
    }

    private SimResponse nextPage(final String locatorAndOffset) {
        final int dash = locatorAndOffset.lastIndexOf('-');
        final String locator = dash < 0 ? locatorAndOffset : locatorAndOffset.substring(0, dash);
        final List<Map<String, Object>> rows = cursors.get(locator);
        if (rows == null || dash < 0) {
            return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        }
        final String[] offsetAndBatch = locatorAndOffset.substring(dash + 1).split("_");
        return page(locator, Integer.parseInt(offsetAndBatch[0]), offsetAndBatch.length > 1 ? Integer.parseInt(offsetAndBatch[1]) : 2000, rows.size());
    }

    private SimResponse page(final String locator, final int offset, final int batch, final int total) {
        final List<Map<String, Object>> rows = cursors.get(locator);
        final int size = shortPages ? 1 + pageSizes.nextInt(Math.max(1, batch / 8)) : batch;
        final int end = Math.min(rows.size(), offset + size);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("totalSize", total);
        body.put("done", end >= rows.size());
        if (end < rows.size()) {
            body.put("nextRecordsUrl", "/services/data/v60.0/query/" + locator + "-" + end + "_" + batch);
        } else {
            cursors.remove(locator);
        }
        body.put("records", rows.subList(offset, end));
        return SimResponse.json(200, body);
    }

    private SimResponse collection(final JsonNode body) {
        final JsonNode list = body.path("records");
        if (!list.isArray() || list.size() > MAX_COLLECTION) {
            return errors(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than " + MAX_COLLECTION + " records into this call");
        }
        final boolean allOrNone = body.path("allOrNone").asBoolean(false);
        final List<Map<String, Object>> results = new ArrayList<>();
        final List<Runnable> changes = new ArrayList<>();
        boolean anyFailed = false;
        for (final JsonNode item : list) {
            final String failure = check(item.path("attributes").path("type").asText(), item.path("id").asText(), item);
            if (failure == null) {
                changes.add(() -> apply(records.get(item.path("id").asText()), item));
                results.add(saveResult(item.path("id").asText(), null, null));
            } else {
                anyFailed = true;
                final String[] codeAndMessage = failure.split("\\|", 2);
                results.add(saveResult(null, codeAndMessage[0], codeAndMessage[1]));
            }
        }
        if (allOrNone && anyFailed) {
            for (int i = 0; i < results.size(); i++) {
                if (Boolean.TRUE.equals(results.get(i).get("success"))) {
                    results.set(i, saveResult(null, "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                            "Record rolled back because not all records were valid and the request was using AllOrNone header"));
                }
            }
            return SimResponse.json(200, results);
        }
        changes.forEach(Runnable::run);
        return SimResponse.json(200, results);
    }

    /** {@code GET /sobjects/{Type}/{Id}}: the record with every field the simulator keeps, or Salesforce's 404. */
    private SimResponse retrieve(final String typeAndId) {
        final String[] parts = typeAndId.split("/");
        final SfRecord record = records.get(parts[1]);
        if (record == null || !record.type.equals(parts[0])) {
            return errors(404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: " + parts[1]);
        }
        final List<String> fields = new ArrayList<>(List.of("Id", "Email", "FirstName", "LastName", "HasOptedOutOfEmail", "IsEmailBounced", "SystemModstamp"));
        if (record.type.equals("Lead")) {
            fields.add("IsConverted");
        }
        return SimResponse.json(200, record.snapshot(fields));
    }

    /**
     * The token request's form, with the client id and secret of an HTTP Basic {@code Authorization} header when it
     * carries them (RFC 6749 section 2.3.1, which Salesforce accepts) instead of the form.
     */
    private static Map<String, String> withBasicClient(final SimRequest request) {
        final Map<String, String> form = new HashMap<>(request.form());
        final String authorization = request.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            final String decoded = new String(java.util.Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            final int colon = decoded.indexOf(':');
            if (colon > 0) {
                form.putIfAbsent("client_id", java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8));
                form.putIfAbsent("client_secret", java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private SimResponse single(final String typeAndId, final JsonNode body) {
        final String[] parts = typeAndId.split("/");
        if (parts.length != 2) {
            return errors(404, "NOT_FOUND", "The requested resource does not exist");
        }
        final String failure = check(parts[0], parts[1], body);
        if (failure != null) {
            final String[] codeAndMessage = failure.split("\\|", 2);
            return errors(400, codeAndMessage[0], codeAndMessage[1]);
        }
        apply(records.get(parts[1]), body);
        return SimResponse.empty(204);
    }

    /** Why a record cannot be updated as asked ("CODE|message"), or {@code null}. */
    private String check(final String type, final String id, final JsonNode fields) {
        final SfRecord record = records.get(id);
        if (record == null || !record.type.equals(type)) {
            return "INVALID_CROSS_REFERENCE_KEY|invalid cross reference id";
        }
        if (record.converted) {
            return "CANNOT_UPDATE_CONVERTED_LEAD|cannot reference converted lead";
        }
        final var names = fields.fieldNames();
        while (names.hasNext()) {
            final String name = names.next();
            if (!name.equals("attributes") && !name.equals("id") && !List.of("HasOptedOutOfEmail", "PersonHasOptedOutOfEmail").contains(name)) {
                return "INVALID_FIELD_FOR_INSERT_UPDATE|Unable to create/update fields: " + name;
            }
        }
        return null;
    }

    private void apply(final SfRecord record, final JsonNode fields) {
        final JsonNode value = fields.has("HasOptedOutOfEmail") ? fields.get("HasOptedOutOfEmail") : fields.get("PersonHasOptedOutOfEmail");
        if (value != null && value.isBoolean()) {
            record.optedOut = value.asBoolean();
        }
        record.modstamp = now();
    }

    private static Map<String, Object> saveResult(final String id, final String code, final String message) {
        final Map<String, Object> result = new LinkedHashMap<>();
        if (id != null) {
            result.put("id", id);
        }
        result.put("success", code == null);
        result.put("errors", code == null ? List.of() : List.of(Map.of("statusCode", code, "message", message, "fields", List.of())));
        return result;
    }

    private static String canonical(final String field) {
        for (final String name : List.of("Id", "Email", "PersonEmail", "FirstName", "LastName", "HasOptedOutOfEmail", "PersonHasOptedOutOfEmail",
                "IsEmailBounced", "PersonIsEmailBounced", "IsConverted", "IsPersonAccount", "SystemModstamp")) {
            if (name.equalsIgnoreCase(field)) {
                return name;
            }
        }
        return field;
    }

    private static KeyPair rsaKeys() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SOQL optsync sends: SELECT fields FROM Contact|Lead|Account [WHERE c AND c ...] [ORDER BY SystemModstamp[, Id]]. */
    /** @param limit the LIMIT clause, or {@code Integer.MAX_VALUE} */
    record Soql(List<String> fields, String type, Predicate<SfRecord> where, boolean ordered, int limit) {
        private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
        private static final Pattern SELECT = Pattern.compile("\\s*SELECT\\s+(.+?)\\s+FROM\\s+(Contact|Lead|Account)\\b(?:\\s+WHERE\\s+(.+?))?"
                + "(\\s+ORDER\\s+BY\\s+(?:SystemModstamp|LastModifiedDate)(?:\\s+ASC)?(?:\\s*,\\s*Id(?:\\s+ASC)?)?)?(?:\\s+LIMIT\\s+(\\d+))?\\s*", FLAGS);
        private static final Pattern STAMP_CONDITION = Pattern.compile("(?:SystemModstamp|LastModifiedDate)\\s*(>=|>)\\s*(\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(?:Z|[+-]\\d\\d:?\\d\\d))", FLAGS);
        private static final Pattern FLAG_CONDITION = Pattern.compile("(HasOptedOutOfEmail|PersonHasOptedOutOfEmail|IsEmailBounced|PersonIsEmailBounced|IsConverted|IsPersonAccount)\\s*=\\s*(TRUE|FALSE)", FLAGS);
        private static final Pattern EMAIL_IN = Pattern.compile("(Email|PersonEmail)\\s+IN\\s*\\((.*)\\)", FLAGS);
        private static final Pattern EMAIL_EQUALS = Pattern.compile("(Email|PersonEmail)\\s*=\\s*('(?:[^'\\\\]|\\\\.)*')", FLAGS);
        private static final Pattern EMAIL_PRESENT = Pattern.compile("(Email|PersonEmail)\\s*!=\\s*null", FLAGS);
        private static final Pattern FIELD_CONDITION = Pattern.compile("(\\w+)\\s*(=|!=)\\s*(?:'((?:[^'\\\\]|\\\\.)*)'|(TRUE|FALSE))", FLAGS);
        private static final Pattern LITERAL = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

        static Soql parse(final String text) {
            final Matcher select = SELECT.matcher(text);
            if (!select.matches()) {
                throw new IllegalArgumentException("unexpected token in: " + text);
            }
            final List<String> fields = new ArrayList<>();
            for (final String field : select.group(1).split(",")) {
                fields.add(field.trim());
            }
            final String type = canonicalType(select.group(2));
            Predicate<SfRecord> where = r -> r.type.equals(type);
            if (select.group(3) != null) {
                where = where.and(Conditions.parse(select.group(3), Soql::condition));
            }
            return new Soql(fields, type, where, select.group(4) != null, select.group(5) == null ? Integer.MAX_VALUE : Integer.parseInt(select.group(5)));
        }

        private static String canonicalType(final String type) {
            return Character.toUpperCase(type.charAt(0)) + type.substring(1).toLowerCase(Locale.ROOT);
        }

        private static Predicate<SfRecord> condition(final String condition) {
            final Matcher stamp = STAMP_CONDITION.matcher(condition);
            if (stamp.matches()) {
                final Instant at = OffsetDateTime.parse(stamp.group(2).replaceAll("([+-]\\d\\d)(\\d\\d)$", "$1:$2")).toInstant();
                return stamp.group(1).equals(">") ? r -> r.modstamp.isAfter(at) : r -> !r.modstamp.isBefore(at);
            }
            final Matcher flag = FLAG_CONDITION.matcher(condition);
            if (flag.matches()) {
                final boolean wanted = flag.group(2).equalsIgnoreCase("TRUE");
                return switch (flag.group(1).toLowerCase(Locale.ROOT)) {
                    case "hasoptedoutofemail", "personhasoptedoutofemail" -> r -> r.optedOut == wanted;
                    case "isemailbounced", "personisemailbounced" -> r -> r.bounced == wanted;
                    case "isconverted" -> r -> r.converted == wanted;
                    default -> r -> r.type.equals("Account") == wanted;
                };
            }
            if (EMAIL_PRESENT.matcher(condition).matches()) { // Salesforce holds an empty Email as null
                return r -> r.email != null && !r.email.isBlank();
            }
            final Matcher in = EMAIL_IN.matcher(condition);
            final Matcher equals = EMAIL_EQUALS.matcher(condition);
            if (in.matches() || equals.matches()) {
                final List<String> wanted = new ArrayList<>();
                final Matcher literal = LITERAL.matcher(in.matches() ? in.group(2) : equals.group(2));
                while (literal.find()) {
                    wanted.add(literal.group(1).replaceAll("\\\\(.)", "$1").toLowerCase(Locale.ROOT));
                }
                return r -> r.email != null && wanted.contains(r.email.toLowerCase(Locale.ROOT));
            }
            final Matcher field = FIELD_CONDITION.matcher(condition);
            if (field.matches()) { // another field against a literal, as a user's scope would say it (Newsletter__c = TRUE)
                final String name = field.group(1).toLowerCase(Locale.ROOT);
                final String literal = field.group(3) != null ? field.group(3).replace("\\'", "'") : field.group(4).toLowerCase(Locale.ROOT);
                final boolean equal = field.group(2).equals("=");
                return r -> literal.equals(r.extra.get(name)) == equal;
            }
            throw new IllegalArgumentException("unexpected token in condition: " + condition);
        }

        List<SfRecord> ordered(final java.util.Collection<SfRecord> all) {
            final List<SfRecord> out = new ArrayList<>(all.stream().filter(where).toList());
            if (ordered) {
                out.sort((a, b) -> {
                    final int byStamp = a.modstamp.compareTo(b.modstamp);
                    return byStamp != 0 ? byStamp : a.id.compareTo(b.id);
                });
            }
            return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
        }
    }
}
