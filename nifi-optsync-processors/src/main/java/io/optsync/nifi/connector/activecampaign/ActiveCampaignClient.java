package io.optsync.nifi.connector.activecampaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.AsyncJobWait;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.VendorPages;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.nifi.optout.OptOutEncoding;
import io.optsync.nifi.optout.OptOutStatus;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ActiveCampaign API v3 as optsync uses it ({@code shared/vendor-apis.md} section 7):
 * <ul>
 * <li>subscription is per list; a contact's opt-out value is the statuses of its memberships of the mapped lists,
 * comma-separated ("2,2"), which the ActiveCampaign encoding reads as opted out only when unsubscribed and active on
 * none; {@code bounced_hard} is the contact-level hard bounce;</li>
 * <li>reads {@code /contacts} with {@code filters[updated_after]}, paged by key ({@code orders[id]=ASC},
 * {@code id_greater}) so that a contact saved mid-read cannot shift another out of the pages;</li>
 * <li>opts out in bulk imports ({@code POST /import/bulk_import}, 250 contacts a call, by address, unsubscribing each
 * from the mapped lists it is on and not already unsubscribed from; with Lists set, from every mapped list and with no
 * lookup), confirmed through {@code GET /import/info}; 10 or fewer opt-outs of known contacts by {@code POST /contactLists}
 * status 2; it writes status 1 only when told to (the decision rule allows it only with opt-in propagation on and a newer
 * consent), one membership a call, and only on lists where the contact is unsubscribed;</li>
 * <li>5 requests a second per account: the transport paces the calls, honours Retry-After on 429 and retries 503.</li>
 * </ul>
 */
final class ActiveCampaignClient implements AbstractConnectorService.Client {
    static final String CONTACTS = "contacts";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final int PAGE = 100;
    /** The most contacts one bulk import takes. */
    static final int IMPORT_MAX = 250;
    /** Opt-outs of known contacts that go one membership a call rather than in a bulk import (ActiveCampaign asks so for 10 or fewer). */
    private static final int FEW = 10;
    private static final WriteOutcome NO_LIST = WriteOutcome.failed("no-list", "the contact is on none of the lists that count, so there is no "
            + "status to set: add the list ids to Lists, or unsubscribe the address in ActiveCampaign by hand");
    /** How long a write waits for its bulk import to run. */
    static final AsyncJobWait IMPORT_WAIT = new AsyncJobWait(java.time.Duration.ofMinutes(2), java.time.Duration.ofMillis(500));

    private final HttpUrl base;
    private final String apiToken;
    private final Set<String> lists;
    private final HttpTransport transport;
    /** The memberships (list id → status) last seen per contact id, so a write needs no second read. */
    private final Map<String, Map<String, String>> memberships = new ConcurrentHashMap<>();

    /** @param lists the list ids that count; empty: every list a contact is on */
    ActiveCampaignClient(final String baseUrl, final String apiToken, final Set<String> lists, final HttpTransport transport) {
        this.base = HttpUrl.get(baseUrl);
        this.apiToken = apiToken;
        this.lists = lists;
        this.transport = transport;
    }

    @Override
    public String endpoint(final String object, final boolean write) {
        return api(write ? "import/bulk_import" : "contacts").build().toString();
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        object(request.object());
        final String what = "ActiveCampaign, reading contacts";
        Watermark last = request.since();
        String after = request.resuming() ? request.resumeFrom() : "0"; // a full read goes on after the last id it read
        // Paged by id, not by udate: a contact already read that changes mid-read gets a udate above the one the read
        // started at, and a later contact's udate can pass it. So a read of more than one page hands back no watermark
        // later than its start: the next read asks again from there, and the overlap de-duplication drops the repeats.
        final Instant started = Instant.now();
        boolean firstPage = true;
        while (true) {
            final HttpUrl.Builder url = api("contacts").addQueryParameter("orders[id]", "ASC").addQueryParameter("id_greater", after)
                    .addQueryParameter("limit", String.valueOf(Math.min(PAGE, request.pageSize()))).addQueryParameter("include", "contactLists");
            if (request.mode() == FetchMode.INCREMENTAL && !request.since().equals(Watermark.START)) {
                // updated_after is exclusive and udate has whole seconds: start a second early, duplicates are removed by id
                url.addQueryParameter("filters[updated_after]", accountTime(request.since().modifiedAt().minusSeconds(1)));
            }
            final JsonNode page = read(url.build(), what);
            final JsonNode contacts = VendorPages.records(page, "contacts", what);
            final Map<String, Map<String, String>> byContact = membershipsOf(page);
            final List<SourceRecord> records = new ArrayList<>();
            for (final JsonNode contact : contacts) {
                records.addAll(VendorPages.read(CONTACTS, contact, c -> {
                    final SourceRecord record = sourceRecord(c, byContact.getOrDefault(c.path("id").asText(), Map.of()));
                    return request.mode() != FetchMode.OPTED_OUT || optedOutOrBounced(record) ? List.of(record) : List.of();
                }));
            }
            if (!records.isEmpty()) {
                PageHandler.deliver(pages, records);
                last = VendorPages.later(last, records);
            }
            if (contacts.size() < Math.min(PAGE, request.pageSize())) {
                return firstPage ? last : Watermark.earlier(last, new Watermark(started, ""));
            }
            firstPage = false;
            after = VendorPages.requiredText(contacts.get(contacts.size() - 1), "id");
            if (!PageHandler.goOn(pages, request, after)) {
                return last;
            }
        }
    }

    private static boolean optedOutOrBounced(final SourceRecord record) {
        return Boolean.TRUE.equals(record.hardBounce())
                || OptOutEncoding.ACTIVECAMPAIGN.decoder().decode(record.optOutValue()).status() == OptOutStatus.OPTED_OUT;
    }

    /** A contact as a source record: the statuses of its mapped lists, its hard bounce, its udate. */
    private SourceRecord sourceRecord(final JsonNode contact, final Map<String, String> statuses) {
        final String id = VendorPages.requiredText(contact, "id");
        final Instant udate = OffsetDateTime.parse(VendorPages.requiredText(contact, "udate")).toInstant();
        final Map<String, String> mapped = mapped(statuses);
        memberships.put(id, mapped);
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("lists", String.join(",", mapped.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList()));
        fields.put("first_name", contact.path("firstName").asText(null));
        fields.put("last_name", contact.path("lastName").asText(null));
        final String bounced = contact.path("bounced_hard").asText("0");
        return new SourceRecord(CONTACTS, id, contact.path("email").isTextual() ? contact.get("email").asText() : null,
                mapped.isEmpty() ? null : String.join(",", mapped.values()), !bounced.isBlank() && !bounced.equals("0"), udate, fields);
    }

    private Map<String, String> mapped(final Map<String, String> statuses) {
        final Map<String, String> mapped = new TreeMap<>();
        statuses.forEach((list, status) -> {
            if (lists.isEmpty() || lists.contains(list)) {
                mapped.put(list, status);
            }
        });
        return mapped;
    }

    /** The side-loaded memberships of a page: contact id → (list id → status). */
    private static Map<String, Map<String, String>> membershipsOf(final JsonNode page) {
        final Map<String, Map<String, String>> byContact = new LinkedHashMap<>();
        for (final JsonNode membership : page.path("contactLists")) {
            byContact.computeIfAbsent(membership.path("contact").asText(), c -> new TreeMap<>())
                    .put(membership.path("list").asText(), membership.path("status").asText());
        }
        return byContact;
    }

    /** One call per address: ActiveCampaign looks contacts up by one e-mail at a time. */
    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String object, final Collection<String> emails) throws ConnectorException {
        object(object);
        final Map<String, List<RecordRef>> found = new LinkedHashMap<>();
        final String what = "ActiveCampaign, looking up a contact by address";
        for (final String email : emails) {
            final JsonNode page = read(api("contacts").addQueryParameter("email", email).addQueryParameter("include", "contactLists").build(), what);
            final Map<String, Map<String, String>> byContact = membershipsOf(page);
            for (final JsonNode contact : VendorPages.records(page, "contacts", what)) {
                final SourceRecord record = VendorPages.orMalformed(what, () -> sourceRecord(contact, byContact.getOrDefault(contact.path("id").asText(), Map.of())));
                if (record.email() != null && record.email().trim().equalsIgnoreCase(email)) {
                    found.computeIfAbsent(email, k -> new ArrayList<>()).add(new RecordRef(CONTACTS, record.id(), record.email(), record.optOutValue(),
                            record.modifiedAt()));
                }
            }
        }
        return found;
    }

    /**
     * Opt-outs go in bulk imports of up to 250 contacts, by address, each with the lists to unsubscribe it from (those of
     * its mapped lists it is on and not yet unsubscribed from or bounced on; with Lists set and no lookup, every mapped
     * list): the vendor's floor. A handful of opt-outs of known contacts (10 or fewer: ActiveCampaign asks for its contact
     * calls below that) and every re-subscribe go one membership a call.
     */
    @Override
    public List<WriteOutcome> write(final String object, final List<FieldUpdate> updates) throws ConnectorException {
        object(object);
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final Map<Integer, List<String>> imports = new LinkedHashMap<>();
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (!update.fields().isEmpty()) {
                outcomes[i] = WriteOutcome.failed("unsupported", "the ActiveCampaign connector writes list statuses only, not " + update.fields().keySet());
            } else if (update.optedOut() == null) {
                outcomes[i] = WriteOutcome.SUCCESS;
            } else if (!update.optedOut()) {
                outcomes[i] = write(update);
            } else {
                final List<String> toUnsubscribe = update.id() == null ? List.copyOf(new java.util.TreeSet<>(lists)) : unsubscribable(update.id());
                if (toUnsubscribe == null) {
                    outcomes[i] = NO_LIST;
                } else if (toUnsubscribe.isEmpty()) {
                    outcomes[i] = WriteOutcome.SUCCESS; // already unsubscribed (or bounced) wherever it counts
                } else {
                    imports.put(i, toUnsubscribe);
                }
            }
        }
        final boolean fewKnown = imports.size() <= FEW && imports.keySet().stream().allMatch(i -> updates.get(i).id() != null);
        final List<Integer> pending = new ArrayList<>(imports.keySet());
        for (int from = 0; from < pending.size(); from += IMPORT_MAX) {
            final List<Integer> chunk = pending.subList(from, Math.min(pending.size(), from + IMPORT_MAX));
            if (fewKnown) {
                for (final int i : chunk) {
                    outcomes[i] = write(updates.get(i));
                }
            } else {
                final List<WriteOutcome> imported = bulkImport(chunk.stream().map(updates::get).toList(), chunk.stream().map(imports::get).toList());
                for (int k = 0; k < chunk.size(); k++) {
                    outcomes[chunk.get(k)] = imported.get(k);
                }
            }
        }
        return List.of(outcomes);
    }

    /** The mapped lists this contact is on and may still be unsubscribed from, or {@code null} when it is on none that count. */
    private List<String> unsubscribable(final String contactId) throws ConnectorException {
        final Map<String, String> current = currentMemberships(contactId);
        if (current.isEmpty()) {
            return null;
        }
        return current.entrySet().stream().filter(m -> !m.getValue().equals("2") && !m.getValue().equals("3")).map(Map.Entry::getKey).toList();
    }

    /**
     * One {@code POST /import/bulk_import}, then {@code GET /import/info} until the batch has run: an update is written
     * only once ActiveCampaign says the batch completed and its address is not among the failures. A batch still running
     * after {@link #IMPORT_WAIT}, or one the vendor failed, is to be tried again: importing an unsubscribe twice is harmless.
     */
    private List<WriteOutcome> bulkImport(final List<FieldUpdate> updates, final List<List<String>> unsubscribe) throws ConnectorException {
        final ObjectNode body = JSON.createObjectNode();
        final com.fasterxml.jackson.databind.node.ArrayNode contacts = body.putArray("contacts");
        for (int i = 0; i < updates.size(); i++) {
            final ObjectNode contact = contacts.addObject();
            contact.put("email", updates.get(i).email());
            final com.fasterxml.jackson.databind.node.ArrayNode from = contact.putArray("unsubscribe");
            unsubscribe.get(i).forEach(list -> from.addObject().put("listid", Integer.parseInt(list)));
        }
        body.put("exclude_automations", true); // an unsubscribe written by a sync starts no automation
        final HttpReply queued = send(new Request.Builder().url(api("import/bulk_import").build()).post(RequestBody.create(body.toString(), JSON_TYPE)));
        if (queued.status() / 100 != 2) {
            return updates.stream().map(u -> WriteOutcome.failed(String.valueOf(queued.status()), "ActiveCampaign refused the bulk import: "
                    + queued.excerpt())).toList();
        }
        final String batchId = VendorPages.requiredText(queued.requireJson("ActiveCampaign, queueing a bulk import"), "batchId");
        final String what = "ActiveCampaign, the status of bulk import " + batchId;
        final List<WriteOutcome> done = IMPORT_WAIT.await(what, () -> {
            final JsonNode info = read(api("import/info").addQueryParameter("batchId", batchId).build(), what);
            final String status = info.path("status").isTextual() ? info.get("status").asText() : ""; // false: not set yet
            if (status.equals("failed") || status.equals("interrupted")) {
                return updates.stream().map(u -> WriteOutcome.retry("import-" + status, "ActiveCampaign's bulk import " + batchId + " " + status)).toList();
            }
            return status.equals("completed") ? imported(updates, unsubscribe, info) : null;
        });
        return done != null ? done : updates.stream().map(u -> WriteOutcome.retry("import-pending", "ActiveCampaign's bulk import " + batchId
                + " was still running after " + IMPORT_WAIT.longest().toSeconds() + " s; importing the unsubscribes again is harmless")).toList();
    }

    /** The outcomes of a completed import: written, unless ActiveCampaign lists the address among the failures. */
    private List<WriteOutcome> imported(final List<FieldUpdate> updates, final List<List<String>> unsubscribe, final JsonNode info) {
        final Set<String> failed = new java.util.HashSet<>();
        info.path("failure").forEach(address -> failed.add(address.asText().trim().toLowerCase(Locale.ROOT)));
        final List<WriteOutcome> outcomes = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (failed.contains(update.email().trim().toLowerCase(Locale.ROOT))) {
                outcomes.add(WriteOutcome.failed("import-failure", "ActiveCampaign's bulk import could not take this address"));
                continue;
            }
            if (update.id() != null && memberships.containsKey(update.id())) {
                unsubscribe.get(i).forEach(list -> memberships.get(update.id()).put(list, "2"));
            }
            outcomes.add(WriteOutcome.SUCCESS);
        }
        return outcomes;
    }

    /** One update, one membership a call (a re-subscribe, or one of a few opt-outs); {@link #write(String, List)} has checked its fields. */
    private WriteOutcome write(final FieldUpdate update) throws ConnectorException {
        if (update.id() == null) {
            return WriteOutcome.failed("unsupported", "the ActiveCampaign connector changes list statuses of existing contacts; it creates none");
        }
        final Map<String, String> current = currentMemberships(update.id());
        if (current.isEmpty()) {
            return NO_LIST;
        }
        final String wanted = update.optedOut() ? "2" : "1";
        for (final Map.Entry<String, String> membership : current.entrySet()) {
            // an opt-out leaves bounced and removed memberships alone; an opt-in only lifts unsubscribes, never confirms anybody
            final boolean change = update.optedOut() ? !membership.getValue().equals("2") && !membership.getValue().equals("3")
                    : membership.getValue().equals("2");
            if (!change) {
                continue;
            }
            final ObjectNode body = JSON.createObjectNode();
            final ObjectNode contactList = body.putObject("contactList");
            contactList.put("list", Integer.parseInt(membership.getKey()));
            contactList.put("contact", Integer.parseInt(update.id()));
            contactList.put("status", Integer.parseInt(wanted));
            final HttpReply reply = send(new Request.Builder().url(api("contactLists").build()).post(RequestBody.create(body.toString(), JSON_TYPE)));
            if (reply.status() / 100 != 2) {
                memberships.remove(update.id());
                return WriteOutcome.failed(String.valueOf(reply.status()), "ActiveCampaign refused the status of list " + membership.getKey() + ": "
                        + reply.excerpt());
            }
            membership.setValue(wanted);
        }
        return WriteOutcome.SUCCESS;
    }

    /** The contact's mapped memberships, as last seen or read now. */
    private Map<String, String> currentMemberships(final String contactId) throws ConnectorException {
        return memberships.containsKey(contactId) ? memberships.get(contactId) : readMemberships(contactId);
    }

    private Map<String, String> readMemberships(final String contactId) throws ConnectorException {
        final String what = "ActiveCampaign, reading a contact's lists";
        final Map<String, String> statuses = new TreeMap<>();
        for (final JsonNode membership : VendorPages.records(read(api("contacts/" + contactId + "/contactLists").build(), what), "contactLists", what)) {
            statuses.put(membership.path("list").asText(), membership.path("status").asText());
        }
        final Map<String, String> mapped = mapped(statuses);
        memberships.put(contactId, mapped);
        return mapped;
    }

    private HttpUrl.Builder api(final String path) {
        return base.newBuilder().addPathSegments("api/3/" + path);
    }

    private JsonNode read(final HttpUrl url, final String what) throws ConnectorException {
        return send(new Request.Builder().url(url).get()).requireJson(what);
    }

    /** A call; a 403 is the token refused, on any call (a bulk import too): the connection's failure, so the records wait on retry. */
    private HttpReply send(final Request.Builder request) throws ConnectorException {
        final HttpReply reply = transport.send(request.header("Api-Token", apiToken).header("Accept", "application/json").build(),
                HttpTransport.Classifier.STATUS);
        if (reply.status() == 403) {
            throw new ConnectorException("403", "ActiveCampaign refused the API token: check API Token and Base URL", false);
        }
        return reply;
    }

    private static void object(final String object) throws ConnectorException {
        if (!CONTACTS.equals(object.trim().toLowerCase(Locale.ROOT))) {
            throw new ConnectorException("object", "the ActiveCampaign object is '" + CONTACTS + "', not '" + object + "'", false);
        }
    }

    /** ISO-8601 with an offset, as filters[updated_after] takes it. */
    static String accountTime(final Instant instant) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC).withNano(0));
    }
}
