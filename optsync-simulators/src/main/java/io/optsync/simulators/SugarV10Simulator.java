package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * SugarCRM REST v10 ({@code shared/vendor-apis.md} sections 3 and 13) over a {@link SugarStore}:
 * <ul>
 * <li>{@code POST /rest/v10/oauth2/token}: password and refresh grants; a password grant for a platform logs out the
 * earlier sessions of that platform; the token goes in the {@code OAuth-Token} header.</li>
 * <li>{@code POST /rest/v10/{Module}/filter}: {@code filter} conditions on {@code date_modified} ($gt, $gte, $lt,
 * $lte, $equals), {@code id} ($gt, $equals, $in), {@code email_addresses.email_address} ($equals, $in;
 * case-insensitive) and {@code email_addresses.opt_out} ($equals), combined with $and/$or; rows in
 * (date_modified, id) order; {@code max_num} default 20 (capped by
 * max_list_limit when set), {@code offset}, {@code order_by}; {@code next_offset} is -1 at the end.</li>
 * <li>{@code PUT /rest/v10/{Module}/{id}}: the {@code email} array replaces the record's addresses (the docs leave
 * open whether it is a full replacement; the simulator takes the strict reading). {@code opt_out} may be a boolean or
 * "1"/"0".</li>
 * <li>{@code GET /rest/v10/{Module}/{id}}: the record, as the filter renders it ({@code fields} accepted).</li>
 * <li>{@code POST /rest/v10/bulk}: sub-requests run in order, GET and PUT; a failing one does not stop the others.</li>
 * <li>Errors are {@code {"error":"…","error_message":"…"}}: 401 need_login / invalid_grant, 403 not_authorized (an
 * ACL-denied record), 404 not_found, 412 invalid_parameter.</li>
 * </ul>
 * Admin: {@code POST /_sim/sugar/expire-tokens}, {@code POST /_sim/sugar/settings?maxListLimit=N&stringFlags=true&mixedFlags=true}
 * (mixedFlags: each address's flags as a boolean, "1"/"0" or "True"/"False", as real instances accumulate them)
 * plus the store's admin calls (see {@link SugarAdmin}).
 */
public final class SugarV10Simulator extends SimulatorServer {
    public static final String USERNAME = "admin";
    public static final String PASSWORD = "sugar-password";
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    private static final Pattern RECORD = Pattern.compile("/rest/v10/(\\w+)/([\\w-]+)");
    private static final Pattern MODULE = Pattern.compile("/rest/v10/([A-Z]\\w+)");
    private static final Pattern FILTER = Pattern.compile("/rest/v10/(\\w+)/filter");

    private final SugarStore store;
    private final Map<String, String> tokenPlatform = new HashMap<>();
    private final Map<String, String> refreshTokens = new HashMap<>();
    private boolean credentialsRefused;
    private int passwordGrants;
    private int refreshGrants;
    private volatile int maxListLimit;
    private volatile boolean stringFlags;
    private volatile boolean mixedFlags;

    public SugarV10Simulator(final SugarStore store) {
        this.store = store;
    }

    /**
     * A credential outage (the user's password changed or the user deactivated): while on, every session is revoked,
     * refresh tokens included, and the password grant is refused as a wrong password; afterwards the password works again.
     */
    @Override
    public synchronized void credentialsRefused(final boolean on) {
        credentialsRefused = on;
        if (on) {
            tokenPlatform.clear();
            refreshTokens.clear();
        }
    }

    public SugarStore store() {
        return store;
    }

    /** Renders each address's flags as a boolean, "1"/"0" or "True"/"False" (by address), as real instances hold them. */
    public void mixedFlags(final boolean on) {
        this.mixedFlags = on;
    }

    @Override
    public String vendor() {
        return "sugarcrm-v10";
    }

    @Override
    protected String endpointOf(final SimRequest request) {
        final Matcher filter = FILTER.matcher(request.path());
        if (filter.matches()) {
            return request.method() + " /rest/v10/{Module}/filter";
        }
        if (RECORD.matcher(request.path()).matches() && !request.path().endsWith("/token")) {
            return request.method() + " /rest/v10/{Module}/{id}";
        }
        return request.method() + " " + request.path();
    }

    @Override
    protected SimResponse vendorError(final int status, final String message) {
        return error(status, status == 429 ? "too_many_requests" : status == 404 ? "not_found" : "fatal_error", message);
    }

    static SimResponse error(final int status, final String label, final String message) {
        return SimResponse.json(status, Map.of("error", label, "error_message", message));
    }

    @Override
    protected synchronized SimResponse handle(final SimRequest request) throws Exception {
        if (request.method().equals("POST") && request.path().equals("/rest/v10/oauth2/token")) {
            return token(SimResponse.JSON.readTree(request.body()));
        }
        final String token = request.header("OAuth-Token");
        if (token == null) {
            return error(401, "need_login", "No valid authentication for user.");
        }
        if (!tokenPlatform.containsKey(token)) {
            return error(401, "invalid_grant", "The access token provided is invalid.");
        }
        if (request.method().equals("GET") && request.path().equals("/rest/v10/me")) {
            return SimResponse.json(200, Map.of("current_user", Map.of("id", "1", "user_name", USERNAME, "type", "admin")));
        }
        if (request.method().equals("POST") && request.path().equals("/rest/v10/oauth2/logout")) {
            tokenPlatform.remove(token);
            return SimResponse.json(200, Map.of("success", true));
        }
        final Matcher filter = FILTER.matcher(request.path());
        final Matcher list = MODULE.matcher(request.path());
        if (request.method().equals("GET") && (filter.matches() || list.matches())) {
            // GET /{Module} and GET /{Module}/filter take the filter API's arguments as query parameters (filter[0][field][$op]=...)
            return filter(filter.matches() ? filter.group(1) : list.group(1), queryAsBody(request.query()));
        }
        return route(request.method(), request.path(), request.body());
    }

    /** Query parameters such as {@code filter[0][email][$starts]=a} and {@code max_num=5} as the JSON body the POST form takes. */
    static com.fasterxml.jackson.databind.node.ObjectNode queryAsBody(final Map<String, List<String>> query) {
        final com.fasterxml.jackson.databind.node.ObjectNode body = SimResponse.JSON.createObjectNode();
        for (final Map.Entry<String, List<String>> parameter : query.entrySet()) {
            final List<String> path = new ArrayList<>();
            final Matcher key = java.util.regex.Pattern.compile("^([^\\[]+)|\\[([^\\]]*)\\]").matcher(parameter.getKey());
            while (key.find()) {
                path.add(key.group(1) != null ? key.group(1) : key.group(2));
            }
            com.fasterxml.jackson.databind.JsonNode node = body;
            for (int i = 0; i < path.size() - 1; i++) {
                final boolean nextIsIndex = path.get(i + 1).matches("\\d+");
                final com.fasterxml.jackson.databind.JsonNode child = node.isArray() ? ((com.fasterxml.jackson.databind.node.ArrayNode) node).get(
                        Integer.parseInt(path.get(i))) : node.get(path.get(i));
                com.fasterxml.jackson.databind.JsonNode created = child;
                if (created == null) {
                    created = nextIsIndex ? SimResponse.JSON.createArrayNode() : SimResponse.JSON.createObjectNode();
                    if (node.isArray()) {
                        ((com.fasterxml.jackson.databind.node.ArrayNode) node).add(created);
                    } else {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) node).set(path.get(i), created);
                    }
                }
                node = created;
            }
            final String value = parameter.getValue().isEmpty() ? "" : parameter.getValue().getFirst();
            final String last = path.getLast();
            if (node.isArray()) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) node).add(value);
            } else if (last.equals("max_num") || last.equals("offset")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).put(last, Integer.parseInt(value));
            } else {
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).put(last, value);
            }
        }
        return body;
    }

    private SimResponse route(final String method, final String path, final byte[] body) throws Exception {
        final Matcher filter = FILTER.matcher(path);
        if (method.equals("POST") && filter.matches()) {
            return filter(filter.group(1), body.length == 0 ? SimResponse.JSON.createObjectNode() : SimResponse.JSON.readTree(body));
        }
        if (method.equals("POST") && path.equals("/rest/v10/bulk")) {
            return bulk(SimResponse.JSON.readTree(body));
        }
        final Matcher record = RECORD.matcher(path);
        if (method.equals("PUT") && record.matches()) {
            return update(record.group(1), record.group(2), SimResponse.JSON.readTree(body));
        }
        if (method.equals("GET") && record.matches()) {
            final SugarStore.Bean bean = store.bean(record.group(1), record.group(2));
            return bean == null ? error(404, "not_found", "Could not find record: " + record.group(2) + " in module: " + record.group(1))
                    : SimResponse.json(200, render(bean));
        }
        System.err.println("not simulated: SugarCRM v10 " + method + " " + path);
        return error(404, "no_method", "Could not find a route for " + method + " " + path);
    }

    private SimResponse token(final JsonNode body) {
        final String grant = body.path("grant_type").asText();
        if (!"sugar".equals(body.path("client_id").asText())) {
            return error(401, "invalid_client", "Client authentication failed");
        }
        final String platform = body.path("platform").asText("base");
        if (grant.equals("password")) {
            if (credentialsRefused || !USERNAME.equals(body.path("username").asText()) || !PASSWORD.equals(body.path("password").asText())) {
                return error(401, "invalid_grant", "Your username or password was entered incorrectly.");
            }
            passwordGrants++;
            tokenPlatform.values().removeIf(platform::equals); // same user, same platform: the earlier session is logged out
            return issue(platform);
        }
        if (grant.equals("refresh_token")) {
            final String issuedFor = refreshTokens.remove(body.path("refresh_token").asText());
            if (issuedFor == null) {
                return error(401, "invalid_grant", "Invalid refresh token");
            }
            refreshGrants++;
            return issue(issuedFor);
        }
        return error(400, "unsupported_grant_type", grant);
    }

    private SimResponse issue(final String platform) {
        final String access = issued(UUID.randomUUID().toString());
        final String refresh = issued(UUID.randomUUID().toString());
        tokenPlatform.put(access, platform);
        refreshTokens.put(refresh, platform);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access);
        body.put("expires_in", 3600);
        body.put("token_type", "bearer");
        body.put("scope", null);
        body.put("refresh_token", refresh);
        body.put("refresh_expires_in", 1209600);
        body.put("download_token", UUID.randomUUID().toString());
        return SimResponse.json(200, body);
    }

    private SimResponse filter(final String module, final JsonNode body) {
        if (!store.hasModule(module)) {
            return error(404, "not_found", "Could not find module " + module);
        }
        final Predicate<SugarStore.Bean> condition;
        try {
            condition = conditions(body.path("filter"));
        } catch (final IllegalArgumentException e) {
            return error(412, "invalid_parameter", e.getMessage());
        }
        int maxNum = body.path("max_num").asInt(20);
        if (maxListLimit > 0 && (maxNum < 1 || maxNum > maxListLimit)) {
            maxNum = maxListLimit;
        }
        final int offset = Math.max(0, body.path("offset").asInt(0));
        final boolean descending = body.path("order_by").asText("date_modified:ASC").toUpperCase(Locale.ROOT).endsWith(":DESC");
        final ArrayNode records = SimResponse.JSON.createArrayNode();
        boolean more = false;
        synchronized (store) { // the candidates are a live view of the store's index
            int matched = 0;
            for (final SugarStore.Bean bean : candidates(module, body.path("filter"), descending)) {
                if (!condition.test(bean)) {
                    continue;
                }
                if (matched++ < offset) {
                    continue;
                }
                if (records.size() == maxNum) {
                    more = true;
                    break;
                }
                records.add(render(bean));
            }
        }
        final ObjectNode response = SimResponse.JSON.createObjectNode();
        response.put("next_offset", more ? offset + maxNum : -1);
        response.set("records", records);
        return SimResponse.json(200, response);
    }

    /**
     * Where a read starts, as a database's index would have it: the records of the addresses a condition names, or the
     * records from the earliest {@code date_modified} the filter can match. A call costs what it returns, not the size
     * of the module, so that a month of 15-second reads of 75,000 records answers as fast as a real instance.
     */
    private Iterable<SugarStore.Bean> candidates(final String module, final JsonNode filter, final boolean descending) {
        for (final JsonNode condition : filter.isArray() ? filter : SimResponse.JSON.createArrayNode()) {
            final JsonNode byAddress = condition.get("email_addresses.email_address");
            if (byAddress != null && byAddress.isObject() && byAddress.size() == 1) {
                final String op = byAddress.fieldNames().next();
                final Set<String> caps = values(op, byAddress.get(op)).stream().map(v -> v.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
                final List<SugarStore.Bean> found = store.withAnyAddress(module, caps);
                return descending ? found.reversed() : found;
            }
        }
        return store.modifiedFrom(module, earliest(filter), descending);
    }

    /** The earliest {@code date_modified} a record matching this filter can have, or {@code null} when it sets none. */
    static Instant earliest(final JsonNode filter) {
        Instant bound = null;
        if (filter.isArray()) { // the filter and $and: every condition holds
            for (final JsonNode condition : filter) {
                bound = later(bound, earliest(condition));
            }
            return bound;
        }
        final var fields = filter.fields();
        while (fields.hasNext()) {
            final Map.Entry<String, JsonNode> field = fields.next();
            switch (field.getKey()) {
                case "$and" -> bound = later(bound, earliest(field.getValue()));
                case "$or" -> bound = later(bound, earliestOfAny(field.getValue()));
                case "date_modified" -> {
                    final String op = field.getValue().fieldNames().next();
                    if (op.equals("$gt") || op.equals("$gte") || op.equals("$equals")) {
                        bound = later(bound, OffsetDateTime.parse(field.getValue().get(op).asText()).toInstant());
                    }
                }
                default -> {
                }
            }
        }
        return bound;
    }

    private static Instant earliestOfAny(final JsonNode alternatives) {
        Instant bound = null;
        for (final JsonNode alternative : alternatives) {
            final Instant each = earliest(alternative);
            if (each == null) {
                return null; // one alternative matches records of any date
            }
            bound = bound == null || each.isBefore(bound) ? each : bound;
        }
        return bound;
    }

    private static Instant later(final Instant a, final Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }

    private Predicate<SugarStore.Bean> conditions(final JsonNode filter) {
        Predicate<SugarStore.Bean> all = bean -> true;
        if (filter.isMissingNode() || filter.isNull()) {
            return all;
        }
        if (!filter.isArray()) {
            throw new IllegalArgumentException("filter must be an array");
        }
        for (final JsonNode condition : filter) {
            all = all.and(condition(condition));
        }
        return all;
    }

    private Predicate<SugarStore.Bean> condition(final JsonNode condition) {
        Predicate<SugarStore.Bean> all = bean -> true;
        final var fields = condition.fields();
        while (fields.hasNext()) {
            final Map.Entry<String, JsonNode> field = fields.next();
            all = all.and(switch (field.getKey()) {
                case "$and" -> conditions(field.getValue());
                case "$or" -> {
                    Predicate<SugarStore.Bean> any = bean -> false;
                    for (final JsonNode alternative : field.getValue()) {
                        any = any.or(condition(alternative));
                    }
                    yield any;
                }
                default -> fieldCondition(field.getKey(), field.getValue());
            });
        }
        return all;
    }

    private static Predicate<SugarStore.Bean> fieldCondition(final String field, final JsonNode operation) {
        if (!operation.isObject() || operation.size() != 1) {
            throw new IllegalArgumentException("a condition on " + field + " needs exactly one operator");
        }
        final String op = operation.fieldNames().next();
        final JsonNode value = operation.get(op);
        return switch (field) {
            case "date_modified" -> {
                final Instant at = OffsetDateTime.parse(value.asText()).toInstant();
                yield switch (op) {
                    case "$gt" -> b -> b.dateModified().isAfter(at);
                    case "$gte" -> b -> !b.dateModified().isBefore(at);
                    case "$lt" -> b -> b.dateModified().isBefore(at);
                    case "$lte" -> b -> !b.dateModified().isAfter(at);
                    case "$equals" -> b -> b.dateModified().equals(at);
                    default -> throw new IllegalArgumentException("operator " + op + " is not supported on date_modified");
                };
            }
            case "id" -> {
                if (op.equals("$gt")) { // string order, as MySQL compares the char(36) ids
                    yield b -> b.id.compareTo(value.asText()) > 0;
                }
                final Set<String> ids = values(op, value);
                yield b -> ids.contains(b.id);
            }
            case "email_addresses.email_address" -> {
                final Set<String> caps = values(op, value).stream().map(v -> v.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
                yield b -> b.addresses().stream().anyMatch(a -> caps.contains(a.caps()));
            }
            case "email_addresses.opt_out" -> {
                if (!op.equals("$equals")) {
                    throw new IllegalArgumentException("operator " + op + " is not supported on email_addresses.opt_out");
                }
                final boolean wanted = value.asBoolean() || value.asText().equals("1");
                yield b -> b.addresses().stream().anyMatch(a -> a.optOut == wanted);
            }
            default -> throw new IllegalArgumentException("field " + field + " cannot be filtered");
        };
    }

    /** The values an operator names, as a set: a look-up of a thousand ids or addresses among 100,000 records stays fast. */
    private static Set<String> values(final String op, final JsonNode value) {
        return switch (op) {
            case "$equals" -> Set.of(value.asText());
            case "$in" -> {
                final Set<String> set = new HashSet<>();
                value.forEach(v -> set.add(v.asText()));
                yield set;
            }
            default -> throw new IllegalArgumentException("operator " + op + " is not supported here");
        };
    }

    private ObjectNode render(final SugarStore.Bean bean) {
        final ObjectNode record = SimResponse.JSON.createObjectNode();
        record.put("id", bean.id);
        record.put("first_name", bean.firstName);
        record.put("last_name", bean.lastName);
        record.put("date_modified", ISO.format(bean.dateModified().atOffset(ZoneOffset.UTC)));
        final ArrayNode emails = record.putArray("email");
        for (int i = 0; i < bean.addresses().size(); i++) {
            final SugarStore.Address address = bean.addresses().get(i);
            final ObjectNode email = emails.addObject();
            email.put("email_address", address.address);
            email.put("email_address_id", address.id);
            flag(email, "opt_out", address.optOut);
            flag(email, "invalid_email", address.invalid);
            flag(email, "primary_address", i == 0);
        }
        record.put("_module", bean.module);
        return record;
    }

    private void flag(final ObjectNode node, final String name, final boolean value) {
        if (mixedFlags) { // what real instances accumulate: booleans, Sugar 7 "1"/"0", and "True"/"False" from imports
            switch (Math.floorMod(node.path("email_address").asText().hashCode(), 3)) {
                case 0 -> node.put(name, value);
                case 1 -> node.put(name, value ? "1" : "0");
                default -> node.put(name, value ? "True" : "False");
            }
        } else if (stringFlags) {
            node.put(name, value ? "1" : "0");
        } else {
            node.put(name, value);
        }
    }

    private SimResponse update(final String module, final String id, final JsonNode body) {
        final SugarStore.Bean bean = store.bean(module, id);
        if (bean == null) {
            return error(404, "not_found", "Could not find record: " + id + " in module: " + module);
        }
        if (store.isAclDenied(id)) {
            return error(403, "not_authorized", "No access to edit records for module: " + module);
        }
        if (body.has("email")) {
            final List<SugarStore.Address> replaced = new ArrayList<>();
            SugarStore.Address primary = null;
            for (final JsonNode entry : body.get("email")) {
                final SugarStore.Address address = store.address(entry.path("email_address").asText());
                address.optOut = truthy(entry.path("opt_out"));
                address.invalid = truthy(entry.path("invalid_email"));
                if (truthy(entry.path("primary_address")) && primary == null) {
                    primary = address;
                } else {
                    replaced.add(address);
                }
            }
            if (primary != null) {
                replaced.addFirst(primary);
            }
            store.replaceAddresses(bean, replaced);
        }
        if (body.has("first_name")) {
            bean.firstName = body.get("first_name").asText();
        }
        if (body.has("last_name")) {
            bean.lastName = body.get("last_name").asText();
        }
        store.touch(bean);
        return SimResponse.json(200, render(bean));
    }

    private static boolean truthy(final JsonNode value) {
        return value.isBoolean() ? value.asBoolean() : value.asText().equals("1") || value.asText().equalsIgnoreCase("true");
    }

    private SimResponse bulk(final JsonNode body) throws Exception {
        final ArrayNode responses = SimResponse.JSON.createArrayNode();
        for (final JsonNode sub : body.path("requests")) {
            final String url = sub.path("url").asText().replaceFirst("^/v10", "/rest/v10").replaceFirst("\\?.*$", "");
            final String data = sub.path("data").asText("");
            final SimResponse response = route(sub.path("method").asText("GET").toUpperCase(Locale.ROOT), url, data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            final ObjectNode entry = responses.addObject();
            entry.set("contents", response.body().length == 0 ? SimResponse.JSON.nullNode() : SimResponse.JSON.readTree(response.body()));
            entry.putObject("headers");
            entry.put("status", response.status());
        }
        return SimResponse.json(200, responses);
    }

    @Override
    protected synchronized SimResponse admin(final SimRequest request) throws Exception {
        final String route = request.method() + " " + request.path();
        switch (route) {
            case "POST /_sim/sugar/expire-tokens" -> {
                tokenPlatform.clear();
                return SimResponse.empty(204);
            }
            case "POST /_sim/sugar/settings" -> {
                if (request.queryParam("maxListLimit") != null) {
                    maxListLimit = Integer.parseInt(request.queryParam("maxListLimit"));
                }
                if (request.queryParam("stringFlags") != null) {
                    stringFlags = Boolean.parseBoolean(request.queryParam("stringFlags"));
                }
                if (request.queryParam("mixedFlags") != null) {
                    mixedFlags = Boolean.parseBoolean(request.queryParam("mixedFlags"));
                }
                return SimResponse.json(200, Map.of("maxListLimit", maxListLimit, "stringFlags", stringFlags, "mixedFlags", mixedFlags));
            }
            case "GET /_sim/sugar/auth" -> {
                return SimResponse.json(200, Map.of("passwordGrants", passwordGrants, "refreshGrants", refreshGrants));
            }
            default -> {
                final SimResponse response = SugarAdmin.handle(store, request);
                return response != null ? response : super.admin(request);
            }
        }
    }
}
