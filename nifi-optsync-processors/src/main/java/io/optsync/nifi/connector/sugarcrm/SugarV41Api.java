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
 * as {@code "1"}/{@code "0"} together with {@code email1}; a record missing from {@code set_entries}' ids failed.
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
    private final SugarAddresses addresses = new SugarAddresses();

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
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        final String table = request.object().toLowerCase(Locale.ROOT);
        final String what = "SugarCRM get_entry_list " + request.object();
        final String optedOut = table + ".id IN (SELECT eabr.bean_id FROM email_addr_bean_rel eabr JOIN email_addresses ea "
                + "ON ea.id = eabr.email_address_id WHERE eabr.deleted = 0 AND ea.opt_out = 1)";
        Watermark last = request.since();
        Watermark after = null;
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
                records.addAll(VendorPages.read(request.object(), entries.get(i), entry -> addresses.remembered(request.object(),
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
        for (final JsonNode link : relationships.path("link_list")) {
            if (!"email_addresses".equals(link.path("name").asText())) {
                continue;
            }
            for (final JsonNode record : link.path("records")) {
                final JsonNode value = record.path("link_value");
                list.add(new SugarAddresses.Address(value.path("email_address").path("value").asText(), value.path("opt_out").path("value").asText(null),
                        value.path("invalid_email").path("value").asText(null), "1".equals(value.path("primary_address").path("value").asText())));
            }
        }
        if (list.isEmpty() && value(entry, "email1") != null && !value(entry, "email1").isEmpty()) {
            list.add(new SugarAddresses.Address(value(entry, "email1"), value(entry, "email_opt_out"), value(entry, "invalid_email"), true));
        }
        return list;
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
                    addresses.remember(id, list);
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

    @Override
    public List<WriteOutcome> write(final String module, final List<FieldUpdate> updates) throws ConnectorException {
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final ArrayNode lists = JSON.createArrayNode();
        final List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (update.id() == null) {
                outcomes[i] = WriteOutcome.failed("unsupported", "the SugarCRM connector updates existing records; it does not create them");
                continue;
            }
            final ArrayNode list = JSON.createArrayNode();
            list.addObject().put("name", "id").put("value", update.id());
            if (update.optedOut() != null) {
                final List<SugarAddresses.Address> known = addresses.of(update.id());
                final SugarAddresses.Address address = known == null ? null
                        : known.stream().filter(a -> a.is(update.email())).findFirst().orElse(null);
                if (address == null || !address.primary()) {
                    outcomes[i] = WriteOutcome.failed(address == null ? "unknown_address" : "not_primary", address == null
                            ? "record " + update.id() + " was not looked up with address " + update.email() + " just before"
                            : "the legacy API writes an opt-out through email1, the primary address; " + update.email()
                            + " is not the primary address of " + update.id());
                    continue;
                }
                // email_opt_out is applied only together with email1, and only "1" opts out ("true" does not)
                list.addObject().put("name", "email1").put("value", address.email());
                list.addObject().put("name", "email_opt_out").put("value", (String) OptOutEncoding.SUGARCRM_V4_1.encode(update.optedOut()));
            }
            update.fields().forEach((name, value) -> list.addObject().put("name", name).put("value", String.valueOf(value)));
            lists.add(list);
            sent.add(i);
        }
        if (!sent.isEmpty()) {
            final Map<String, Object> args = new LinkedHashMap<>();
            args.put("session", null);
            args.put("module_name", module);
            args.put("name_value_lists", lists);
            final JsonNode reply = call("set_entries", args);
            final Set<String> saved = new HashSet<>();
            VendorPages.records(reply, "ids", "SugarCRM set_entries " + module).forEach(id -> saved.add(id.asText()));
            for (final int index : sent) {
                outcomes[index] = saved.contains(updates.get(index).id()) ? WriteOutcome.SUCCESS
                        : WriteOutcome.failed("not_saved", "SugarCRM returned no id for this record: it did not save it (no access, or validation)");
            }
        }
        return java.util.Arrays.asList(outcomes);
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
