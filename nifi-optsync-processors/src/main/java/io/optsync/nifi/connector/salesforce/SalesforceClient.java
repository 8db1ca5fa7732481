package io.optsync.nifi.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpOutcome;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.RecordScope;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.VendorPages;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Salesforce REST as optsync uses it ({@code shared/vendor-apis.md} section 5):
 * <ul>
 * <li>reads by SOQL on {@code SystemModstamp} (it also moves on bounce flagging), ordered by it and Id, following
 * {@code nextRecordsUrl} whatever the page size; the watermark is the last record's, kept by FetchCrmRecords only once
 * the last page is in;</li>
 * <li>the bounce flag is a bounce, never an opt-out; Leads are read without converted ones (they cannot be updated);
 * Person Accounts through their Person fields;</li>
 * <li>looks addresses up with {@code Email IN (...)} (case-insensitive in SOQL), values escaped, chunked under the 16 KB
 * URI limit;</li>
 * <li>writes through sObject Collections, at most 200 records a request, one SaveResult per record in order;</li>
 * <li>403 {@code REQUEST_LIMIT_EXCEEDED} is a limit to wait out, not an authentication failure; {@code Sforce-Limit-Info}
 * stops the calls at the API Usage Ceiling, before the org's allocation is spent; {@code INVALID_SESSION_ID} replaces
 * the token once.</li>
 * </ul>
 */
final class SalesforceClient implements AbstractConnectorService.Client {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private static final int URI_BUDGET = 12_000;
    private static final Set<String> RETRYABLE = Set.of("UNABLE_TO_LOCK_ROW", "REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION");

    /** 403 REQUEST_LIMIT_EXCEEDED is a limit (retry later); any other 403 is refused. */
    static final HttpTransport.Classifier LIMITS = reply -> reply.status() == 403 && reply.excerpt().contains("REQUEST_LIMIT_EXCEEDED")
            ? HttpOutcome.RETRY : HttpOutcome.of(reply.status());

    private final String apiVersion;
    private final SalesforceAuth auth;
    private final SalesforceInstance instances;
    private final HttpTransport transport;
    private final io.optsync.nifi.connector.TokenSource token;
    private final ApiUsage usage;
    private final int batchSize;
    private final RecordScope scope;
    /** The instance the last call went to (the token says which), for provenance. */
    private volatile String lastInstance;

    /** @param scope the user's condition on the records read, and whether opt-outs outside it are read too */
    SalesforceClient(final String apiVersion, final SalesforceAuth auth, final HttpTransport transport, final io.optsync.nifi.connector.TokenSource token, final ApiUsage usage,
                     final int batchSize, final RecordScope scope) {
        this.apiVersion = apiVersion;
        this.scope = scope;
        this.auth = auth;
        this.instances = new SalesforceInstance(auth.loginUrl());
        this.transport = transport;
        this.token = token;
        this.usage = usage;
        this.batchSize = batchSize;
    }

    @Override
    public String usage() {
        return usage.describe();
    }

    @Override
    public String endpoint(final String object, final boolean write) {
        final String instance = lastInstance;
        return (instance == null ? "salesforce:" : HttpUrl.get(instance).newBuilder().encodedPath("/").build().toString())
                + "services/data/" + apiVersion + (write ? "/composite/sobjects" : "/query");
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        final SalesforceObject object = SalesforceObject.named(request.object());
        final List<String> conditions = new ArrayList<>();
        if (request.mode() == FetchMode.INCREMENTAL && !request.since().equals(Watermark.START)) {
            conditions.add("SystemModstamp >= " + soqlTime(request.since().modifiedAt()));
        } else if (request.mode() == FetchMode.OPTED_OUT) {
            conditions.add(object.optOutField() + " = TRUE");
        } else if (request.resuming()) { // a full read goes on from the last SystemModstamp it read; the records at it come twice
            conditions.add("SystemModstamp >= " + soqlTime(Watermark.decode(request.resumeFrom()).modifiedAt()));
        }
        conditions.add(object.emailField() + " != null"); // a record with no address has nothing to sync
        final String scoped = scope.where("(" + object.optOutField() + " = TRUE OR " + object.bounceField() + " = TRUE)");
        if (scoped != null) {
            conditions.add(scoped);
        }
        final String what = "Salesforce, reading " + object.name();
        Watermark last = request.since();
        final List<SourceRecord> records = new ArrayList<>();
        JsonNode page = query(object.select(conditions, true), what);
        while (true) {
            records.clear();
            for (final JsonNode row : VendorPages.records(page, "records", what)) {
                records.addAll(VendorPages.read(object.name(), row, r -> List.of(sourceRecord(object, r))));
            }
            if (!records.isEmpty()) {
                PageHandler.deliver(pages, records);
                last = VendorPages.later(last, records);
            }
            if (page.path("done").asBoolean(true) || page.path("nextRecordsUrl").asText("").isEmpty() || !PageHandler.goOn(pages, request, last.encode())) {
                return last;
            }
            page = next(page.path("nextRecordsUrl").asText(), what);
        }
    }

    private static SourceRecord sourceRecord(final SalesforceObject object, final JsonNode row) {
        final String id = VendorPages.requiredText(row, "Id");
        final Instant modified = OffsetDateTime.parse(VendorPages.requiredText(row, "SystemModstamp"), STAMP).toInstant();
        final JsonNode optOut = row.path(object.optOutField());
        final JsonNode bounced = row.path(object.bounceField());
        return new SourceRecord(object.name(), id, row.path(object.emailField()).isTextual() ? row.get(object.emailField()).asText() : null,
                optOut.isMissingNode() || optOut.isNull() ? null : optOut.isBoolean() ? optOut.asBoolean() : optOut.asText(),
                bounced.isBoolean() ? bounced.asBoolean() : null, modified, Map.of());
    }

    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String objectName, final Collection<String> emails) throws ConnectorException {
        final SalesforceObject object = SalesforceObject.named(objectName);
        final Map<String, List<RecordRef>> found = new LinkedHashMap<>();
        final String what = "Salesforce, looking up " + object.name() + " by address";
        for (final List<String> chunk : chunks(new ArrayList<>(emails))) {
            for (final RecordRef ref : scope.lookUp(restriction -> lookup(object, chunk, restriction, what), r -> Boolean.TRUE.equals(r.optOutValue()))) {
                found.computeIfAbsent(ref.email().trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(ref);
            }
        }
        return found;
    }

    /** The records holding one of {@code chunk}'s addresses, and meeting {@code restriction} when it is set. */
    private List<RecordRef> lookup(final SalesforceObject object, final List<String> chunk, final String restriction, final String what)
            throws ConnectorException {
        final String in = object.emailField() + " IN (" + String.join(", ", chunk.stream().map(SalesforceObject::literal).toList()) + ")";
        final List<RecordRef> found = new ArrayList<>();
        JsonNode page = query(object.select(restriction == null ? List.of(in) : List.of(in, restriction), false), what);
        while (true) {
            for (final JsonNode row : VendorPages.records(page, "records", what)) {
                final SourceRecord record = VendorPages.orMalformed(what, () -> sourceRecord(object, row));
                if (record.email() != null && chunk.contains(record.email().trim().toLowerCase(Locale.ROOT))) {
                    found.add(new RecordRef(object.name(), record.id(), record.email(), record.optOutValue(), record.modifiedAt()));
                }
            }
            if (page.path("done").asBoolean(true) || page.path("nextRecordsUrl").asText("").isEmpty()) {
                return found;
            }
            page = next(page.path("nextRecordsUrl").asText(), what);
        }
    }

    /** Addresses in chunks whose IN list stays well under Salesforce's 16,384-byte URI limit. */
    private static List<List<String>> chunks(final List<String> emails) {
        final List<List<String>> chunks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int length = 0;
        for (final String email : emails) {
            final int encoded = java.net.URLEncoder.encode(SalesforceObject.literal(email), java.nio.charset.StandardCharsets.UTF_8).length() + 6;
            if (!current.isEmpty() && (length + encoded > URI_BUDGET || current.size() == 200)) {
                chunks.add(current);
                current = new ArrayList<>();
                length = 0;
            }
            current.add(email);
            length += encoded;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    @Override
    public List<WriteOutcome> write(final String objectName, final List<FieldUpdate> updates) throws ConnectorException {
        final SalesforceObject object = SalesforceObject.named(objectName);
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final List<Integer> sendable = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            if (updates.get(i).id() == null) {
                outcomes[i] = WriteOutcome.failed("unsupported", "the Salesforce connector updates existing records only; it creates none");
            } else {
                sendable.add(i);
            }
        }
        for (int from = 0; from < sendable.size(); from += batchSize) {
            final List<Integer> chunk = sendable.subList(from, Math.min(sendable.size(), from + batchSize));
            final ObjectNode body = JSON.createObjectNode();
            body.put("allOrNone", false);
            final ArrayNode list = body.putArray("records");
            for (final int index : chunk) {
                final FieldUpdate update = updates.get(index);
                final ObjectNode record = list.addObject();
                record.putObject("attributes").put("type", object.sobject());
                record.put("id", update.id());
                if (update.optedOut() != null) {
                    record.put(object.optOutField(), update.optedOut());
                }
                update.fields().forEach((name, value) -> record.set(name, JSON.valueToTree(value)));
            }
            final String what = "Salesforce, updating " + object.name();
            final HttpReply reply = call(instance -> new Request.Builder().url(instance.newBuilder().addPathSegments("services/data/" + apiVersion
                    + "/composite/sobjects").build()).patch(RequestBody.create(body.toString(), JSON_TYPE)));
            if (reply.status() / 100 != 2) {
                final WriteOutcome refused = WriteOutcome.failed(errorCode(reply), "Salesforce refused the update: " + reply.excerpt());
                chunk.forEach(i -> outcomes[i] = refused);
                continue;
            }
            final JsonNode results = reply.requireJson(what);
            if (!results.isArray() || results.size() != chunk.size()) {
                throw VendorPages.malformed(what, "expected " + chunk.size() + " SaveResults in request order, got " + (results.isArray() ? results.size() : results.getNodeType()));
            }
            for (int k = 0; k < chunk.size(); k++) {
                outcomes[chunk.get(k)] = outcome(results.get(k));
            }
        }
        return java.util.Arrays.asList(outcomes);
    }

    private static WriteOutcome outcome(final JsonNode result) {
        if (result.path("success").asBoolean(false)) {
            return WriteOutcome.SUCCESS;
        }
        final JsonNode error = result.path("errors").path(0);
        final String code = error.path("statusCode").asText("UNKNOWN");
        final String message = error.path("message").asText("");
        return RETRYABLE.contains(code) ? WriteOutcome.retry(code, message) : WriteOutcome.failed(code, message);
    }

    private static String errorCode(final HttpReply reply) {
        try {
            return reply.json().path(0).path("errorCode").asText(String.valueOf(reply.status()));
        } catch (final java.io.IOException e) {
            return String.valueOf(reply.status());
        }
    }

    private JsonNode query(final String soql, final String what) throws ConnectorException {
        return ok(call(instance -> new Request.Builder().url(instance.newBuilder().addPathSegments("services/data/" + apiVersion + "/query")
                .addQueryParameter("q", soql).build()).get()), what);
    }

    private JsonNode next(final String nextRecordsUrl, final String what) throws ConnectorException {
        return ok(call(instance -> new Request.Builder().url(SalesforceInstance.next(instance, nextRecordsUrl)).get()), what);
    }

    private static JsonNode ok(final HttpReply reply, final String what) throws ConnectorException {
        if (reply.status() / 100 != 2) {
            throw new ConnectorException(errorCode(reply), what + " failed: HTTP " + reply.status() + " " + reply.excerpt(), false);
        }
        return reply.requireJson(what);
    }

    @FunctionalInterface
    private interface Call {
        Request.Builder at(HttpUrl instance) throws ConnectorException;
    }

    /** A call with the shared token at its instance; INVALID_SESSION_ID replaces the token once. */
    private HttpReply call(final Call call) throws ConnectorException {
        usage.checkBeforeCall();
        SharedToken.Token current = token.token(auth::grant);
        HttpReply reply = send(call, current);
        if (reply.status() == 401) {
            token.renewAfterRefusal(auth::grant, current.access());
            current = token.token(auth::grant);
            reply = send(call, current);
        }
        if (reply.status() == 401) {
            throw new ConnectorException("INVALID_SESSION_ID", "Salesforce refuses the session it just issued: " + reply.excerpt(), false);
        }
        return reply;
    }

    private HttpReply send(final Call call, final SharedToken.Token current) throws ConnectorException {
        final HttpUrl instance = instances.instance(current.endpoint());
        lastInstance = current.endpoint(); // only an instance calls may go to names provenance's transit URI
        final HttpReply reply = transport.send(call.at(instance).header("Authorization", "Bearer " + current.access())
                .header("Accept", "application/json").build(), LIMITS);
        usage.observe(reply.header("Sforce-Limit-Info"));
        return reply;
    }

    /** A SOQL dateTime literal (unquoted, whole seconds, UTC); cut down to the second, so a {@code >=} reads a little more, never less. */
    static String soqlTime(final Instant instant) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").format(instant.atOffset(ZoneOffset.UTC));
    }
}
