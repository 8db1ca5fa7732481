package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mailchimp Marketing API v3 ({@code shared/vendor-apis.md} sections 8, 12 F11–F13 and 13), one account:
 * <ul>
 * <li>HTTP Basic with any user name and the API key ({@code …-us19}) as password, or {@code Authorization: Bearer}
 * with the key or an OAuth token; anything else gets 401 problem+json.</li>
 * <li>{@code GET /3.0/lists/{id}/members}: {@code since_last_changed} (members changed at or after it),
 * {@code status}, {@code count} (default 10, at most 1000), {@code offset}, {@code sort_field=last_changed} with
 * {@code sort_dir}; {@code total_items}.</li>
 * <li>{@code GET|PUT|PATCH /3.0/lists/{id}/members/{md5(lower(email))}}: a hash of a mixed-case address finds nobody;
 * 404 "Resource Not Found" when absent; PUT upserts with {@code status_if_new}.</li>
 * <li>Moving an {@code unsubscribed} or {@code cleaned} member to {@code subscribed} fails with 400 "Member In
 * Compliance State"; {@code pending} is allowed (a confirmation e-mail). A {@code cleaned} member stays cleaned.</li>
 * <li>{@code POST /3.0/lists/{id}}: at most 500 members, {@code update_existing}; HTTP 200 with the rejected members
 * in {@code errors[]} (with {@code error_code}).</li>
 * <li>At most 10 simultaneous connections per key: the 11th gets 429 problem+json (or a bare 403 with no body, with
 * {@link #bareForbidden(boolean)}); no Retry-After. Any write moves {@code last_changed}.</li>
 * </ul>
 */
public final class MailchimpSimulator extends SimulatorServer {
    public static final String API_KEY = "0123456789abcdef0123456789abcdef-us19";
    public static final String LIST_ID = "a1b2c3d4e5";
    static final int MAX_CONNECTIONS = 10;
    static final int MAX_BATCH = 500;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    /** A member by its subscriber hash (MD5 of the lower-case address) or, as the API also accepts, by the address itself. */
    private static final Pattern MEMBER = Pattern.compile("/3\\.0/lists/([^/]+)/members/([^/]+)");
    private static final Pattern MEMBERS = Pattern.compile("/3\\.0/lists/([^/]+)/members");
    private static final Pattern LIST = Pattern.compile("/3\\.0/lists/([^/]+)");
    private static final Set<String> STATUSES = Set.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived");

    /** One member of the list. */
    public static final class Member {
        final String email;
        String status;
        Instant lastChanged;
        String unsubscribeReason;

        Member(final String email, final String status, final Instant lastChanged) {
            this.email = email;
            this.status = status;
            this.lastChanged = lastChanged;
        }

        public String email() {
            return email;
        }

        public String status() {
            return status;
        }

        public Instant lastChanged() {
            return lastChanged;
        }
    }

    private final Clock clock;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private volatile boolean bareForbidden;
    private int complianceRefusals;
    private volatile boolean credentialsRefused;

    public MailchimpSimulator(final Clock clock) {
        this.clock = clock;
    }

    public MailchimpSimulator() {
        this(Clock.systemUTC());
    }

    @Override
    public String vendor() {
        return "mailchimp";
    }

    @Override
    protected String endpointOf(final SimRequest request) {
        if (MEMBER.matcher(request.path()).matches()) {
            return request.method() + " /3.0/lists/{id}/members/{hash}";
        }
        if (MEMBERS.matcher(request.path()).matches()) {
            return request.method() + " /3.0/lists/{id}/members";
        }
        if (LIST.matcher(request.path()).matches()) {
            return request.method() + " /3.0/lists/{id}";
        }
        return request.method() + " " + request.path();
    }

    static SimResponse problem(final int status, final String title, final String detail) {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://mailchimp.com/developer/marketing/docs/errors/");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", java.util.UUID.randomUUID().toString());
        final SimResponse json = SimResponse.json(status, body);
        return new SimResponse(status, Map.of("Content-Type", "application/problem+json; charset=utf-8"), json.body());
    }

    @Override
    protected SimResponse vendorError(final int status, final String message) {
        return problem(status, status == 429 ? "Too Many Requests" : status == 404 ? "Resource Not Found" : "Internal Server Error", message);
    }

    @Override
    protected SimResponse vendorLimitError() {
        return SimResponse.empty(403); // "at exceptionally high volumes ... 403 without a JSON body"
    }

    /** The 11th simultaneous connection: 429 problem+json, or a bare 403 when asked. */
    @Override
    protected SimResponse overLimit(final SimRequest request, final int callsInLastSecond) {
        if (stats().inFlight() > MAX_CONNECTIONS) {
            stats().fault("too-many-connections");
            return bareForbidden ? SimResponse.empty(403)
                    : problem(429, "Too Many Requests", "You have exceeded the limit of " + MAX_CONNECTIONS + " simultaneous connections.");
        }
        return null;
    }

    public void bareForbidden(final boolean on) {
        this.bareForbidden = on;
    }

    // ---- data, for tests and scenarios

    /** The subscriber hash: md5 of the lower-cased address. */
    public static String hash(final String email) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(email.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seeds members: most subscribed, a fifth unsubscribed, some cleaned, pending, transactional or archived. */
    public synchronized MailchimpSimulator seed(final int count, final long seed) {
        final Random random = new Random(seed);
        final Instant base = now().minus(40, ChronoUnit.DAYS);
        final String[] others = {"cleaned", "pending", "transactional", "archived"};
        for (int i = 0; i < count; i++) {
            final int roll = random.nextInt(20);
            final String status = roll < 4 ? "unsubscribed" : roll == 4 ? others[random.nextInt(others.length)] : "subscribed";
            put("mc.member" + i + "@example" + (i % 6) + ".com", status, base.plusSeconds(i * 45L));
        }
        return this;
    }

    public synchronized Member put(final String email, final String status, final Instant lastChanged) {
        final Member member = new Member(email.trim().toLowerCase(Locale.ROOT), status, lastChanged.truncatedTo(ChronoUnit.SECONDS));
        members.put(hash(email), member);
        return member;
    }

    /** The person unsubscribing through a campaign's link, or a bounce cleaning the address. */
    public synchronized void setStatus(final String email, final String status) {
        final Member member = members.get(hash(email));
        member.status = status;
        member.lastChanged = now();
    }

    public synchronized Member member(final String email) {
        return members.get(hash(email));
    }

    public synchronized List<Member> all() {
        return List.copyOf(members.values());
    }

    /** The API key disabled in Account > Extras > API keys: the connector's key gets 401 API Key Invalid while on. */
    @Override
    public void credentialsRefused(final boolean on) {
        credentialsRefused = on;
    }

    public synchronized int complianceRefusals() {
        return complianceRefusals;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    // ---- the API

    @Override
    protected SimResponse handle(final SimRequest request) throws Exception {
        if (credentialsRefused || !authorized(request.header("Authorization"))) {
            return problem(401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter.");
        }
        if (request.path().equals("/3.0/ping") && request.method().equals("GET")) {
            return SimResponse.json(200, Map.of("health_status", "Everything's Chimpy!"));
        }
        final Matcher member = MEMBER.matcher(request.path());
        if (member.matches()) {
            final String key = member.group(2);
            return list(member.group(1)) ? memberCall(request, key.contains("@") ? hash(key) : key.toLowerCase(java.util.Locale.ROOT)) : notFound();
        }
        final Matcher all = MEMBERS.matcher(request.path());
        if (all.matches() && request.method().equals("GET")) {
            return list(all.group(1)) ? page(request) : notFound();
        }
        if (all.matches() && request.method().equals("POST")) {
            return list(all.group(1)) ? addMember(SimResponse.JSON.readTree(request.body())) : notFound();
        }
        final Matcher list = LIST.matcher(request.path());
        if (list.matches() && request.method().equals("POST")) {
            return list(list.group(1)) ? batch(SimResponse.JSON.readTree(request.body())) : notFound();
        }
        return notFound();
    }

    private static boolean list(final String id) {
        return LIST_ID.equals(id);
    }

    private static SimResponse notFound() {
        return problem(404, "Resource Not Found", "The requested resource could not be found.");
    }

    private static boolean authorized(final String header) {
        if (header == null) {
            return false;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim().equals(API_KEY);
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            final String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            return decoded.endsWith(":" + API_KEY);
        }
        return false;
    }

    private synchronized SimResponse page(final SimRequest request) {
        final String since = request.queryParam("since_last_changed");
        final Instant from = since == null ? null : OffsetDateTime.parse(since).toInstant();
        final String status = request.queryParam("status");
        final int count = Math.max(1, Math.min(1000, parse(request.queryParam("count"), 10)));
        final int offset = Math.max(0, parse(request.queryParam("offset"), 0));
        final List<Member> matching = new ArrayList<>(members.values().stream()
                .filter(m -> from == null || !m.lastChanged.isBefore(from))
                .filter(m -> status == null || m.status.equals(status)).toList());
        if ("last_changed".equals(request.queryParam("sort_field"))) {
            final Comparator<Member> byChange = Comparator.comparing(m -> m.lastChanged);
            matching.sort("DESC".equalsIgnoreCase(request.queryParam("sort_dir")) ? byChange.reversed() : byChange);
        }
        final List<Map<String, Object>> page = new ArrayList<>();
        for (final Member m : matching.subList(Math.min(offset, matching.size()), Math.min(matching.size(), offset + count))) {
            page.add(render(m));
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("members", page);
        body.put("list_id", LIST_ID);
        body.put("total_items", matching.size());
        return SimResponse.json(200, body);
    }

    /** {@code POST /lists/{id}/members}: adds a member; one already on the list is "Member Exists". */
    private synchronized SimResponse addMember(final JsonNode body) {
        final String email = body.path("email_address").asText("");
        final String status = body.path("status").asText("");
        if (email.isBlank() || !STATUSES.contains(status)) {
            return problem(400, "Invalid Resource", "The resource submitted could not be validated. For field-specific details, see the 'errors' array.");
        }
        if (members.containsKey(hash(email))) {
            return problem(400, "Member Exists", email + " is already a list member. Use PUT to insert or update list members.");
        }
        return SimResponse.json(200, render(put(email, status, now())));
    }

    private synchronized SimResponse memberCall(final SimRequest request, final String hash) throws Exception {
        final Member existing = members.get(hash);
        if (request.method().equals("GET")) {
            return existing == null ? notFound() : SimResponse.json(200, render(existing));
        }
        final JsonNode body = SimResponse.JSON.readTree(request.body());
        if (existing == null) {
            if (request.method().equals("PATCH")) {
                return notFound();
            }
            final String email = body.path("email_address").asText("");
            if (!hash(email).equals(hash)) {
                return problem(400, "Invalid Resource", "The resource submitted could not be validated: the subscriber hash does not match the address.");
            }
            final String status = body.path("status_if_new").asText(body.path("status").asText(""));
            if (!STATUSES.contains(status)) {
                return problem(400, "Invalid Resource", "The resource submitted could not be validated. For field-specific details, see the 'errors' array.");
            }
            return SimResponse.json(200, render(put(email, status, now())));
        }
        final String refusal = change(existing, body.path("status").asText(null));
        return refusal != null ? problem(400, "Member In Compliance State", refusal) : SimResponse.json(200, render(existing));
    }

    /** Applies a status change; the Compliance State detail when Mailchimp refuses it. */
    private String change(final Member member, final String status) {
        if (status == null) {
            member.lastChanged = now();
            return null;
        }
        if (status.equals("subscribed") && (member.status.equals("unsubscribed") || member.status.equals("cleaned"))) {
            complianceRefusals++;
            return member.email + " is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.";
        }
        if (!member.status.equals("cleaned")) {
            member.status = status;
        }
        member.lastChanged = now();
        return null;
    }

    private synchronized SimResponse batch(final JsonNode body) {
        final JsonNode list = body.path("members");
        if (!list.isArray() || list.size() > MAX_BATCH) {
            return problem(400, "Invalid Resource", "You can only add or update " + MAX_BATCH + " members per request.");
        }
        final boolean updateExisting = body.path("update_existing").asBoolean(false);
        final List<Map<String, Object>> created = new ArrayList<>();
        final List<Map<String, Object>> updated = new ArrayList<>();
        final List<Map<String, Object>> errors = new ArrayList<>();
        for (final JsonNode item : list) {
            final String email = item.path("email_address").asText("");
            final String status = item.path("status").asText("");
            if (!email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                errors.add(Map.of("email_address", email, "error", email + " looks fake or invalid, please enter a real email address.",
                        "error_code", "ERROR_GENERIC", "field", "email_address", "field_message", "Please provide a valid email address."));
                continue;
            }
            final Member existing = members.get(hash(email));
            if (existing == null) {
                created.add(render(put(email, status, now())));
            } else if (!updateExisting) {
                errors.add(Map.of("email_address", email, "error", email + " is already a list member.", "error_code", "ERROR_CONTACT_EXISTS"));
            } else {
                final String refusal = change(existing, status);
                if (refusal != null) {
                    errors.add(Map.of("email_address", email, "error", refusal, "error_code", "ERROR_GENERIC"));
                } else {
                    updated.add(render(existing));
                }
            }
        }
        final Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("new_members", created);
        reply.put("updated_members", updated);
        reply.put("errors", errors);
        reply.put("total_created", created.size());
        reply.put("total_updated", updated.size());
        reply.put("error_count", errors.size());
        return SimResponse.json(200, reply);
    }

    private static Map<String, Object> render(final Member member) {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", hash(member.email));
        row.put("email_address", member.email);
        row.put("status", member.status);
        row.put("last_changed", TIME.format(member.lastChanged.atOffset(ZoneOffset.UTC)));
        row.put("unsubscribe_reason", member.unsubscribeReason == null ? "" : member.unsubscribeReason);
        row.put("list_id", LIST_ID);
        return row;
    }

    private static int parse(final String text, final int fallback) {
        try {
            return text == null ? fallback : Integer.parseInt(text.trim());
        } catch (final NumberFormatException e) {
            return fallback;
        }
    }
}
