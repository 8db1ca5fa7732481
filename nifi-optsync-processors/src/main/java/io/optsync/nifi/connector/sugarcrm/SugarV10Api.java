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
    private final SugarAddresses addresses = new SugarAddresses();

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
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        final String what = "SugarCRM " + request.object() + "/filter";
        Watermark last = request.since();
        Watermark after = null;
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
                records.addAll(VendorPages.read(request.object(), record, r -> addresses.sourceRecords(request.object(),
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
                    addresses.remember(id, list);
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

    @Override
    public List<WriteOutcome> write(final String module, final List<FieldUpdate> updates) throws ConnectorException {
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final ArrayNode requests = JSON.createArrayNode();
        final List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (update.id() == null) {
                outcomes[i] = WriteOutcome.failed("unsupported", "the SugarCRM connector updates existing records; it does not create them");
                continue;
            }
            final ObjectNode data = JSON.createObjectNode();
            if (update.optedOut() != null) {
                final List<SugarAddresses.Address> known = addresses.of(update.id());
                if (known == null || known.stream().noneMatch(a -> a.is(update.email()))) {
                    outcomes[i] = WriteOutcome.failed("unknown_address", "record " + update.id() + " was not looked up with address " + update.email()
                            + " just before; look it up first so that its other addresses are kept");
                    continue;
                }
                final ArrayNode email = data.putArray("email");
                for (final SugarAddresses.Address address : known) {
                    final ObjectNode entry = email.addObject();
                    entry.put("email_address", address.email());
                    entry.put("opt_out", address.is(update.email()) ? update.optedOut() : Boolean.TRUE.equals(SugarCrmConnectorService.flag(address.optOut())));
                    entry.put("invalid_email", Boolean.TRUE.equals(SugarCrmConnectorService.flag(address.invalid())));
                    entry.put("primary_address", address.primary());
                }
            }
            update.fields().forEach((name, value) -> data.set(name, JSON.valueToTree(value)));
            final ObjectNode request = requests.addObject();
            request.put("url", "/v10/" + module + "/" + update.id());
            request.put("method", "PUT");
            request.put("data", data.toString());
            sent.add(i);
        }
        if (!sent.isEmpty()) {
            final ObjectNode body = JSON.createObjectNode();
            body.set("requests", requests);
            final JsonNode replies = call("bulk", body);
            for (int k = 0; k < sent.size(); k++) {
                outcomes[sent.get(k)] = outcome(replies.path(k));
            }
        }
        return java.util.Arrays.asList(outcomes);
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
