package io.optsync.nifi.connector.sugarcrm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SugarCRM REST v10 ({@code shared/vendor-apis.md} section 3). */
final class SugarV10Api implements SugarApi {
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LOOKUP_CHUNK = 100;

    private final HttpUrl base;
    private final SugarCredentials credentials;
    private final HttpTransport transport;
    private final SharedToken token;

    SugarV10Api(final String siteUrl, final SugarCredentials credentials, final HttpTransport transport, final SharedToken token) {
        this.base = HttpUrl.get(siteUrl).newBuilder().addPathSegments("rest/v10").build();
        this.credentials = credentials;
        this.transport = transport;
        this.token = token;
    }

    /**
     * Pages by key, never by offset: each page asks for the records after the last one read, in (date_modified, id)
     * order. An offset would skip a record whenever one read earlier is saved again mid-fetch (it moves to the end and
     * every later record shifts down by one); a key cannot.
     */
    @Override
    public String endpoint(final String object, final boolean write) {
        return base.newBuilder().addPathSegments(write ? "bulk" : object + "/filter").build().toString();
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        final String what = "SugarCRM " + request.object() + "/filter";
        Watermark last = request.since();
        Watermark after = request.resuming() ? Watermark.decode(request.resumeFrom()) : null; // a full read goes on after the key it stopped at
        while (true) {
            final ArrayNode filter = JSON.createArrayNode();
            if (request.mode() == FetchMode.OPTED_OUT) {
                filter.addObject().putObject("email_addresses.opt_out").put("$equals", true);
            }
            if (after != null) {
                final ArrayNode or = filter.addObject().putArray("$or");
                or.addObject().putObject("date_modified").put("$gt", iso(after.modifiedAt()));
                final ArrayNode and = or.addObject().putArray("$and");
                and.addObject().putObject("date_modified").put("$equals", iso(after.modifiedAt()));
                and.addObject().putObject("id").put("$gt", after.id());
            } else if (request.mode() == FetchMode.INCREMENTAL && !request.since().equals(Watermark.START)) {
                filter.addObject().putObject("date_modified").put("$gte", iso(request.since().modifiedAt()));
            }
            final ObjectNode body = JSON.createObjectNode();
            body.set("filter", filter);
            body.put("order_by", "date_modified:ASC,id:ASC");
            body.put("max_num", request.pageSize());
            body.put("offset", 0);
            body.put("fields", "id,date_modified,first_name,last_name,email");
            final JsonNode reply = call(request.object() + "/filter", body);
            final JsonNode page = VendorPages.records(reply, "records", what);
            final int nextOffset = VendorPages.whole(reply, "next_offset", what);
            final List<SourceRecord> records = new ArrayList<>();
            for (final JsonNode record : page) {
                records.addAll(VendorPages.read(request.object(), record, r -> SugarAddresses.sourceRecords(request.object(),
                        VendorPages.requiredText(r, "id"), modified(r), r.path("first_name").asText(null), r.path("last_name").asText(null), addressesOf(r))));
            }
            if (!records.isEmpty()) {
                PageHandler.deliver(pages, records);
                last = VendorPages.later(last, records);
            }
            if (nextOffset < 0) {
                return last;
            }
            after = VendorPages.lastKey(page, r -> new Watermark(modified(r), VendorPages.requiredText(r, "id")), what);
            if (!PageHandler.goOn(pages, request, after.encode())) {
                return last;
            }
        }
    }

    private static List<SugarAddresses.Address> addressesOf(final JsonNode record) {
        final List<SugarAddresses.Address> list = new ArrayList<>();
        if (!record.path("email").isArray()) {
            throw new IllegalArgumentException("\"email\" is not a list of addresses: " + record.path("email"));
        }
        for (final JsonNode email : record.path("email")) {
            list.add(new SugarAddresses.Address(email.path("email_address").asText(), scalar(email.path("opt_out")),
                    scalar(email.path("invalid_email")), Boolean.TRUE.equals(SugarCrmConnectorService.flag(scalar(email.path("primary_address"))))));
        }
        return list;
    }

    private static Object scalar(final JsonNode node) {
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    private static Instant modified(final JsonNode record) {
        return OffsetDateTime.parse(VendorPages.requiredText(record, "date_modified")).toInstant();
    }

    private static String iso(final Instant instant) {
        return java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC).withNano(0));
    }

    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String module, final Collection<String> emails) throws ConnectorException {
        final Map<String, List<RecordRef>> found = new LinkedHashMap<>();
        final List<String> all = new ArrayList<>(emails);
        for (int from = 0; from < all.size(); from += LOOKUP_CHUNK) {
            final List<String> chunk = all.subList(from, Math.min(all.size(), from + LOOKUP_CHUNK));
            final ObjectNode body = JSON.createObjectNode();
            final ArrayNode in = body.putArray("filter").addObject().putObject("email_addresses.email_address").putArray("$in");
            chunk.forEach(in::add);
            body.put("max_num", 1000);
            body.put("fields", "id,date_modified,email");
            int offset = 0;
            while (offset >= 0) {
                body.put("offset", offset);
                final String what = "SugarCRM " + module + "/filter by address";
                final JsonNode reply = call(module + "/filter", body);
                for (final JsonNode record : VendorPages.records(reply, "records", what)) {
                    final String id = VendorPages.orMalformed(what, () -> VendorPages.requiredText(record, "id"));
                    final List<SugarAddresses.Address> list = VendorPages.orMalformed(what, () -> addressesOf(record));
                    for (final SugarAddresses.Address address : list) {
                        for (final String email : chunk) {
                            if (address.is(email)) {
                                found.computeIfAbsent(email, k -> new ArrayList<>()).add(new RecordRef(module, id, address.email(), address.optOut()));
                            }
                        }
                    }
                }
                offset = VendorPages.whole(reply, "next_offset", what);
            }
        }
        return found;
    }

    /**
     * Writes from what SugarCRM holds now, never from a cache: v10's PUT replaces a record's whole address list, so the
     * other addresses must go back as they are this moment. Every update of one record is merged into one PUT (two in
     * one bulk would overwrite each other); the records are read fresh in one bulk of GETs right before the bulk of
     * PUTs; and an update is reported written only when the record SugarCRM returns after the PUT holds it.
     * A vendor-side change between that read and the write (milliseconds) can still be overwritten: the v10 API offers
     * no conditional write; the next fetch reads the record back and the audit states what SugarCRM holds.
     */
    @Override
    public List<WriteOutcome> write(final String module, final List<FieldUpdate> updates) throws ConnectorException {
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final Map<String, List<Integer>> byRecord = new LinkedHashMap<>();
        for (int i = 0; i < updates.size(); i++) {
            if (updates.get(i).id() == null) {
                outcomes[i] = WriteOutcome.failed("unsupported", "the SugarCRM connector updates existing records; it does not create them");
            } else {
                byRecord.computeIfAbsent(updates.get(i).id(), id -> new ArrayList<>()).add(i);
            }
        }
        if (byRecord.isEmpty()) {
            return java.util.Arrays.asList(outcomes);
        }
        final List<String> ids = new ArrayList<>(byRecord.keySet());
        final JsonNode fresh = bulk(ids.stream().map(id -> subRequest("GET", module, id + "?fields=id,date_modified,email", null)).toList());
        final List<ObjectNode> puts = new ArrayList<>();
        final List<String> written = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            final List<Integer> mine = byRecord.get(ids.get(k));
            final WriteOutcome readFailed = outcome(fresh.path(k));
            if (readFailed.status() != WriteOutcome.Status.SUCCESS) {
                mine.forEach(i -> outcomes[i] = readFailed);
                continue;
            }
            final ObjectNode data = merged(fresh.path(k).path("contents"), mine.stream().map(updates::get).toList(), mine, outcomes);
            if (data != null) {
                puts.add(subRequest("PUT", module, ids.get(k), data));
                written.add(ids.get(k));
            }
        }
        if (!written.isEmpty()) {
            final JsonNode replies = bulk(puts);
            for (int k = 0; k < written.size(); k++) {
                final WriteOutcome put = outcome(replies.path(k));
                for (final int i : byRecord.get(written.get(k))) {
                    if (outcomes[i] == null) {
                        outcomes[i] = put.status() == WriteOutcome.Status.SUCCESS ? held(replies.path(k).path("contents"), updates.get(i)) : put;
                    }
                }
            }
        }
        return java.util.Arrays.asList(outcomes);
    }

    /**
     * The PUT body for one record: its address list as SugarCRM holds it now with each update's opt-out applied, and the
     * updates' other fields; {@code null} when SugarCRM already holds every update (nothing to write). An update whose
     * address is no longer on the record gets its outcome here.
     */
    private static ObjectNode merged(final JsonNode record, final List<FieldUpdate> updates, final List<Integer> indexes, final WriteOutcome[] outcomes)
            throws ConnectorException {
        final List<SugarAddresses.Address> now = VendorPages.orMalformed("SugarCRM record read before a write", () -> addressesOf(record));
        final Map<String, Boolean> wanted = new LinkedHashMap<>();
        final ObjectNode data = JSON.createObjectNode();
        boolean changes = false;
        for (int u = 0; u < updates.size(); u++) {
            final FieldUpdate update = updates.get(u);
            if (update.optedOut() != null) {
                if (now.stream().noneMatch(a -> a.is(update.email()))) {
                    outcomes[indexes.get(u)] = WriteOutcome.failed("unknown_address", "record " + update.id() + " does not hold " + update.email() + " now");
                    continue;
                }
                // an opt-out wins over any other update of the same address in the batch
                wanted.merge(update.email(), update.optedOut(), Boolean::logicalOr);
            }
            if (!update.fields().isEmpty()) {
                update.fields().forEach((name, value) -> data.set(name, JSON.valueToTree(value)));
                changes = true;
            }
        }
        final ArrayNode email = JSON.createArrayNode();
        for (final SugarAddresses.Address address : now) {
            final boolean current = Boolean.TRUE.equals(SugarCrmConnectorService.flag(address.optOut()));
            final Boolean want = wanted.entrySet().stream().filter(e -> address.is(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(null);
            changes |= want != null && want != current;
            final ObjectNode entry = email.addObject();
            entry.put("email_address", address.email());
            entry.put("opt_out", want != null ? want : current);
            entry.put("invalid_email", Boolean.TRUE.equals(SugarCrmConnectorService.flag(address.invalid())));
            entry.put("primary_address", address.primary());
        }
        if (!changes) {
            for (int u = 0; u < updates.size(); u++) {
                if (outcomes[indexes.get(u)] == null) {
                    outcomes[indexes.get(u)] = WriteOutcome.SUCCESS; // SugarCRM holds it already
                }
            }
            return null;
        }
        if (!wanted.isEmpty()) {
            data.set("email", email);
        }
        return data;
    }

    /** Written only when the record SugarCRM returned after the PUT holds the update's opt-out. */
    private static WriteOutcome held(final JsonNode record, final FieldUpdate update) {
        if (update.optedOut() == null) {
            return WriteOutcome.SUCCESS;
        }
        for (final JsonNode email : record.path("email")) {
            if (email.path("email_address").asText("").trim().toLowerCase(java.util.Locale.ROOT).equals(update.email())) {
                final boolean holds = Boolean.TRUE.equals(SugarCrmConnectorService.flag(scalar(email.path("opt_out"))));
                return holds == update.optedOut() ? WriteOutcome.SUCCESS
                        : WriteOutcome.retry("not_kept", "SugarCRM answered the write, but its record holds opt_out " + holds + " for " + update.email());
            }
        }
        return WriteOutcome.retry("not_kept", "SugarCRM answered the write, but its record no longer lists " + update.email());
    }

    private static ObjectNode subRequest(final String method, final String module, final String path, final JsonNode data) {
        final ObjectNode request = JSON.createObjectNode();
        request.put("url", "/v10/" + module + "/" + path);
        request.put("method", method);
        if (data != null) {
            request.put("data", data.toString());
        }
        return request;
    }

    private JsonNode bulk(final List<ObjectNode> requests) throws ConnectorException {
        final ObjectNode body = JSON.createObjectNode();
        body.putArray("requests").addAll(requests);
        return call("bulk", body);
    }

    private static WriteOutcome outcome(final JsonNode reply) {
        if (reply.isMissingNode()) {
            return WriteOutcome.retry("no_reply", "SugarCRM's bulk reply has no entry for this record");
        }
        final int status = reply.path("status").asInt();
        final String label = reply.path("contents").path("error").asText(String.valueOf(status));
        final String message = reply.path("contents").path("error_message").asText("");
        return switch (HttpOutcome.of(status)) {
            case OK -> WriteOutcome.SUCCESS;
            case RETRY -> WriteOutcome.retry(label, message);
            case REJECT -> WriteOutcome.failed(label, message);
        };
    }

    private JsonNode call(final String path, final JsonNode body) throws ConnectorException {
        final Request.Builder request = new Request.Builder().url(base.newBuilder().addPathSegments(path).build())
                .post(RequestBody.create(body.toString(), JSON_TYPE));
        final String access = token.access(this::grant);
        HttpReply reply = transport.send(request.header("OAuth-Token", access).build(), HttpTransport.Classifier.STATUS);
        if (reply.status() == 401) {
            reply = transport.send(request.header("OAuth-Token", token.renewAfterRefusal(this::grant, access)).build(), HttpTransport.Classifier.STATUS);
        }
        return reply.requireJson("SugarCRM " + path);
    }

    private SharedToken.Token grant(final String refreshToken) throws ConnectorException {
        if (refreshToken != null) {
            final HttpReply refreshed = tokenCall(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
            if (refreshed.status() == 200) {
                return token(refreshed);
            }
        }
        final HttpReply signedIn = tokenCall(Map.of("grant_type", "password", "username", credentials.username(), "password", credentials.password()));
        if (signedIn.status() != 200) {
            throw new ConnectorException("auth-" + signedIn.status(), "SugarCRM refused the sign-in (HTTP " + signedIn.status()
                    + "); check Username, Password, Client ID and Platform", false);
        }
        return token(signedIn);
    }

    private HttpReply tokenCall(final Map<String, String> grant) throws ConnectorException {
        final ObjectNode body = JSON.createObjectNode();
        grant.forEach(body::put);
        body.put("client_id", credentials.clientId());
        body.put("client_secret", credentials.clientSecret());
        body.put("platform", credentials.platform());
        return transport.send(new Request.Builder().url(base.newBuilder().addPathSegments("oauth2/token").build())
                .post(RequestBody.create(body.toString(), JSON_TYPE)).build(), HttpTransport.Classifier.STATUS);
    }

    private static SharedToken.Token token(final HttpReply reply) throws ConnectorException {
        try {
            final JsonNode body = reply.json();
            return new SharedToken.Token(body.path("access_token").asText(), body.path("refresh_token").asText(null),
                    Instant.now().plusSeconds(body.path("expires_in").asLong(3600)));
        } catch (final IOException e) {
            throw new ConnectorException("malformed", "SugarCRM's token answer is not JSON", true, Duration.ZERO, e);
        }
    }
}
