package io.optsync.nifi.connector.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.AsyncJobWait;
import io.optsync.nifi.connector.ConcurrencyCap;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.RecordScope;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.VendorPages;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * NetSuite SuiteTalk REST as optsync uses it ({@code shared/vendor-netsuite.md}):
 * <ul>
 * <li>reads through SuiteQL ({@code Prefer: transient}), paged by key on (last-modified time, id) with each page a new
 * query from the last key read: no offsets, so the 100,000-row cap of one query is never reached and a record saved
 * mid-read skips nobody; dates are selected and compared in one fixed format ({@code YYYY-MM-DD HH24:MI:SS});</li>
 * <li>objects {@code customer}, {@code contact} and {@code lead} (customers at stage LEAD);
 * {@code globalSubscriptionStatus} "1" to "4" is the opt-out value;</li>
 * <li>writes only the soft statuses (2 for an opt-out, 1 for an allowed opt-in), {@value #BATCH_FROM} or more records in
 * NetSuite's batch requests ({@code PATCH /record/v1/{type}}, at most {@value #BATCH_MAX} a request, always asynchronous,
 * with an idempotency key so that a request re-sent after a lost reply names the first job), fewer with one
 * {@code PATCH /record/v1/{type}/{id}} each; see {@link #batch};</li>
 * <li>NetSuite refuses to leave a Confirmed Opt-Out, which ends as a failure with its reason;</li>
 * <li>holds at most Max Concurrent Requests calls open (one pool per account, shared by every integration of it) and
 * retries 429 {@code CONCURRENCY_LIMIT_EXCEEDED} with back-off.</li>
 * </ul>
 */
final class NetSuiteClient implements AbstractConnectorService.Client {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final MediaType COLLECTION_TYPE = MediaType.get("application/vnd.oracle.resource+json; type=collection");
    /** NetSuite's most records in one batch request. */
    static final int BATCH_MAX = 100;
    /** Fewer records go one PATCH each: a batch costs at least three calls (the request, its job's status, the read-back). */
    static final int BATCH_FROM = 3;
    private static final java.util.regex.Pattern JOB_LOCATION = java.util.regex.Pattern.compile("/async/v1/job/(\\d+)/?$");
    static final AsyncJobWait JOB_WAIT = new AsyncJobWait(java.time.Duration.ofMinutes(2), java.time.Duration.ofMillis(250));
    private static final DateTimeFormatter DB = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String TS = "TO_TIMESTAMP(?, 'YYYY-MM-DD HH24:MI:SS')";
    private static final String SELECT = "SELECT id, email, globalsubscriptionstatus, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lmd";
    private static final int LOOKUP_CHUNK = 200;
    private static final String OPTED_OUT = "globalsubscriptionstatus IN ('2', '4')";

    /** An object optsync reads: its record type and the condition that picks its records. */
    private record NsObject(String name, String type, String condition) {
    }

    static final List<String> OBJECTS = List.of("customer", "contact", "lead");

    private final HttpUrl host;
    private final NetSuiteSignIn signIn;
    private final HttpTransport transport;
    private final ConcurrencyCap concurrency;
    private final List<String> extraFields;
    private final RecordScope scope;

    /**
     * @param extraFields further SuiteQL columns to read into the records' fields (custom fields such as custentity_email_optout)
     * @param scope the user's condition on the records read, and whether opt-outs outside it are read too
     */
    NetSuiteClient(final HttpUrl host, final NetSuiteSignIn signIn, final HttpTransport transport, final ConcurrencyCap concurrency,
                   final List<String> extraFields, final RecordScope scope) {
        this.host = host;
        this.scope = scope;
        this.extraFields = extraFields;
        this.signIn = signIn;
        this.transport = transport;
        this.concurrency = concurrency;
    }

    private static NsObject object(final String name) throws ConnectorException {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "customer" -> new NsObject("customer", "customer", null);
            case "contact" -> new NsObject("contact", "contact", null);
            case "lead" -> new NsObject("lead", "customer", "searchstage = 'LEAD'");
            default -> throw new ConnectorException("object", "NetSuite objects are customer, contact and lead, not '" + name + "'", false);
        };
    }

    @Override
    public String endpoint(final String object, final boolean write) {
        return host.newBuilder().addPathSegments(write ? "services/rest/record/v1/" + object : "services/rest/query/v1/suiteql").build().toString();
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        final NsObject object = object(request.object());
        final int limit = Math.min(1000, request.pageSize());
        final String what = "NetSuite SuiteQL, reading " + object.name();
        Watermark last = request.since();
        Watermark after = request.resuming() ? Watermark.decode(request.resumeFrom()) : null; // a full read goes on after the key it stopped at
        while (true) {
            final List<String> conditions = new ArrayList<>();
            final List<String> params = new ArrayList<>();
            if (after != null) {
                conditions.add("(lastmodifieddate > " + TS + " OR (lastmodifieddate = " + TS + " AND id > ?))");
                params.add(DB.format(after.modifiedAt().atOffset(ZoneOffset.UTC)));
                params.add(DB.format(after.modifiedAt().atOffset(ZoneOffset.UTC)));
                params.add(after.id());
            } else if (request.mode() == FetchMode.INCREMENTAL && !request.since().equals(Watermark.START)) {
                conditions.add("lastmodifieddate >= " + TS);
                params.add(DB.format(request.since().modifiedAt().atOffset(ZoneOffset.UTC)));
            }
            if (request.mode() == FetchMode.OPTED_OUT) {
                conditions.add(OPTED_OUT);
            }
            conditions.add("email IS NOT NULL"); // a record with no address has nothing to sync
            final String scoped = scope.where(OPTED_OUT);
            if (scoped != null) {
                conditions.add(scoped);
            }
            final JsonNode page = suiteql(object, conditions, params, true, limit, 0, what); // by key: always the first page of a new query
            final JsonNode items = VendorPages.records(page, "items", what);
            final List<SourceRecord> records = new ArrayList<>();
            for (final JsonNode item : items) {
                records.addAll(VendorPages.read(object.name(), item, i -> List.of(sourceRecord(object, i))));
            }
            if (!records.isEmpty()) {
                PageHandler.deliver(pages, records);
                last = VendorPages.later(last, records);
            }
            if (items.size() < limit) {
                return last;
            }
            after = VendorPages.lastKey(items, i -> new Watermark(modified(i), VendorPages.requiredText(i, "id")), what);
            if (!PageHandler.goOn(pages, request, after.encode())) {
                return last;
            }
        }
    }

    private SourceRecord sourceRecord(final NsObject object, final JsonNode item) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("record_type", object.type());
        for (final String field : extraFields) {
            final JsonNode value = item.path(field);
            fields.put(field, value.isMissingNode() || value.isNull() ? null : value.asText());
        }
        return new SourceRecord(object.name(), VendorPages.requiredText(item, "id"), item.path("email").isTextual() ? item.get("email").asText() : null,
                item.path("globalsubscriptionstatus").isMissingNode() || item.path("globalsubscriptionstatus").isNull() ? null
                        : item.get("globalsubscriptionstatus").asText(), null, modified(item), fields);
    }

    /** lmd as selected: {@code YYYY-MM-DD HH24:MI:SS}, read as UTC (set the Overlap Window to cover the account's offset). */
    private static Instant modified(final JsonNode item) {
        return LocalDateTime.parse(VendorPages.requiredText(item, "lmd"), DB).toInstant(ZoneOffset.UTC);
    }

    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String objectName, final Collection<String> emails) throws ConnectorException {
        final NsObject object = object(objectName);
        final String what = "NetSuite SuiteQL, looking up " + object.name() + " by address";
        final Map<String, List<RecordRef>> found = new LinkedHashMap<>();
        final List<String> all = new ArrayList<>(emails);
        for (int from = 0; from < all.size(); from += LOOKUP_CHUNK) {
            final List<String> chunk = all.subList(from, Math.min(all.size(), from + LOOKUP_CHUNK));
            // only a Soft Opt-Out can take an opt-in (a Confirmed Opt-Out is never left)
            for (final RecordRef ref : scope.lookUp(restriction -> lookup(object, chunk, restriction, what), r -> "2".equals(r.optOutValue()))) {
                found.computeIfAbsent(ref.email().trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(ref);
            }
        }
        return found;
    }

    /** The records holding one of {@code chunk}'s addresses, and meeting {@code restriction} when it is set. */
    private List<RecordRef> lookup(final NsObject object, final List<String> chunk, final String restriction, final String what) throws ConnectorException {
        final String in = "LOWER(email) IN (" + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
        final List<RecordRef> found = new ArrayList<>();
        for (int offset = 0; ; offset += 1000) {
            final JsonNode page = suiteql(object, restriction == null ? List.of(in) : List.of(in, restriction), chunk, false, 1000, offset, what);
            final JsonNode items = VendorPages.records(page, "items", what);
            for (final JsonNode item : items) {
                final SourceRecord record = VendorPages.orMalformed(what, () -> sourceRecord(object, item));
                if (record.email() != null) {
                    found.add(new RecordRef(object.name(), record.id(), record.email(), record.optOutValue(), record.modifiedAt()));
                }
            }
            if (items.size() < 1000) {
                return found;
            }
        }
    }

    @Override
    public List<WriteOutcome> write(final String objectName, final List<FieldUpdate> updates) throws ConnectorException {
        final NsObject object = object(objectName);
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final List<Integer> sendable = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (update.id() == null || !update.fields().isEmpty()) {
                outcomes[i] = WriteOutcome.failed("unsupported", "the NetSuite connector sets globalSubscriptionStatus of existing records only");
            } else if (update.optedOut() == null) {
                outcomes[i] = WriteOutcome.SUCCESS;
            } else {
                sendable.add(i);
            }
        }
        for (int from = 0; from < sendable.size(); from += BATCH_MAX) {
            final List<Integer> chunk = sendable.subList(from, Math.min(sendable.size(), from + BATCH_MAX));
            if (chunk.size() >= BATCH_FROM) {
                batch(object, updates, chunk, outcomes);
            } else {
                for (final int i : chunk) {
                    outcomes[i] = writeOne(object, updates.get(i));
                }
            }
        }
        return List.of(outcomes);
    }

    /** The soft status an update asks for: 3 and 4 are the recipient's. */
    private static String status(final FieldUpdate update) {
        return update.optedOut() ? "2" : "1";
    }

    private static ObjectNode statusBody(final FieldUpdate update) {
        final ObjectNode body = JSON.createObjectNode();
        body.putObject("globalSubscriptionStatus").put("id", status(update));
        return body;
    }

    private WriteOutcome writeOne(final NsObject object, final FieldUpdate update) throws ConnectorException {
        final HttpReply reply = call(new Request.Builder().url(host.newBuilder().addPathSegments("services/rest/record/v1/" + object.type() + "/" + update.id())
                .build()).patch(RequestBody.create(statusBody(update).toString(), JSON_TYPE)));
        return reply.status() / 100 == 2 ? WriteOutcome.SUCCESS : WriteOutcome.failed(errorCode(reply), "NetSuite refused the status: " + detail(reply));
    }

    /**
     * One batch request for {@code chunk}, then its job's status until it completed (a job still running after
     * {@link #JOB_WAIT} is tried again: writing a soft status twice is harmless). What NetSuite then holds decides: one
     * SuiteQL read of the records' statuses, and only for a record that does not hold what was written, its task's
     * result (task n is the batch's n-th item, as NetSuite runs them in order): the vendor's refusal ends as a failure
     * with its reason, a write that ran but did not hold (a user changed the record since) is tried again.
     */
    private void batch(final NsObject object, final List<FieldUpdate> updates, final List<Integer> chunk, final WriteOutcome[] outcomes)
            throws ConnectorException {
        final ObjectNode body = JSON.createObjectNode();
        final ArrayNode items = body.putArray("items");
        for (final int i : chunk) {
            items.add(statusBody(updates.get(i)).put("id", updates.get(i).id()));
        }
        final HttpReply queued = call(new Request.Builder().url(host.newBuilder().addPathSegments("services/rest/record/v1/" + object.type()).build())
                .header("Prefer", "respond-async").header("X-NetSuite-Idempotency-Key", java.util.UUID.randomUUID().toString())
                .patch(RequestBody.create(body.toString(), COLLECTION_TYPE)));
        // a request re-sent after a lost reply is refused as a repeat, with the first request's job in Location
        final boolean repeated = queued.status() == 400 && "IDEMPOTENCY_ERROR".equals(errorCode(queued)) && queued.header("Location") != null;
        if (queued.status() != 202 && !repeated) {
            chunk.forEach(i -> outcomes[i] = WriteOutcome.failed(errorCode(queued), "NetSuite refused the batch request: " + detail(queued)));
            return;
        }
        final String job = jobId(queued.header("Location"));
        final String what = "NetSuite, the status of batch job " + job;
        final Boolean completed = JOB_WAIT.await(what, () -> read(jobUrl(job, ""), what).path("completed").asBoolean(false) ? Boolean.TRUE : null);
        if (completed == null) {
            chunk.forEach(i -> outcomes[i] = WriteOutcome.retry("job-pending", "NetSuite's batch job " + job + " was still running after "
                    + JOB_WAIT.longest().toSeconds() + " s; writing the statuses again is harmless"));
            return;
        }
        final Map<String, String> held = statuses(object, chunk.stream().map(i -> updates.get(i).id()).toList());
        for (int n = 0; n < chunk.size(); n++) {
            final FieldUpdate update = updates.get(chunk.get(n));
            final String now = held.get(update.id());
            outcomes[chunk.get(n)] = status(update).equals(now) ? WriteOutcome.SUCCESS : taskOutcome(job, n + 1, now);
        }
    }

    /** Why a record of a batch does not hold what was written: its task's result. */
    private WriteOutcome taskOutcome(final String job, final int task, final String held) throws ConnectorException {
        final HttpReply result = call(new Request.Builder().url(jobUrl(job, "/task/" + task + "/result")).get());
        if (result.status() / 100 == 2) {
            return WriteOutcome.retry("not_kept", "NetSuite ran the write, but the record's status is now " + held);
        }
        return WriteOutcome.failed(errorCode(result), "NetSuite refused the status: " + detail(result));
    }

    /** The job id of a Location NetSuite answers (relative in its documentation): the URL itself is not followed. */
    private static String jobId(final String location) throws ConnectorException {
        final java.util.regex.Matcher job = JOB_LOCATION.matcher(location == null ? "" : location);
        if (!job.find()) {
            throw new ConnectorException("malformed", "NetSuite accepted a batch request but named no job in its Location header", true);
        }
        return job.group(1);
    }

    private HttpUrl jobUrl(final String job, final String rest) {
        return host.newBuilder().addPathSegments("services/rest/async/v1/job/" + job + rest).build();
    }

    private JsonNode read(final HttpUrl url, final String what) throws ConnectorException {
        return json(call(new Request.Builder().url(url).get()), what);
    }

    /** A reply's JSON; a refusal fails the call with NetSuite's error code and detail. */
    private static JsonNode json(final HttpReply reply, final String what) throws ConnectorException {
        if (reply.status() / 100 != 2) {
            throw new ConnectorException(errorCode(reply), what + " failed: HTTP " + reply.status() + " " + detail(reply), false);
        }
        return reply.requireJson(what);
    }

    /** The status each of {@code ids} holds now (whatever the record's stage), by one SuiteQL read. */
    private Map<String, String> statuses(final NsObject object, final List<String> ids) throws ConnectorException {
        final String in = "id IN (" + String.join(", ", java.util.Collections.nCopies(ids.size(), "?")) + ")";
        final String what = "NetSuite SuiteQL, reading back the statuses written to " + object.name();
        final JsonNode page = suiteql(new NsObject(object.name(), object.type(), null), List.of(in), ids, false, 1000, 0, what);
        final Map<String, String> held = new java.util.HashMap<>();
        for (final JsonNode item : VendorPages.records(page, "items", what)) {
            held.put(VendorPages.requiredText(item, "id"), item.path("globalsubscriptionstatus").asText(null));
        }
        return held;
    }

    private JsonNode suiteql(final NsObject object, final List<String> conditions, final List<String> params, final boolean ordered, final int limit,
                           final int offset, final String what) throws ConnectorException {
        final List<String> all = new ArrayList<>(conditions);
        if (object.condition() != null) {
            all.add(object.condition());
        }
        final String columns = extraFields.isEmpty() ? "" : ", " + String.join(", ", extraFields);
        final String q = SELECT + columns + " FROM " + object.type() + (all.isEmpty() ? "" : " WHERE " + String.join(" AND ", all)) + (ordered ? " ORDER BY lastmodifieddate, id" : "");
        final ObjectNode body = JSON.createObjectNode();
        body.put("q", q);
        final ArrayNode bound = body.putArray("params");
        params.forEach(bound::add);
        final HttpReply reply = call(new Request.Builder().url(host.newBuilder().addPathSegments("services/rest/query/v1/suiteql")
                .addQueryParameter("limit", String.valueOf(limit)).addQueryParameter("offset", String.valueOf(offset)).build())
                .header("Prefer", "transient").post(RequestBody.create(body.toString(), JSON_TYPE)));
        return json(reply, what);
    }

    private static String errorCode(final HttpReply reply) {
        try {
            return reply.json().path("o:errorDetails").path(0).path("o:errorCode").asText(String.valueOf(reply.status()));
        } catch (final java.io.IOException e) {
            return String.valueOf(reply.status());
        }
    }

    private static String detail(final HttpReply reply) {
        try {
            return reply.json().path("o:errorDetails").path(0).path("detail").asText(reply.excerpt());
        } catch (final java.io.IOException e) {
            return reply.excerpt();
        }
    }

    /**
     * A call within the concurrency cap, signed in; a 401 is tried once more with new credentials (NetSuite also says 401
     * when overloaded). A second 401 is the connection's failure, never a record's: the records wait on retry until the
     * credentials are mended.
     */
    private HttpReply call(final Request.Builder builder) throws ConnectorException {
        final Request request = builder.header("Accept", "application/json").build();
        final AtomicReference<Request> sent = new AtomicReference<>();
        HttpReply reply = send(request, sent);
        if (reply.status() == 401) {
            signIn.refused(sent.get());
            reply = send(request, sent);
        }
        if (reply.status() == 401) {
            throw new ConnectorException("401", "NetSuite refused the sign-in: HTTP 401 " + detail(reply), false);
        }
        return reply;
    }

    private HttpReply send(final Request request, final AtomicReference<Request> sent) throws ConnectorException {
        return concurrency.within("a NetSuite request slot", () -> transport.send(request, HttpTransport.Classifier.STATUS, attempt -> {
            final Request signed = signIn.authorize(attempt); // signed anew for each attempt: TBA refuses a nonce twice
            sent.set(signed);
            return signed;
        }));
    }
}
