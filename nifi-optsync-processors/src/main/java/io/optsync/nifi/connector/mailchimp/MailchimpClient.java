package io.optsync.nifi.connector.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConcurrencyCap;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpOutcome;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.VendorPages;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Mailchimp Marketing API v3 as optsync uses it ({@code shared/vendor-apis.md} section 8), for one audience (list):
 * <ul>
 * <li>reads members by {@code last_changed}, oldest first, each page starting at the last change read rather than at
 * an offset (offsets shift when a member changes mid-read); {@code cleaned} is a bounce, not an unsubscribe;</li>
 * <li>writes by address through the batch member endpoint, 500 a request, reading the per-member {@code errors[]} of
 * its HTTP 200; "Member In Compliance State" means the person stays opted out, which is final, never retried;</li>
 * <li>holds at most Max Concurrent Connections calls open at once (Mailchimp allows 10 per key) and retries 429 and
 * the bare 403 Mailchimp sends at high volume.</li>
 * </ul>
 */
final class MailchimpClient implements AbstractConnectorService.Client {
    static final String MEMBERS = "members";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

    /** A 403 without a body is Mailchimp's refusal at exceptionally high volume: wait and retry. */
    static final HttpTransport.Classifier LIMITS = reply -> reply.status() == 403 && reply.body().length == 0 ? HttpOutcome.RETRY
            : HttpOutcome.of(reply.status());

    private final HttpUrl base;
    private final String listId;
    private final String authorization;
    private final HttpTransport transport;
    private final ConcurrencyCap connections;
    private final int batchSize;

    /** @param connections the connections open at once, this node's part of the key's 10 */
    MailchimpClient(final String baseUrl, final String listId, final String authorization, final HttpTransport transport, final ConcurrencyCap connections,
                    final int batchSize) {
        this.base = HttpUrl.get(baseUrl);
        this.listId = listId;
        this.authorization = authorization;
        this.transport = transport;
        this.connections = connections;
        this.batchSize = batchSize;
    }

    /** The subscriber hash: md5 of the lower-cased address (a mixed-case hash finds nobody). */
    static String subscriberHash(final String email) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(email.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String endpoint(final String object, final boolean write) {
        return base.newBuilder().addPathSegments("3.0/lists/" + listId + (write ? "" : "/members")).build().toString();
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        object(request.object());
        Watermark last = request.since();
        if (request.mode() == FetchMode.OPTED_OUT) { // the opted-out set: unsubscribed, and cleaned (bounces)
            for (final String status : List.of("unsubscribed", "cleaned")) {
                last = Watermark.later(last, read(request, null, 0, status, pages));
            }
            return last;
        }
        if (request.resuming()) { // "<last_changed>|<offset>", as the read handed it over
            final int bar = request.resumeFrom().indexOf('|');
            final String from = request.resumeFrom().substring(0, bar);
            return read(request, from.isEmpty() ? null : Instant.parse(from), Integer.parseInt(request.resumeFrom().substring(bar + 1)), null, pages);
        }
        final Instant since = request.mode() == FetchMode.INCREMENTAL && !request.since().equals(Watermark.START) ? request.since().modifiedAt() : null;
        return Watermark.later(last, read(request, since, 0, null, pages));
    }

    /**
     * Reads members changed at or after {@code since}, oldest change first. Each page asks again from the last change
     * read (a second early, as Mailchimp's timestamps have whole seconds), skipping what this read already emitted;
     * only members sharing one second past a whole page are paged by offset.
     */
    private Watermark read(final FetchRequest request, final Instant since, final int startOffset, final String status, final PageHandler pages)
            throws ConnectorException {
        final int count = Math.min(1000, request.pageSize());
        final String what = "Mailchimp, reading the members of list " + listId;
        final Set<String> emitted = new HashSet<>();
        Watermark last = Watermark.START;
        Instant from = since;
        int offset = startOffset;
        while (true) {
            final HttpUrl.Builder url = base.newBuilder().addPathSegments("3.0/lists/" + listId + "/members").addQueryParameter("count", String.valueOf(count))
                    .addQueryParameter("offset", String.valueOf(offset)).addQueryParameter("sort_field", "last_changed").addQueryParameter("sort_dir", "ASC");
            if (from != null) {
                url.addQueryParameter("since_last_changed", TIME.format(from.minusSeconds(1).atOffset(ZoneOffset.UTC)));
            }
            if (status != null) {
                url.addQueryParameter("status", status);
            }
            final JsonNode page = ok(send(new Request.Builder().url(url.build()).get()), what);
            final JsonNode members = VendorPages.records(page, MEMBERS, what);
            final List<SourceRecord> records = new ArrayList<>();
            for (final JsonNode member : members) {
                for (final SourceRecord record : VendorPages.read(MEMBERS, member, MailchimpClient::sourceRecord)) {
                    if (!record.readable() || emitted.add(record.id() + "|" + record.modifiedAt())) {
                        records.add(record);
                    }
                }
            }
            if (!records.isEmpty()) {
                PageHandler.deliver(pages, records);
                last = VendorPages.later(last, records);
            }
            if (members.size() < count) {
                return last;
            }
            final Instant next = VendorPages.lastKey(members, m -> new Watermark(lastChanged(m), m.path("id").asText()), what).modifiedAt();
            offset = next.equals(from) ? offset + count : 0; // a whole page within one second: only then page on by offset
            from = next;
            if (!PageHandler.goOn(pages, request, from + "|" + offset)) {
                return last;
            }
        }
    }

    private static List<SourceRecord> sourceRecord(final JsonNode member) {
        final String status = VendorPages.requiredText(member, "status");
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("unsubscribe_reason", member.path("unsubscribe_reason").asText(null));
        return List.of(new SourceRecord(MEMBERS, VendorPages.requiredText(member, "id"), member.path("email_address").isTextual()
                ? member.get("email_address").asText() : null, status, status.equals("cleaned"), lastChanged(member), fields));
    }

    private static Instant lastChanged(final JsonNode member) {
        return OffsetDateTime.parse(VendorPages.requiredText(member, "last_changed")).toInstant();
    }

    /** One call per address ({@code GET /members/{hash}}); 404 means not on the list. Pushes do not need it: writes go by address. */
    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String object, final Collection<String> emails) throws ConnectorException {
        object(object);
        final Map<String, List<RecordRef>> found = new LinkedHashMap<>();
        for (final String email : emails) {
            final HttpReply reply = send(new Request.Builder().url(base.newBuilder().addPathSegments("3.0/lists/" + listId + "/members/" + subscriberHash(email))
                    .build()).get());
            if (reply.status() == 404) {
                continue;
            }
            final JsonNode member = ok(reply, "Mailchimp, looking up a member");
            final SourceRecord record = VendorPages.orMalformed("Mailchimp, looking up a member", () -> sourceRecord(member).getFirst());
            found.put(email, List.of(new RecordRef(MEMBERS, record.id(), record.email(), record.optOutValue(), record.modifiedAt())));
        }
        return found;
    }

    @Override
    public List<WriteOutcome> write(final String object, final List<FieldUpdate> updates) throws ConnectorException {
        object(object);
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final List<Integer> sendable = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            if (updates.get(i).optedOut() == null || !updates.get(i).fields().isEmpty()) {
                outcomes[i] = updates.get(i).optedOut() == null && updates.get(i).fields().isEmpty() ? WriteOutcome.SUCCESS
                        : WriteOutcome.failed("unsupported", "the Mailchimp connector writes member statuses only, not " + updates.get(i).fields().keySet());
            } else {
                sendable.add(i);
            }
        }
        for (int from = 0; from < sendable.size(); from += batchSize) {
            final List<Integer> chunk = sendable.subList(from, Math.min(sendable.size(), from + batchSize));
            final ObjectNode body = JSON.createObjectNode();
            final ArrayNode members = body.putArray(MEMBERS);
            for (final int index : chunk) {
                members.addObject().put("email_address", updates.get(index).email()).put("status", updates.get(index).optedOut() ? "unsubscribed" : "subscribed");
            }
            body.put("update_existing", true);
            final String what = "Mailchimp, updating members of list " + listId;
            final HttpReply reply = send(new Request.Builder().url(base.newBuilder().addPathSegments("3.0/lists/" + listId)
                    .addQueryParameter("skip_merge_validation", "true").build()).post(RequestBody.create(body.toString(), JSON_TYPE)));
            if (reply.status() / 100 != 2) {
                final WriteOutcome refused = WriteOutcome.failed(String.valueOf(reply.status()), "Mailchimp refused the batch: " + reply.excerpt());
                chunk.forEach(i -> outcomes[i] = refused);
                continue;
            }
            final JsonNode answer = reply.requireJson(what);
            final Map<String, WriteOutcome> rejected = new HashMap<>();
            for (final JsonNode error : VendorPages.records(answer, "errors", what)) {
                rejected.put(error.path("email_address").asText("").trim().toLowerCase(Locale.ROOT), rejection(error));
            }
            final Map<String, String> held = new HashMap<>();
            for (final String kind : List.of("new_members", "updated_members")) {
                for (final JsonNode member : answer.path(kind)) {
                    held.put(member.path("email_address").asText("").trim().toLowerCase(Locale.ROOT), member.path("status").asText(""));
                }
            }
            for (final int index : chunk) {
                final String email = updates.get(index).email().trim().toLowerCase(Locale.ROOT);
                outcomes[index] = rejected.containsKey(email) ? rejected.get(email) : held(held.get(email), updates.get(index).optedOut(), email);
            }
        }
        return java.util.Arrays.asList(outcomes);
    }

    /**
     * Written only when the reply lists the member with the status asked for (an opt-out also holds as {@code cleaned});
     * a member the reply does not account for at all, neither written nor in {@code errors}, is tried again.
     */
    private static WriteOutcome held(final String status, final boolean optedOut, final String email) {
        if (status == null) {
            return WriteOutcome.retry("unaccounted", "Mailchimp's batch reply names " + email + " neither as written nor as an error");
        }
        final boolean holds = optedOut ? status.equals("unsubscribed") || status.equals("cleaned") : status.equals("subscribed") || status.equals("pending");
        return holds ? WriteOutcome.SUCCESS : WriteOutcome.retry("not_kept", "Mailchimp answered the batch, but holds " + email + " as " + status);
    }

    /** A member the batch rejected: a compliance state keeps the person opted out, which is final; nothing here is retried. */
    private static WriteOutcome rejection(final JsonNode error) {
        final String message = error.path("error").asText("");
        if (message.toLowerCase(Locale.ROOT).contains("compliance state")) {
            return WriteOutcome.failed("compliance-state", "Mailchimp keeps this person opted out (Member In Compliance State): " + message);
        }
        return WriteOutcome.failed(error.path("error_code").asText("ERROR_GENERIC"), message);
    }

    private static JsonNode ok(final HttpReply reply, final String what) throws ConnectorException {
        if (reply.status() / 100 != 2) {
            throw new ConnectorException(String.valueOf(reply.status()), what + " failed: HTTP " + reply.status() + " " + reply.excerpt(),
                    HttpOutcome.of(reply.status()) == HttpOutcome.RETRY);
        }
        return reply.requireJson(what);
    }

    /** A call within the connection cap; a 401 is the API key refused, on any call (a batch write too): the connection's failure. */
    private HttpReply send(final Request.Builder request) throws ConnectorException {
        final HttpReply reply = connections.within("a Mailchimp connection",
                () -> transport.send(request.header("Authorization", authorization).header("Accept", "application/json").build(), LIMITS));
        if (reply.status() == 401) {
            throw new ConnectorException("401", "Mailchimp refused the API key: HTTP 401 " + reply.excerpt(), false);
        }
        return reply;
    }

    private static void object(final String object) throws ConnectorException {
        if (!MEMBERS.equals(object.trim().toLowerCase(Locale.ROOT))) {
            throw new ConnectorException("object", "the Mailchimp object is '" + MEMBERS + "' (of the configured list), not '" + object + "'", false);
        }
    }
}
