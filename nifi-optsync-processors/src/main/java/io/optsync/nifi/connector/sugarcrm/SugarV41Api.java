package io.optsync.nifi.connector.sugarcrm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpOutcome;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.VendorPages;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.nifi.optout.OptOutEncoding;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SugarCRM 5.5+/6.x and SuiteCRM 7 legacy REST v4_1 ({@code shared/vendor-apis.md} section 2). Faults arrive with
 * HTTP 200 and are read as faults; arguments are sent under their PHP names in signature order; opt-outs are written
 * as {@code "1"}/{@code "0"} on the address rows themselves (module EmailAddresses); a record missing from
 * {@code set_entries}' ids failed.
 */
final class SugarV41Api implements SugarApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DB_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int LOOKUP_CHUNK = 50;
    private static final int INVALID_SESSION = 11;
    private static final int RESOURCE_LIMIT = 90;
    private static final List<String> FIELDS = List.of("id", "first_name", "last_name", "email1", "email_opt_out", "invalid_email", "date_modified");

    private final HttpUrl endpoint;
    private final SugarCredentials credentials;
    private final HttpTransport transport;
    private final SharedToken session;

    SugarV41Api(final String siteUrl, final SugarCredentials credentials, final HttpTransport transport, final SharedToken session) {
        this.endpoint = HttpUrl.get(siteUrl).newBuilder().addPathSegments("service/v4_1/rest.php").build();
        this.credentials = credentials;
        this.transport = transport;
        this.session = session;
    }

    /**
     * Pages by key, never by offset, as {@link SugarV10Api#fetch} does: each page asks for the records after the last
     * one read in (date_modified, id) order, so that a record saved again mid-fetch cannot make another one skipped.
     */
    @Override
    public String endpoint(final String object, final boolean write) {
        return endpoint.toString();
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        final String table = request.object().toLowerCase(Locale.ROOT);
        final String what = "SugarCRM get_entry_list " + request.object();
        final String optedOut = table + ".id IN (SELECT eabr.bean_id FROM email_addr_bean_rel eabr JOIN email_addresses ea "
                + "ON ea.id = eabr.email_address_id WHERE eabr.deleted = 0 AND ea.opt_out = 1)";
        Watermark last = request.since();
        Watermark after = request.resuming() ? Watermark.decode(request.resumeFrom()) : null; // a full read goes on after the key it stopped at
        while (true) {
            final List<String> conditions = new ArrayList<>();
            if (after != null) {
                final String at = quoted(DB_DATE.format(after.modifiedAt().atOffset(ZoneOffset.UTC)));
                conditions.add("(" + table + ".date_modified > " + at + " OR (" + table + ".date_modified = " + at + " AND " + table + ".id > "
                        + quoted(after.id()) + "))");
            } else if (request.mode() == FetchMode.INCREMENTAL && !request.since().equals(Watermark.START)) {
                conditions.add(table + ".date_modified >= " + quoted(DB_DATE.format(request.since().modifiedAt().atOffset(ZoneOffset.UTC))));
            }
            if (request.mode() == FetchMode.OPTED_OUT) {
                conditions.add(optedOut);
            }
            final JsonNode reply = entryList(request.object(), String.join(" AND ", conditions), 0, request.pageSize());
            final List<SourceRecord> records = new ArrayList<>();
            final JsonNode entries = VendorPages.records(reply, "entry_list", what);
            final int count = VendorPages.whole(reply, "result_count", what);
            for (int i = 0; i < entries.size(); i++) {
                final JsonNode relationships = reply.path("relationship_list").path(i);
                records.addAll(VendorPages.read(request.object(), entries.get(i), entry -> SugarAddresses.sourceRecords(request.object(),
                        VendorPages.requiredText(entry, "id"), modified(entry), value(entry, "first_name"), value(entry, "last_name"),
                        addressesOf(entry, relationships))));
            }
            if (!records.isEmpty()) {
                PageHandler.deliver(pages, records);
                last = VendorPages.later(last, records);
            }
            if (count == 0 || count < request.pageSize()) { // next_offset does not say whether there is more
                return last;
            }
            after = VendorPages.lastKey(entries, entry -> new Watermark(modified(entry), VendorPages.requiredText(entry, "id")), what);
            if (!PageHandler.goOn(pages, request, after.encode())) {
                return last;
            }
        }
    }

    private static String quoted(final String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private JsonNode entryList(final String module, final String query, final int offset, final int max) throws ConnectorException {
        final Map<String, Object> args = new LinkedHashMap<>(); // PHP signature order; names for PHP 8
        args.put("session", null);
        args.put("module_name", module);
        args.put("query", query);
        args.put("order_by", module.toLowerCase(Locale.ROOT) + ".date_modified ASC, " + module.toLowerCase(Locale.ROOT) + ".id ASC");
        args.put("offset", offset);
        args.put("select_fields", FIELDS);
        args.put("link_name_to_fields_array", List.of(Map.of("name", "email_addresses",
                "value", List.of("id", "email_address", "opt_out", "invalid_email", "primary_address"))));
        args.put("max_results", max);
        args.put("deleted", 0);
        args.put("favorites", false);
        return call("get_entry_list", args);
    }

    /** The record's addresses from the email_addresses link; without it, the legacy email1 / email_opt_out fields. */
    private static List<SugarAddresses.Address> addressesOf(final JsonNode entry, final JsonNode relationships) {
        final List<SugarAddresses.Address> list = new ArrayList<>();
        for (final JsonNode value : linkedAddresses(relationships)) {
            list.add(new SugarAddresses.Address(value.path("email_address").path("value").asText(), value.path("opt_out").path("value").asText(null),
                    value.path("invalid_email").path("value").asText(null), "1".equals(value.path("primary_address").path("value").asText())));
        }
        if (list.isEmpty() && value(entry, "email1") != null && !value(entry, "email1").isEmpty()) {
            list.add(new SugarAddresses.Address(value(entry, "email1"), value(entry, "email_opt_out"), value(entry, "invalid_email"), true));
        }
        return list;
    }

    /** The {@code link_value} of each address a record's {@code email_addresses} link returned. */
    private static List<JsonNode> linkedAddresses(final JsonNode relationships) {
        final List<JsonNode> values = new ArrayList<>();
        for (final JsonNode link : relationships.path("link_list")) {
            if ("email_addresses".equals(link.path("name").asText())) {
                link.path("records").forEach(record -> values.add(record.path("link_value")));
            }
        }
        return values;
    }

    private static String value(final JsonNode entry, final String field) {
        final JsonNode node = entry.path("name_value_list").path(field).path("value");
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    private static Instant modified(final JsonNode entry) {
        return LocalDateTime.parse(VendorPages.requiredText(entry.path("name_value_list").path("date_modified"), "value"), DB_DATE).toInstant(ZoneOffset.UTC);
    }

    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String module, final Collection<String> emails) throws ConnectorException {
        final String table = module.toLowerCase(Locale.ROOT);
        final Map<String, List<RecordRef>> found = new LinkedHashMap<>();
        final List<String> all = new ArrayList<>(emails);
        for (int from = 0; from < all.size(); from += LOOKUP_CHUNK) {
            final List<String> chunk = all.subList(from, Math.min(all.size(), from + LOOKUP_CHUNK));
            final String in = chunk.stream().map(e -> quoted(e.toUpperCase(Locale.ROOT))).collect(Collectors.joining(", "));
            final String query = table + ".id IN (SELECT eabr.bean_id FROM email_addr_bean_rel eabr JOIN email_addresses ea ON ea.id = "
                    + "eabr.email_address_id WHERE eabr.deleted = 0 AND ea.deleted = 0 AND ea.email_address_caps IN (" + in + "))";
            for (int offset = 0; ; ) {
                final String what = "SugarCRM get_entry_list " + module + " by address";
                final JsonNode reply = entryList(module, query, offset, 1000);
                final JsonNode entries = VendorPages.records(reply, "entry_list", what);
                final int count = VendorPages.whole(reply, "result_count", what);
                for (int i = 0; i < entries.size(); i++) {
                    final JsonNode entry = entries.get(i);
                    final JsonNode relationships = reply.path("relationship_list").path(i);
                    final String id = VendorPages.orMalformed(what, () -> VendorPages.requiredText(entry, "id"));
                    final List<SugarAddresses.Address> list = VendorPages.orMalformed(what, () -> addressesOf(entry, relationships));
                    for (final SugarAddresses.Address address : list) {
                        for (final String email : chunk) {
                            if (address.is(email)) {
                                found.computeIfAbsent(email, k -> new ArrayList<>()).add(new RecordRef(module, id, address.email(), address.optOut()));
                            }
                        }
                    }
                }
                if (count < 1000) {
                    break;
                }
                offset += count;
            }
        }
        return found;
    }

    /**
     * Writes opt-outs where SugarCRM keeps them, on the shared {@code email_addresses} row (module EmailAddresses), so
     * that any address of a record can be written, every record with the address gets it, and no record save is made
     * for it. Each write reads the rows fresh right before it (no cache) and reads them back after it: an outcome says
     * what SugarCRM holds. Mapped fields are saved on the record itself; as SuiteCRM's {@code set_entry} clears the
     * opt-out and invalid flags of every address of the record but the primary one (SuiteCRM#4145), the flags read
     * right before that save are written back to those rows after it.
     */
    @Override
    public List<WriteOutcome> write(final String module, final List<FieldUpdate> updates) throws ConnectorException {
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final Map<String, Map<String, String>> rowWrites = new LinkedHashMap<>(); // row id -> flags to set
        final List<Integer> saves = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            if (updates.get(i).id() == null) {
                outcomes[i] = WriteOutcome.failed("unsupported", "the SugarCRM connector updates existing records; it does not create them");
            } else if (!updates.get(i).fields().isEmpty()) {
                saves.add(i);
            }
        }
        if (!saves.isEmpty()) {
            saveRecords(module, updates, saves, outcomes, rowWrites);
        }
        final Set<String> emails = new java.util.LinkedHashSet<>();
        for (int i = 0; i < updates.size(); i++) {
            if (outcomes[i] == null && updates.get(i).optedOut() != null) {
                emails.add(updates.get(i).email());
            }
        }
        final Map<String, AddressRow> before = rows(emails);
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (outcomes[i] != null || update.optedOut() == null) {
                continue;
            }
            final AddressRow row = before.get(update.email());
            if (row == null) {
                outcomes[i] = WriteOutcome.failed("unknown_address", "SugarCRM holds no address " + update.email() + " now");
                continue;
            }
            // one row may stand for several records: an opt-out among them wins
            rowWrites.computeIfAbsent(row.id(), k -> new LinkedHashMap<>()).merge("opt_out",
                    (String) OptOutEncoding.SUGARCRM_V4_1.encode(update.optedOut()), (a, b) -> "1".equals(a) ? a : b);
        }
        final Set<String> savedRows = setEntries("EmailAddresses", rowWrites.entrySet().stream().map(e -> {
            final ArrayNode list = JSON.createArrayNode();
            list.addObject().put("name", "id").put("value", e.getKey());
            e.getValue().forEach((name, value) -> list.addObject().put("name", name).put("value", value));
            return list;
        }).toList());
        final Map<String, AddressRow> after = rows(emails);
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (outcomes[i] != null) { // not a record, not saved, or no such address
                continue;
            }
            if (update.optedOut() == null) {
                outcomes[i] = WriteOutcome.SUCCESS;
                continue;
            }
            final AddressRow row = after.get(update.email());
            if (!savedRows.contains(before.get(update.email()).id())) {
                outcomes[i] = WriteOutcome.failed("not_saved", "SugarCRM returned no id for the address row of " + update.email()
                        + ": it did not save it (no access, or validation)");
            } else if (row == null || row.optedOut() != update.optedOut()) {
                outcomes[i] = WriteOutcome.retry("not_kept", "SugarCRM holds " + (row == null ? "no address " + update.email()
                        : "opt_out=" + (row.optedOut() ? "1" : "0") + " on " + update.email()) + " after the write");
            } else {
                outcomes[i] = WriteOutcome.SUCCESS;
            }
        }
        return java.util.Arrays.asList(outcomes);
    }

    /** One {@code email_addresses} row: shared by every record with the address. */
    private record AddressRow(String id, String email, boolean optedOut, boolean invalid) {
    }

    /**
     * Saves the mapped fields of the records in {@code saves}; outcomes for those that were not saved. The flags of the
     * records' non-primary addresses, read right before, are added to {@code rowWrites}, to be set again after the save.
     */
    private void saveRecords(final String module, final List<FieldUpdate> updates, final List<Integer> saves, final WriteOutcome[] outcomes,
                             final Map<String, Map<String, String>> rowWrites) throws ConnectorException {
        final Set<String> ids = new java.util.LinkedHashSet<>();
        saves.forEach(i -> ids.add(updates.get(i).id()));
        final List<AddressRow> cleared = new ArrayList<>();
        final String table = module.toLowerCase(Locale.ROOT);
        final String what = "SugarCRM get_entry_list " + module + " by id";
        final List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += LOOKUP_CHUNK) {
            final List<String> chunk = all.subList(from, Math.min(all.size(), from + LOOKUP_CHUNK));
            final JsonNode reply = entryList(module, table + ".id IN (" + chunk.stream().map(SugarV41Api::quoted).collect(Collectors.joining(", ")) + ")",
                    0, chunk.size());
            final JsonNode entries = VendorPages.records(reply, "entry_list", what);
            for (int i = 0; i < entries.size(); i++) {
                for (final JsonNode value : linkedAddresses(reply.path("relationship_list").path(i))) {
                    if (!"1".equals(value.path("primary_address").path("value").asText())) {
                        cleared.add(new AddressRow(value.path("id").path("value").asText(), value.path("email_address").path("value").asText(),
                                "1".equals(value.path("opt_out").path("value").asText()), "1".equals(value.path("invalid_email").path("value").asText())));
                    }
                }
            }
        }
        final List<ArrayNode> lists = new ArrayList<>();
        for (final int i : saves) {
            final ArrayNode list = JSON.createArrayNode();
            list.addObject().put("name", "id").put("value", updates.get(i).id());
            updates.get(i).fields().forEach((name, value) -> list.addObject().put("name", name).put("value", String.valueOf(value)));
            lists.add(list);
        }
        final Set<String> saved = setEntries(module, lists);
        for (final int i : saves) {
            if (!saved.contains(updates.get(i).id())) {
                outcomes[i] = WriteOutcome.failed("not_saved", "SugarCRM returned no id for this record: it did not save it (no access, or validation)");
            }
        }
        for (final AddressRow row : cleared) { // only flags that were set are set again: nothing is cleared here
            if (row.optedOut()) {
                rowWrites.computeIfAbsent(row.id(), k -> new LinkedHashMap<>()).put("opt_out", "1");
            }
            if (row.invalid()) {
                rowWrites.computeIfAbsent(row.id(), k -> new LinkedHashMap<>()).put("invalid_email", "1");
            }
        }
    }

    /** The address rows of these normalized addresses, read now, by normalized address. */
    private Map<String, AddressRow> rows(final Collection<String> emails) throws ConnectorException {
        final Map<String, AddressRow> rows = new LinkedHashMap<>();
        final List<String> all = new ArrayList<>(emails);
        for (int from = 0; from < all.size(); from += LOOKUP_CHUNK) {
            final List<String> chunk = all.subList(from, Math.min(all.size(), from + LOOKUP_CHUNK));
            final Map<String, Object> args = new LinkedHashMap<>();
            args.put("session", null);
            args.put("module_name", "EmailAddresses");
            args.put("query", "email_addresses.email_address_caps IN (" + chunk.stream().map(e -> quoted(e.toUpperCase(Locale.ROOT)))
                    .collect(Collectors.joining(", ")) + ")");
            args.put("order_by", "");
            args.put("offset", 0);
            args.put("select_fields", List.of("id", "email_address", "opt_out", "invalid_email"));
            args.put("link_name_to_fields_array", List.of());
            args.put("max_results", chunk.size());
            args.put("deleted", 0);
            args.put("favorites", false);
            final JsonNode reply = call("get_entry_list", args);
            for (final JsonNode entry : VendorPages.records(reply, "entry_list", "SugarCRM get_entry_list EmailAddresses")) {
                final String email = value(entry, "email_address");
                if (email != null) {
                    final AddressRow row = new AddressRow(VendorPages.requiredText(entry, "id"), email, "1".equals(value(entry, "opt_out")),
                            "1".equals(value(entry, "invalid_email")));
                    rows.put(email.trim().toLowerCase(Locale.ROOT), row);
                }
            }
        }
        return rows;
    }

    /** {@code set_entries}: the ids SugarCRM returned, that is the records it saved. */
    private Set<String> setEntries(final String module, final List<ArrayNode> lists) throws ConnectorException {
        final Set<String> saved = new HashSet<>();
        if (lists.isEmpty()) {
            return saved;
        }
        final ArrayNode all = JSON.createArrayNode();
        lists.forEach(all::add);
        final Map<String, Object> args = new LinkedHashMap<>();
        args.put("session", null);
        args.put("module_name", module);
        args.put("name_value_lists", all);
        VendorPages.records(call("set_entries", args), "ids", "SugarCRM set_entries " + module).forEach(id -> saved.add(id.asText()));
        return saved;
    }

    /** Calls a method with the shared session as its first argument; an invalid session is renewed once. */
    private JsonNode call(final String method, final Map<String, Object> args) throws ConnectorException {
        final String current = session.access(refresh -> login());
        JsonNode reply = send(method, args, current);
        if (isFault(reply) && reply.path("number").asInt() == INVALID_SESSION) {
            reply = send(method, args, session.renewAfterRefusal(refresh -> login(), current));
        }
        if (isFault(reply)) {
            throw new ConnectorException("fault-" + reply.path("number").asInt(), "SugarCRM fault " + reply.path("number").asInt() + " "
                    + reply.path("name").asText() + ": " + reply.path("description").asText(), false);
        }
        return reply;
    }

    private JsonNode send(final String method, final Map<String, Object> args, final String sessionId) throws ConnectorException {
        final Map<String, Object> withSession = new LinkedHashMap<>(args);
        withSession.put("session", sessionId);
        return post(method, withSession);
    }

    private JsonNode post(final String method, final Map<String, Object> args) throws ConnectorException {
        final String restData;
        try {
            restData = JSON.writeValueAsString(args);
        } catch (final IOException e) {
            throw new ConnectorException("request", "could not write the request", false);
        }
        final Request request = new Request.Builder().url(endpoint).post(new FormBody.Builder().add("method", method)
                .add("input_type", "JSON").add("response_type", "JSON").add("rest_data", restData).build()).build();
        return transport.send(request, SugarV41Api::classify).requireJson("SugarCRM " + method);
    }

    /** HTTP status first; then a fault in an HTTP 200: "resource query limit exceeded" is worth retrying. */
    private static HttpOutcome classify(final HttpReply reply) {
        final HttpOutcome byStatus = HttpOutcome.of(reply.status());
        if (byStatus != HttpOutcome.OK) {
            return byStatus;
        }
        try {
            final JsonNode body = reply.json();
            return isFault(body) && body.path("number").asInt() == RESOURCE_LIMIT ? HttpOutcome.RETRY : HttpOutcome.OK;
        } catch (final IOException e) {
            return HttpOutcome.OK;
        }
    }

    private static boolean isFault(final JsonNode body) {
        return body.has("number") && body.has("name") && body.has("description") && !body.has("id");
    }

    private SharedToken.Token login() throws ConnectorException {
        final Map<String, Object> args = new LinkedHashMap<>();
        args.put("user_auth", Map.of("user_name", credentials.username(), "password", md5(credentials.password())));
        args.put("application_name", "optsync");
        args.put("name_value_list", List.of());
        final JsonNode reply = post("login", args);
        if (isFault(reply)) {
            throw new ConnectorException("fault-" + reply.path("number").asInt(), "SugarCRM refused the login: " + reply.path("name").asText()
                    + "; check Username and Password", false);
        }
        // the session lives as long as the PHP session; a fault 11 renews it sooner
        return new SharedToken.Token(reply.path("id").asText(), null, Instant.now().plusSeconds(3600));
    }

    static String md5(final String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
