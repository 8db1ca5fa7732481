package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SugarCRM 5.5+/6.x and SuiteCRM 7 legacy REST v4_1 ({@code shared/vendor-apis.md} sections 2 and 13) over a
 * {@link SugarStore}: {@code POST /service/v4_1/rest.php} with form fields {@code method}, {@code input_type},
 * {@code response_type} and {@code rest_data}.
 * <ul>
 * <li>{@code rest_data} arguments bind by position (PHP before 8): their names are not read, only their order.</li>
 * <li>Faults come back with HTTP 200 as {@code {"name":…,"number":…,"description":…}}: 10 Invalid Login,
 * 11 Invalid Session ID, 20 Module Does Not Exist, 40 Access Denied (also for a query that fails validation), and
 * 90 "resource query limit exceeded" as the injected vendor limit error.</li>
 * <li>{@code login}: the password is the MD5 hex of the plain password, unless {@code user_auth.encryption} is PLAIN.</li>
 * <li>{@code get_entry_list}: the query subset optsync sends: {@code <table>.date_modified > '…'} (or >=), and the
 * sub-queries on {@code email_addr_bean_rel}/{@code email_addresses} for the opted-out set and for addresses by
 * {@code email_address_caps}; any other sub-query is fault 40. Values are strings ("0"/"1"; dates
 * {@code YYYY-MM-DD HH:MM:SS} UTC); {@code next_offset} = offset + count, with no sign of more data.</li>
 * <li>{@code set_entries}: returns only {@code ids}; an ACL-denied record is left out silently. {@code email_opt_out}
 * opts out only when it equals '1' loosely ("1", 1, true; the string "true" does not), and only together with
 * {@code email1} (the docs leave open whether a bare {@code email_opt_out} changes an existing record; the simulator
 * takes the strict reading). Without an id, a record with the same last name and address is a duplicate: its id is
 * returned and nothing is applied. Saving a Contact or Lead clears {@code opt_out} and {@code invalid_email} on every
 * address of the record but the primary one, as SuiteCRM 7's {@code set_entry} does (SuiteCRM#4145, section 2.4):
 * the rows are shared, so every other record with those addresses loses them too.</li>
 * <li>Module {@code EmailAddresses} (the {@code email_addresses} rows, bean {@code EmailAddress}):
 * {@code get_entry_list} by {@code email_addresses.email_address_caps IN (…)} (or {@code =}) returns the rows
 * ({@code id}, {@code email_address}, {@code opt_out}, {@code invalid_email}); {@code set_entries} with a row's
 * {@code id} sets {@code opt_out} / {@code invalid_email} (loosely '1') on it, touching no record's
 * {@code date_modified}, as the campaign unsubscribe link does.</li>
 * <li>{@code <table>.id IN ('…', …)} selects records by id.</li>
 * </ul>
 * Admin: {@code POST /_sim/sugar/expire-sessions} plus {@link SugarAdmin}.
 */
public final class SugarV41Simulator extends SimulatorServer {
    public static final String USERNAME = "admin";
    public static final String PASSWORD = "sugar-password";
    private static final DateTimeFormatter DB_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    private static final Pattern BY_DATE = Pattern.compile("\\s*(\\w+)\\.date_modified\\s*(>=|>)\\s*'([0-9-]+ [0-9:]+)'\\s*", FLAGS);
    private static final String SUBQUERY = "\\s*(\\w+)\\.id\\s+IN\\s*\\(\\s*SELECT\\s+eabr\\.bean_id\\s+FROM\\s+email_addr_bean_rel\\s+eabr\\s+"
            + "JOIN\\s+email_addresses\\s+ea\\s+ON\\s+ea\\.id\\s*=\\s*eabr\\.email_address_id\\s+WHERE\\s+eabr\\.deleted\\s*=\\s*0\\s+AND\\s+";
    private static final Pattern OPTED_OUT = Pattern.compile(SUBQUERY + "ea\\.opt_out\\s*=\\s*1\\s*\\)\\s*", FLAGS);
    private static final Pattern BY_EMAIL = Pattern.compile(SUBQUERY
            + "ea\\.deleted\\s*=\\s*0\\s+AND\\s+ea\\.email_address_caps\\s+(?:IN\\s*\\((.*)\\)|=\\s*('.*'))\\s*\\)\\s*", FLAGS);
    /** The keyset cursor: after (date_modified, id), as optsync pages without offsets. */
    private static final Pattern AFTER = Pattern.compile("\\s*\\(\\s*(\\w+)\\.date_modified\\s*>\\s*'([0-9-]+ [0-9:]+)'\\s+OR\\s+\\(\\s*\\1\\.date_modified\\s*=\\s*'\\2'"
            + "\\s+AND\\s+\\1\\.id\\s*>\\s*'([^']*)'\\s*\\)\\s*\\)\\s*", FLAGS);
    private static final Pattern BY_ID = Pattern.compile("\\s*(\\w+)\\.id\\s+IN\\s*\\(((?:\\s*'[^']*'\\s*,?)+)\\)\\s*", FLAGS);
    private static final Pattern ROWS_BY_EMAIL = Pattern.compile("\\s*email_addresses\\.email_address_caps\\s+(?:IN\\s*\\((.*)\\)|=\\s*('.*'))\\s*", FLAGS);
    private static final String ADDRESS_MODULE = "EmailAddresses";
    private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'");
    /** A column of the module's table against a literal: {@code contacts.last_name = 'Ann'}, {@code contacts.deleted = 0}. */
    private static final Pattern COLUMN_IS = Pattern.compile("\\s*(\\w+)\\.(id|first_name|last_name|deleted)\\s*(=|<>|!=)\\s*('((?:[^']|'')*)'|\\d+)\\s*", FLAGS);
    /** The tables SugarSQLValidate lets a sub-query read ("Needed since OPI uses subqueries for email searches"). */
    private static final Set<String> SUBQUERY_TABLES = Set.of("email_addr_bean_rel", "email_addresses", "emails", "emails_beans", "emails_text", "teams",
            "team_sets_teams");
    private static final Pattern FROM_TABLE = Pattern.compile("\\b(?:FROM|JOIN)\\s+(\\w+)", FLAGS);
    private static final List<String> DEFAULT_FIELDS = List.of("id", "first_name", "last_name", "email1", "email_opt_out", "invalid_email", "date_modified");

    private final SugarStore store;
    private final Set<String> sessions = new HashSet<>();
    private int logins;

    public SugarV41Simulator(final SugarStore store) {
        this.store = store;
    }

    public SugarStore store() {
        return store;
    }

    @Override
    public String vendor() {
        return "sugarcrm-v4_1";
    }

    @Override
    protected String endpointOf(final SimRequest request) {
        final String method = request.form().get("method");
        return request.method() + " " + request.path() + (method == null ? "" : " " + method);
    }

    /** v4_1 answers every error as a fault object in HTTP 200; what it cannot do at all is a server error with that shape. */
    @Override
    protected SimResponse vendorError(final int status, final String message) {
        return SimResponse.json(status, Map.of("name", status == 404 ? "Invalid Method" : "Unknown Error", "number", status == 404 ? 1000 : 0,
                "description", message));
    }

    static SimResponse fault(final int number, final String name, final String description) {
        return SimResponse.json(200, Map.of("name", name, "number", number, "description", description));
    }

    @Override
    protected SimResponse vendorLimitError() {
        return fault(90, "Resource management error", "resource query limit exceeded");
    }

    @Override
    protected synchronized SimResponse handle(final SimRequest request) throws Exception {
        if (!request.path().equals("/service/v4_1/rest.php")) {
            return SimResponse.text(404, "Not Found");
        }
        final Map<String, String> form = request.form();
        final String method = String.valueOf(form.get("method"));
        final JsonNode restData = SimResponse.JSON.readTree(form.getOrDefault("rest_data", "{}"));
        final List<JsonNode> args = new ArrayList<>();
        if (restData.isObject()) {
            restData.elements().forEachRemaining(args::add); // PHP < 8: keys ignored, order is everything
        } else if (restData.isArray()) {
            restData.forEach(args::add);
        }
        return switch (method) {
            case "login" -> login(args);
            case "get_entry_list" -> withSession(args, () -> entryList(args));
            case "set_entries" -> withSession(args, () -> setEntries(args));
            case "set_entry" -> withSession(args, () -> setEntry(args));
            case "get_entry" -> withSession(args, () -> getEntry(args));
            case "get_entries_count" -> withSession(args, () -> entriesCount(args));
            default -> {
                System.err.println("not simulated: SugarCRM v4_1 method " + method);
                yield fault(1000, "Invalid call", "Invalid call for this module");
            }
        };
    }

    private interface Call {
        SimResponse run();
    }

    private SimResponse withSession(final List<JsonNode> args, final Call call) {
        if (args.isEmpty() || !sessions.contains(args.getFirst().asText())) {
            return fault(11, "Invalid Session ID", "The session ID is invalid");
        }
        return call.run();
    }

    private SimResponse login(final List<JsonNode> args) {
        final JsonNode auth = args.isEmpty() ? SimResponse.JSON.createObjectNode() : args.getFirst();
        final String sent = auth.path("password").asText();
        final String expected = "PLAIN".equalsIgnoreCase(auth.path("encryption").asText()) ? PASSWORD : md5(PASSWORD);
        if (!USERNAME.equals(auth.path("user_name").asText()) || !expected.equals(sent)) {
            return fault(10, "Invalid Login", "Login attempt failed please check the username and password");
        }
        logins++;
        final String session = issued(UUID.randomUUID().toString().replace("-", ""));
        sessions.add(session);
        final ObjectNode body = SimResponse.JSON.createObjectNode();
        body.put("id", session);
        body.put("module_name", "Users");
        body.putObject("name_value_list").putObject("user_id").put("name", "user_id").put("value", "1");
        return SimResponse.json(200, body);
    }

    static String md5(final String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private SimResponse entryList(final List<JsonNode> args) {
        final String module = arg(args, 1).asText();
        if (module.equals(ADDRESS_MODULE)) {
            return addressRows(arg(args, 2).asText(""));
        }
        if (!store.hasModule(module)) {
            return fault(20, "Module Does Not Exist", "This module is not available on this server");
        }
        final String query = arg(args, 2).asText("");
        final Predicate<SugarStore.Bean> condition;
        try {
            condition = parse(module, query);
        } catch (final UnsupportedOperationException e) {
            System.err.println("not simulated: SugarCRM v4_1 get_entry_list: " + e.getMessage());
            return vendorError(500, "not simulated: " + e.getMessage());
        }
        if (condition == null) {
            return fault(40, "Access Denied", "You do not have access");
        }
        final int offset = Math.max(0, arg(args, 4).asInt(0));
        final List<String> fields = new ArrayList<>();
        arg(args, 5).forEach(f -> fields.add(f.asText()));
        final boolean withAddresses = arg(args, 6).toString().contains("email_addresses");
        final int maxResults = arg(args, 7).asInt(0) > 0 ? arg(args, 7).asInt() : 20;

        final List<SugarStore.Bean> sorted = store.sortedByModified(module);
        if (arg(args, 3).asText("").toUpperCase(Locale.ROOT).contains("DESC")) {
            java.util.Collections.reverse(sorted);
        }
        final ArrayNode entries = SimResponse.JSON.createArrayNode();
        final ArrayNode relationships = SimResponse.JSON.createArrayNode();
        int matched = 0;
        for (final SugarStore.Bean bean : sorted) {
            if (!condition.test(bean) || matched++ < offset || entries.size() == maxResults) {
                continue; // every match is counted: total_count is the whole result's size
            }
            entries.add(entry(bean, fields.isEmpty() ? DEFAULT_FIELDS : fields));
            if (withAddresses) {
                relationships.add(addressLinks(bean));
            }
        }
        final ObjectNode body = SimResponse.JSON.createObjectNode();
        body.put("result_count", entries.size());
        body.put("total_count", matched);
        body.put("next_offset", offset + entries.size());
        body.set("entry_list", entries);
        body.set("relationship_list", relationships);
        return SimResponse.json(200, body);
    }

    /** {@code get_entry_list} on EmailAddresses: the rows of the addresses asked for. */
    private SimResponse addressRows(final String query) {
        final Matcher byEmail = ROWS_BY_EMAIL.matcher(query);
        if (!byEmail.matches()) {
            return fault(40, "Access Denied", "You do not have access");
        }
        final ArrayNode entries = SimResponse.JSON.createArrayNode();
        final Matcher quoted = QUOTED.matcher(byEmail.group(1) != null ? byEmail.group(1) : byEmail.group(2));
        final Set<String> seen = new HashSet<>();
        while (quoted.find()) {
            final SugarStore.Address row = store.existingAddress(quoted.group(1).replace("''", "'"));
            if (row != null && seen.add(row.id)) {
                final ObjectNode entry = entries.addObject();
                entry.put("id", row.id);
                entry.put("module_name", ADDRESS_MODULE);
                final ObjectNode values = entry.putObject("name_value_list");
                values.putObject("id").put("name", "id").put("value", row.id);
                values.putObject("email_address").put("name", "email_address").put("value", row.address);
                values.putObject("email_address_caps").put("name", "email_address_caps").put("value", row.caps());
                values.putObject("opt_out").put("name", "opt_out").put("value", row.optOut ? "1" : "0");
                values.putObject("invalid_email").put("name", "invalid_email").put("value", row.invalid ? "1" : "0");
            }
        }
        final ObjectNode body = SimResponse.JSON.createObjectNode();
        body.put("result_count", entries.size());
        body.put("total_count", entries.size());
        body.put("next_offset", entries.size());
        body.set("entry_list", entries);
        body.set("relationship_list", SimResponse.JSON.createArrayNode());
        return SimResponse.json(200, body);
    }

    private static JsonNode arg(final List<JsonNode> args, final int index) {
        return index < args.size() ? args.get(index) : SimResponse.JSON.missingNode();
    }

    /**
     * The query subset SugarSQLValidate lets through for these calls, conditions joined by AND at the top level;
     * {@code null} for anything else.
     */
    private Predicate<SugarStore.Bean> parse(final String module, final String query) {
        if (query.isBlank()) {
            return bean -> true;
        }
        Predicate<SugarStore.Bean> all = bean -> true;
        for (final String part : Conditions.split(query, " AND ")) {
            final Predicate<SugarStore.Bean> condition = condition(module.toLowerCase(Locale.ROOT), part);
            if (condition == null) {
                return null;
            }
            all = all.and(condition);
        }
        return all;
    }

    private Predicate<SugarStore.Bean> condition(final String table, final String query) {
        final Matcher after = AFTER.matcher(query);
        if (after.matches() && after.group(1).equalsIgnoreCase(table)) {
            final var at = LocalDateTime.parse(after.group(2), DB_DATE).toInstant(ZoneOffset.UTC);
            final String id = after.group(3);
            return b -> b.dateModified().isAfter(at) || b.dateModified().equals(at) && b.id.compareTo(id) > 0;
        }
        final Matcher byDate = BY_DATE.matcher(query);
        if (byDate.matches() && byDate.group(1).equalsIgnoreCase(table)) {
            final var at = LocalDateTime.parse(byDate.group(3), DB_DATE).toInstant(ZoneOffset.UTC);
            return byDate.group(2).equals(">") ? b -> b.dateModified().isAfter(at) : b -> !b.dateModified().isBefore(at);
        }
        final Matcher byId = BY_ID.matcher(query);
        if (byId.matches() && byId.group(1).equalsIgnoreCase(table)) {
            final Set<String> ids = new HashSet<>();
            final Matcher quoted = QUOTED.matcher(byId.group(2));
            while (quoted.find()) {
                ids.add(quoted.group(1));
            }
            return b -> ids.contains(b.id);
        }
        final Matcher optedOut = OPTED_OUT.matcher(query);
        if (optedOut.matches() && optedOut.group(1).equalsIgnoreCase(table)) {
            return b -> b.addresses().stream().anyMatch(a -> a.optOut);
        }
        final Matcher byEmail = BY_EMAIL.matcher(query);
        if (byEmail.matches() && byEmail.group(1).equalsIgnoreCase(table)) {
            final Set<String> caps = new HashSet<>();
            final Matcher quoted = QUOTED.matcher(byEmail.group(2) != null ? byEmail.group(2) : byEmail.group(3));
            while (quoted.find()) {
                caps.add(quoted.group(1).replace("''", "'"));
            }
            return b -> b.addresses().stream().anyMatch(a -> caps.contains(a.caps()));
        }
        final Matcher column = COLUMN_IS.matcher(query);
        if (column.matches() && column.group(1).equalsIgnoreCase(table)) {
            final String literal = column.group(5) != null ? column.group(5).replace("''", "'") : column.group(4);
            final boolean equal = column.group(3).equals("=");
            final java.util.function.Function<SugarStore.Bean, String> value = switch (column.group(2).toLowerCase(Locale.ROOT)) {
                case "id" -> b -> b.id;
                case "first_name" -> b -> b.firstName;
                case "last_name" -> b -> b.lastName;
                default -> b -> "0"; // deleted: the store holds no deleted rows
            };
            return b -> literal.equalsIgnoreCase(String.valueOf(value.apply(b))) == equal;
        }
        final Matcher from = FROM_TABLE.matcher(query);
        while (from.find()) {
            if (!SUBQUERY_TABLES.contains(from.group(1).toLowerCase(Locale.ROOT))) {
                return null; // SugarSQLValidate refuses a sub-query on any other table: fault 40
            }
        }
        throw new UnsupportedOperationException("a query condition beyond the simulator's subset: " + query);
    }

    private static ObjectNode entry(final SugarStore.Bean bean, final List<String> fields) {
        final ObjectNode entry = SimResponse.JSON.createObjectNode();
        entry.put("id", bean.id);
        entry.put("module_name", bean.module);
        final ObjectNode values = entry.putObject("name_value_list");
        for (final String field : fields) {
            final String value = switch (field) {
                case "id" -> bean.id;
                case "first_name" -> bean.firstName;
                case "last_name" -> bean.lastName;
                case "email1" -> bean.primary() == null ? "" : bean.primary().address;
                case "email_opt_out" -> bean.primary() == null ? "" : bean.primary().optOut ? "1" : "0";
                case "invalid_email" -> bean.primary() == null ? "" : bean.primary().invalid ? "1" : "0";
                case "date_modified" -> DB_DATE.format(bean.dateModified().atOffset(ZoneOffset.UTC));
                case "deleted" -> "0";
                default -> null;
            };
            if (value != null) {
                values.putObject(field).put("name", field).put("value", value);
            }
        }
        return entry;
    }

    private static ObjectNode addressLinks(final SugarStore.Bean bean) {
        final ObjectNode relationship = SimResponse.JSON.createObjectNode();
        final ObjectNode link = relationship.putArray("link_list").addObject();
        link.put("name", "email_addresses");
        final ArrayNode records = link.putArray("records");
        for (int i = 0; i < bean.addresses().size(); i++) {
            final SugarStore.Address address = bean.addresses().get(i);
            final ObjectNode value = records.addObject().putObject("link_value");
            value.putObject("id").put("name", "id").put("value", address.id);
            value.putObject("email_address").put("name", "email_address").put("value", address.address);
            value.putObject("opt_out").put("name", "opt_out").put("value", address.optOut ? "1" : "0");
            value.putObject("invalid_email").put("name", "invalid_email").put("value", address.invalid ? "1" : "0");
            value.putObject("primary_address").put("name", "primary_address").put("value", i == 0 ? "1" : "0");
        }
        return relationship;
    }

    /** {@code set_entry(session, module_name, name_value_list)}: one record, answered {@code {"id": ...}}. */
    private SimResponse setEntry(final List<JsonNode> args) {
        final List<JsonNode> asEntries = new ArrayList<>(args.subList(0, Math.min(2, args.size())));
        asEntries.add(SimResponse.JSON.createArrayNode().add(arg(args, 2)));
        final SimResponse saved = setEntries(asEntries);
        final JsonNode ids;
        try {
            ids = SimResponse.JSON.readTree(saved.body()).path("ids");
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (ids.isMissingNode()) {
            return saved; // a fault
        }
        final ObjectNode body = SimResponse.JSON.createObjectNode();
        body.put("id", ids.isEmpty() ? "" : ids.get(0).asText());
        return SimResponse.json(200, body);
    }

    /** {@code get_entry(session, module_name, id, select_fields, link_name_to_fields_array)}: the record, as get_entry_list renders it. */
    private SimResponse getEntry(final List<JsonNode> args) {
        final String module = arg(args, 1).asText();
        if (!store.hasModule(module)) {
            return fault(20, "Module Does Not Exist", "This module is not available on this server");
        }
        final SugarStore.Bean bean = store.bean(module, arg(args, 2).asText());
        final List<String> fields = new ArrayList<>();
        arg(args, 3).forEach(f -> fields.add(f.asText()));
        final ObjectNode body = SimResponse.JSON.createObjectNode();
        final ArrayNode entries = body.putArray("entry_list");
        final ArrayNode relationships = body.putArray("relationship_list");
        if (bean != null) {
            entries.add(entry(bean, fields.isEmpty() ? DEFAULT_FIELDS : fields));
            if (arg(args, 4).toString().contains("email_addresses")) {
                relationships.add(addressLinks(bean));
            }
        }
        return SimResponse.json(200, body);
    }

    /** {@code get_entries_count(session, module_name, query, deleted)}: {@code {"result_count": n}}. */
    private SimResponse entriesCount(final List<JsonNode> args) {
        final String module = arg(args, 1).asText();
        if (!store.hasModule(module)) {
            return fault(20, "Module Does Not Exist", "This module is not available on this server");
        }
        final Predicate<SugarStore.Bean> condition;
        try {
            condition = parse(module, arg(args, 2).asText(""));
        } catch (final UnsupportedOperationException e) {
            System.err.println("not simulated: SugarCRM v4_1 get_entries_count: " + e.getMessage());
            return vendorError(500, "not simulated: " + e.getMessage());
        }
        if (condition == null) {
            return fault(40, "Access Denied", "You do not have access");
        }
        final ObjectNode body = SimResponse.JSON.createObjectNode();
        body.put("result_count", store.sortedByModified(module).stream().filter(condition).count());
        return SimResponse.json(200, body);
    }

    private SimResponse setEntries(final List<JsonNode> args) {
        final String module = arg(args, 1).asText();
        if (!store.hasModule(module) && !module.equals(ADDRESS_MODULE)) {
            return fault(20, "Module Does Not Exist", "This module is not available on this server");
        }
        final ArrayNode ids = SimResponse.JSON.createArrayNode();
        for (final JsonNode list : arg(args, 2)) {
            final Map<String, JsonNode> values = new java.util.LinkedHashMap<>();
            final Iterator<JsonNode> items = list.elements(); // a list of {name, value}, or an object of them keyed by name
            while (items.hasNext()) {
                final JsonNode item = items.next();
                values.put(item.path("name").asText(), item.path("value"));
            }
            final String id = values.containsKey("id") ? values.get("id").asText() : null;
            final String saved = module.equals(ADDRESS_MODULE) ? updateRow(id, values) : id == null ? create(module, values) : update(module, id, values);
            if (saved != null) {
                ids.add(saved);
            }
        }
        final ObjectNode body = SimResponse.JSON.createObjectNode();
        body.set("ids", ids);
        return SimResponse.json(200, body);
    }

    private String update(final String module, final String id, final Map<String, JsonNode> values) {
        final SugarStore.Bean bean = store.bean(module, id);
        if (bean == null || store.isAclDenied(id)) {
            return null; // silently not in ids
        }
        if (values.containsKey("email1")) {
            final SugarStore.Address address = store.address(values.get("email1").asText());
            store.makePrimary(bean, address);
            if (values.containsKey("email_opt_out")) {
                address.optOut = loosyOne(values.get("email_opt_out"));
            }
        }
        for (final SugarStore.Address other : bean.addresses().subList(Math.min(1, bean.addresses().size()), bean.addresses().size())) {
            other.optOut = false; // SuiteCRM#4145: the save clears the flags of every address but the primary one
            other.invalid = false;
        }
        store.touch(bean);
        return bean.id;
    }

    /** A save of one email_addresses row: its flags change, no record's date_modified moves. */
    private String updateRow(final String id, final Map<String, JsonNode> values) {
        final SugarStore.Address row = id == null ? null : store.addressById(id);
        if (row == null || store.isAclDenied(id)) {
            return null;
        }
        if (values.containsKey("opt_out")) {
            row.optOut = loosyOne(values.get("opt_out"));
        }
        if (values.containsKey("invalid_email")) {
            row.invalid = loosyOne(values.get("invalid_email"));
        }
        return row.id;
    }

    private String create(final String module, final Map<String, JsonNode> values) {
        final String email = values.containsKey("email1") ? values.get("email1").asText() : null;
        final String lastName = values.containsKey("last_name") ? values.get("last_name").asText() : "";
        if (email != null) {
            for (final SugarStore.Bean existing : store.beansWithEmail(email)) {
                if (existing.module.equals(module) && lastName.equalsIgnoreCase(existing.lastName)) {
                    return existing.id; // duplicate: the existing id, nothing applied
                }
            }
        }
        final SugarStore.Bean bean = store.create(module, values.containsKey("first_name") ? values.get("first_name").asText() : "",
                lastName, email, store.now());
        if (email != null && values.containsKey("email_opt_out")) {
            bean.primary().optOut = loosyOne(values.get("email_opt_out"));
        }
        return bean.id;
    }

    /** PHP's {@code $value == '1'}: "1", 1 and true are; "true", "on" and "yes" are not. */
    static boolean loosyOne(final JsonNode value) {
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isNumber()) {
            return value.asDouble() == 1.0;
        }
        final String text = value.asText();
        return text.equals("1") || text.equals("1.0") || text.equals("01");
    }

    @Override
    protected synchronized SimResponse admin(final SimRequest request) throws Exception {
        if ((request.method() + " " + request.path()).equals("POST /_sim/sugar/expire-sessions")) {
            sessions.clear();
            return SimResponse.empty(204);
        }
        if ((request.method() + " " + request.path()).equals("GET /_sim/sugar/auth")) {
            return SimResponse.json(200, Map.of("logins", logins));
        }
        final SimResponse response = SugarAdmin.handle(store, request);
        return response != null ? response : super.admin(request);
    }
}
