package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ActiveCampaign API v3 ({@code shared/vendor-apis.md} sections 7, 12 F14–F16 and 13), one account:
 * <ul>
 * <li>{@code Api-Token} header; a missing or wrong key gets 403 (not 401).</li>
 * <li>{@code GET /api/3/contacts}: {@code email}, {@code filters[updated_after]}, {@code id_greater},
 * {@code orders[id]}, {@code limit} (default 20, at most 100), {@code offset}, {@code include=contactLists} (memberships
 * side-loaded at the top level, each contact naming its membership ids); {@code meta.total} as a string. Ids, statuses
 * and counts are strings, as ActiveCampaign sends them; {@code udate} is ISO-8601 with the account's offset (-05:00).</li>
 * <li>{@code GET /api/3/contacts/{id}/contactLists}; {@code POST /api/3/contactLists} with
 * {@code {"contactList":{"list":L,"contact":C,"status":1|2}}}: sets the membership (a 2 → 1 re-subscribes, as
 * ActiveCampaign warns) and answers with the contact and the membership. {@code POST /api/3/contact/sync}: upsert by
 * e-mail.</li>
 * <li>{@code POST /api/3/import/bulk_import}: up to 250 contacts by e-mail with lists to subscribe and unsubscribe,
 * queued and run asynchronously (a missing contact is created; one on the Email Exclusion list is skipped); the bulk
 * importer's own limit of 100 requests a minute (20 with one contact); {@code GET /api/3/import/info?batchId=}: status
 * {@code false} right after, then {@code active}, {@code completed}, with {@code success} (created contacts' ids) and
 * {@code failure} (addresses that failed).</li>
 * <li>Bounces are contact-level: {@code bounced_hard} / {@code bounced_soft} counts, {@code bounced_date}.</li>
 * <li>Assumption, not documented: a membership change moves the contact's {@code udate}, so that
 * {@code filters[updated_after]} sees it.</li>
 * <li>5 requests a second per account, every key and integration together: the 6th within a second gets 429 with
 * {@code Retry-After: 1} and {@code RateLimit-Limit}/{@code RateLimit-Remaining} (or 503, as some clients report,
 * with {@link #limitStatus(int)}).</li>
 * </ul>
 */
public final class ActiveCampaignSimulator extends SimulatorServer {
    public static final String API_TOKEN = "ac-api-token-0123456789abcdef";
    static final int REQUESTS_PER_SECOND = 5;
    private static final DateTimeFormatter ACCOUNT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    private static final ZoneOffset ACCOUNT_OFFSET = ZoneOffset.ofHours(-5);
    private static final Pattern CONTACT_LISTS = Pattern.compile("/api/3/contacts/(\\d+)/contactLists");
    private static final Pattern CONTACT = Pattern.compile("/api/3/contacts/(\\d+)");

    /** One contact; memberships by list id. */
    public static final class Contact {
        final int id;
        String email;
        String firstName;
        String lastName;
        Instant udate;
        int bouncedHard;
        final Map<Integer, Membership> lists = new TreeMap<>();

        Contact(final int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public String email() {
            return email;
        }

        /** Status per list id. */
        public Map<Integer, Integer> statuses() {
            final Map<Integer, Integer> out = new TreeMap<>();
            lists.forEach((list, membership) -> out.put(list, membership.status));
            return out;
        }

        public boolean bouncedHard() {
            return bouncedHard > 0;
        }
    }

    /** A contact's membership of one list. */
    static final class Membership {
        final int id;
        final int list;
        int status;
        Instant sdate;
        Instant udate;

        Membership(final int id, final int list) {
            this.id = id;
            this.list = list;
        }
    }

    private final Clock clock;
    private final Map<Integer, Contact> contacts = new LinkedHashMap<>();
    private final List<Integer> listIds = new ArrayList<>(List.of(1, 2, 3));
    private int nextContact;
    private int nextMembership;
    private volatile boolean rateLimit = true;
    private volatile int limitStatus = 429;
    private int resubscribes;
    private volatile boolean credentialsRefused;

    public ActiveCampaignSimulator(final Clock clock) {
        this.clock = clock;
    }

    public ActiveCampaignSimulator() {
        this(Clock.systemUTC());
    }

    @Override
    public String vendor() {
        return "activecampaign";
    }

    @Override
    protected String endpointOf(final SimRequest request) {
        final String path = request.path().replaceAll("/contacts/\\d+", "/contacts/{id}");
        return request.method() + " " + path;
    }

    @Override
    protected SimResponse injectedError(final int status) {
        return SimResponse.json(status, Map.of("message", status == 429 ? "Too Many Requests" : "Service Unavailable"));
    }

    @Override
    protected SimResponse vendorError(final int status, final String message) {
        return SimResponse.json(status, Map.of("message", message));
    }

    @Override
    protected SimResponse overLimit(final SimRequest request, final int callsInLastSecond) {
        if (rateLimit && callsInLastSecond > REQUESTS_PER_SECOND) {
            stats().fault("rate-limited");
            return SimResponse.json(limitStatus, Map.of("message", "Too Many Requests")).withHeader("Retry-After", "1")
                    .withHeader("RateLimit-Limit", String.valueOf(REQUESTS_PER_SECOND)).withHeader("RateLimit-Remaining", "0");
        }
        return null;
    }

    public void rateLimit(final boolean on) {
        this.rateLimit = on;
    }

    /** The status of a refusal at the rate limit: 429 (documented) or 503 (reported by some clients). */
    public void limitStatus(final int status) {
        this.limitStatus = status;
    }

    // ---- data, for tests and scenarios

    /** Seeds contacts on list 1 (some on list 2 too); a fifth unsubscribed from all, a few hard-bounced. */
    public synchronized ActiveCampaignSimulator seed(final int count, final long seed) {
        final Random random = new Random(seed);
        final Instant base = clock.instant().minus(20, ChronoUnit.DAYS);
        for (int i = 0; i < count; i++) {
            final Contact contact = create("ac.contact" + i + "@example" + (i % 4) + ".com", "First" + i, "Ac" + i);
            final boolean unsubscribed = random.nextInt(5) == 0;
            setStatus(contact, 1, unsubscribed ? 2 : 1);
            if (i % 3 == 0) {
                setStatus(contact, 2, unsubscribed ? 2 : 1);
            }
            if (random.nextInt(50) == 0) {
                contact.bouncedHard = 1;
            }
            contact.udate = base.plusSeconds(i * 30L);
        }
        return this;
    }

    public synchronized Contact create(final String email, final String firstName, final String lastName) {
        final Contact contact = new Contact(++nextContact);
        contact.email = email;
        contact.firstName = firstName;
        contact.lastName = lastName;
        contact.udate = now();
        contacts.put(contact.id, contact);
        return contact;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** The person subscribing to ({@code 1}) or unsubscribing from ({@code 2}) a list, through a form or a link. */
    public synchronized void setStatus(final int contactId, final int list, final int status) {
        setStatus(contacts.get(contactId), list, status);
    }

    private void setStatus(final Contact contact, final int list, final int status) {
        final Membership membership = contact.lists.computeIfAbsent(list, l -> new Membership(++nextMembership, l));
        if (membership.status == 2 && status == 1) {
            resubscribes++;
        }
        membership.status = status;
        membership.udate = now();
        if (status == 1) {
            membership.sdate = now();
        }
        contact.udate = now();
    }

    public synchronized void bounceHard(final int contactId) {
        final Contact contact = contacts.get(contactId);
        contact.bouncedHard++;
        contact.udate = now();
    }

    public synchronized Contact contact(final int id) {
        runDueImports();
        return contacts.get(id);
    }

    public synchronized List<Contact> withEmail(final String email) {
        runDueImports();
        return byEmail(email);
    }

    private List<Contact> byEmail(final String email) {
        return contacts.values().stream().filter(c -> c.email.equalsIgnoreCase(email.trim())).toList();
    }

    public synchronized List<Contact> all() {
        runDueImports();
        return List.copyOf(contacts.values());
    }

    /** Memberships moved from unsubscribed (2) to active (1), by anybody. */
    /** The API key regenerated in Settings > Developer: the connector's key gets the 403 of a wrong key while on. */
    @Override
    public void credentialsRefused(final boolean on) {
        credentialsRefused = on;
    }

    public synchronized int resubscribes() {
        return resubscribes;
    }

    // ---- the API

    /** One bulk import: queued, then run once its processing time has passed. */
    private static final class Batch {
        final String id = java.util.UUID.randomUUID().toString();
        final Instant queued;
        final JsonNode contacts;
        final List<String> created = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        boolean done;

        Batch(final Instant queued, final JsonNode contacts) {
            this.queued = queued;
            this.contacts = contacts;
        }
    }

    private final Map<String, Batch> batches = new LinkedHashMap<>();
    private final java.util.Deque<Instant> importCalls = new java.util.ArrayDeque<>();
    private final java.util.Set<String> excluded = new java.util.HashSet<>();
    private volatile java.time.Duration importDelay = java.time.Duration.ofMillis(400);
    private int importedContacts;

    /** How long a bulk import waits before it runs (400 ms by default; the status is {@code false} in its first half). */
    public void importDelay(final java.time.Duration delay) {
        this.importDelay = delay;
    }

    /** Puts an address on the account's Email Exclusion list: bulk imports skip it. */
    public synchronized void exclude(final String email) {
        excluded.add(email.trim().toLowerCase(java.util.Locale.ROOT));
    }

    /** Contacts that bulk imports have carried, in all. */
    public synchronized int importedContacts() {
        runDueImports();
        return importedContacts;
    }

    /**
     * {@code POST /api/3/import/bulk_import}: at most 250 contacts, each {@code email} with {@code subscribe} and
     * {@code unsubscribe} lists ({@code [{"listid":N}]}); queued and run asynchronously; the bulk importer takes 100
     * requests a minute (20 when a request holds one contact), over which it answers 429.
     */
    private SimResponse bulkImport(final JsonNode body) {
        final JsonNode given = body.path("contacts");
        if (!given.isArray() || given.isEmpty() || given.size() > 250) {
            return SimResponse.json(422, Map.of("errors", List.of(Map.of("title", "contacts must hold 1 to 250 contacts", "code", "field_invalid",
                    "source", Map.of("pointer", "/contacts")))));
        }
        final Instant at = clock.instant();
        while (!importCalls.isEmpty() && importCalls.peekFirst().isBefore(at.minusSeconds(60))) {
            importCalls.removeFirst();
        }
        if (importCalls.size() >= (given.size() == 1 ? 20 : 100)) {
            stats().fault("bulk-import-rate");
            return SimResponse.json(429, Map.of("message", "Too Many Requests")).withHeader("Retry-After", "60");
        }
        importCalls.addLast(at);
        final Batch batch = new Batch(at, given);
        batches.put(batch.id, batch);
        final Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("success", 1);
        reply.put("queued_contacts", given.size());
        reply.put("batchId", batch.id);
        reply.put("message", "Contact import queued");
        return SimResponse.json(200, reply);
    }

    /** {@code GET /api/3/import/info?batchId=}: {@code false} right after the import, then its status, the created contacts' ids and the failed addresses. */
    private SimResponse importInfo(final String batchId) {
        final Batch batch = batchId == null ? null : batches.get(batchId);
        if (batch == null) {
            return SimResponse.json(404, Map.of("message", "No Result found for batch with id " + batchId));
        }
        final Map<String, Object> reply = new LinkedHashMap<>();
        if (!batch.done && clock.instant().isBefore(batch.queued.plus(importDelay.dividedBy(2)))) {
            reply.put("status", false); // documented: the status is not set yet
        } else {
            reply.put("status", batch.done ? "completed" : "active");
        }
        reply.put("success", batch.created);
        reply.put("failure", batch.failed);
        return SimResponse.json(200, reply);
    }

    /** Runs the imports whose processing time has passed, in the order they were queued. */
    private void runDueImports() {
        final Instant due = clock.instant().minus(importDelay);
        for (final Batch batch : batches.values()) {
            if (batch.done || batch.queued.isAfter(due)) {
                continue;
            }
            for (final JsonNode given : batch.contacts) {
                final String email = given.path("email").asText("").trim();
                if (!email.matches("[^@\\s']+@[^@\\s']+\\.[^@\\s']+")) {
                    batch.failed.add(email);
                    continue;
                }
                if (excluded.contains(email.toLowerCase(java.util.Locale.ROOT))) {
                    continue; // on the Email Exclusion list: skipped
                }
                final List<Contact> existing = byEmail(email);
                final Contact contact = existing.isEmpty() ? create(email, null, null) : existing.getFirst();
                if (existing.isEmpty()) {
                    batch.created.add(String.valueOf(contact.id));
                }
                given.path("subscribe").forEach(l -> setStatus(contact, l.path("listid").asInt(), 1));
                given.path("unsubscribe").forEach(l -> setStatus(contact, l.path("listid").asInt(), 2));
                importedContacts++;
            }
            batch.done = true;
        }
    }

    @Override
    protected synchronized SimResponse handle(final SimRequest request) throws Exception {
        runDueImports();
        if (credentialsRefused || !API_TOKEN.equals(request.header("Api-Token"))) {
            return SimResponse.json(403, Map.of("message", "You are not authorized to access this resource"));
        }
        final Matcher contactLists = CONTACT_LISTS.matcher(request.path());
        if (request.method().equals("GET") && contactLists.matches()) {
            final Contact contact = contacts.get(Integer.parseInt(contactLists.group(1)));
            if (contact == null) {
                return SimResponse.json(404, Map.of("message", "No Result found for Subscriber with id " + contactLists.group(1)));
            }
            return SimResponse.json(200, Map.of("contactLists", contact.lists.values().stream().map(m -> membership(contact, m)).toList()));
        }
        final Matcher one = CONTACT.matcher(request.path());
        if (request.method().equals("GET") && one.matches()) {
            final Contact contact = contacts.get(Integer.parseInt(one.group(1)));
            return contact == null ? SimResponse.json(404, Map.of("message", "No Result found for Subscriber with id " + one.group(1)))
                    : SimResponse.json(200, Map.of("contact", render(contact)));
        }
        return switch (request.method() + " " + request.path()) {
            case "GET /api/3/contacts" -> list(request);
            case "GET /api/3/lists" -> lists();
            case "POST /api/3/contactLists" -> subscription(SimResponse.JSON.readTree(request.body()).path("contactList"));
            case "POST /api/3/contact/sync" -> sync(SimResponse.JSON.readTree(request.body()).path("contact"));
            case "POST /api/3/import/bulk_import" -> bulkImport(SimResponse.JSON.readTree(request.body()));
            case "GET /api/3/import/info" -> importInfo(request.queryParam("batchId"));
            default -> notSimulated(request);
        };
    }

    /** {@code GET /api/3/lists}: the lists the contacts are on, with the meta total. */
    private SimResponse lists() {
        final java.util.SortedSet<Integer> ids = new java.util.TreeSet<>();
        contacts.values().forEach(c -> ids.addAll(c.lists.keySet()));
        final List<Map<String, Object>> lists = ids.stream().map(id -> Map.<String, Object>of("id", String.valueOf(id), "stringid", "list-" + id,
                "name", "List " + id)).toList();
        return SimResponse.json(200, Map.of("lists", lists, "meta", Map.of("total", String.valueOf(lists.size()))));
    }

    private SimResponse list(final SimRequest request) {
        final String email = request.queryParam("email");
        final String after = request.queryParam("filters[updated_after]");
        final Instant updatedAfter;
        try {
            updatedAfter = after == null ? null : after.length() == 10 ? java.time.LocalDate.parse(after).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(after.replace(' ', '+')).toInstant(); // a '+' of the offset arrives as a space when not encoded
        } catch (final java.time.format.DateTimeParseException e) {
            return SimResponse.json(422, Map.of("errors", List.of(Map.of("title", "The filters[updated_after] value is not a valid date",
                    "detail", "", "code", "field_invalid", "source", Map.of("pointer", "/filters/updated_after")))));
        }
        final int idGreater = parseInt(request.queryParam("id_greater"), 0);
        final int limit = Math.max(1, Math.min(100, parseInt(request.queryParam("limit"), 20)));
        final int offset = Math.max(0, parseInt(request.queryParam("offset"), 0));
        final boolean include = "contactLists".equals(request.queryParam("include"));
        final List<Contact> matching = contacts.values().stream() // stored in id order; orders[id]=ASC is the same
                .filter(c -> email == null || c.email.equalsIgnoreCase(email.trim()))
                .filter(c -> updatedAfter == null || c.udate.isAfter(updatedAfter))
                .filter(c -> c.id > idGreater)
                .toList();
        final List<Map<String, Object>> page = new ArrayList<>();
        final List<Map<String, Object>> memberships = new ArrayList<>();
        for (final Contact contact : matching.subList(Math.min(offset, matching.size()), Math.min(matching.size(), offset + limit))) {
            page.add(render(contact));
            if (include) {
                contact.lists.values().forEach(m -> memberships.add(membership(contact, m)));
            }
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        if (include) {
            body.put("contactLists", memberships);
        }
        body.put("contacts", page);
        body.put("meta", Map.of("total", String.valueOf(matching.size()), "page_input", Map.of("limit", limit, "offset", offset)));
        return SimResponse.json(200, body);
    }

    private SimResponse subscription(final JsonNode contactList) {
        final Contact contact = contacts.get(contactList.path("contact").asInt(-1));
        final int list = contactList.path("list").asInt(-1);
        final int status = contactList.path("status").asInt(-1);
        if (contact == null) {
            return SimResponse.json(404, Map.of("message", "No Result found for Subscriber with id " + contactList.path("contact").asText()));
        }
        if (!listIds.contains(list) || status != 1 && status != 2) {
            return SimResponse.json(422, Map.of("errors", List.of(Map.of("title", "The list or status is not valid", "source",
                    Map.of("pointer", "/data/attributes/" + (listIds.contains(list) ? "status" : "list"))))));
        }
        setStatus(contact, list, status);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("contacts", List.of(render(contact)));
        body.put("contactList", membership(contact, contact.lists.get(list)));
        return SimResponse.json(201, body);
    }

    private SimResponse sync(final JsonNode given) {
        final String email = given.path("email").asText("");
        if (!email.contains("@")) {
            return SimResponse.json(422, Map.of("errors", List.of(Map.of("title", "Email address is not valid", "code", "email_invalid"))));
        }
        final List<Contact> existing = withEmail(email);
        final Contact contact = existing.isEmpty() ? create(email, null, null) : existing.getFirst();
        if (given.has("firstName")) {
            contact.firstName = given.get("firstName").asText();
        }
        if (given.has("lastName")) {
            contact.lastName = given.get("lastName").asText();
        }
        contact.udate = now();
        return SimResponse.json(existing.isEmpty() ? 201 : 200, Map.of("contact", render(contact)));
    }

    private static Map<String, Object> render(final Contact contact) {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", String.valueOf(contact.id));
        row.put("email", contact.email);
        row.put("firstName", contact.firstName == null ? "" : contact.firstName);
        row.put("lastName", contact.lastName == null ? "" : contact.lastName);
        row.put("udate", ACCOUNT_TIME.format(contact.udate.atOffset(ACCOUNT_OFFSET)));
        row.put("bounced_hard", String.valueOf(contact.bouncedHard));
        row.put("bounced_soft", "0");
        row.put("bounced_date", contact.bouncedHard > 0 ? ACCOUNT_TIME.format(contact.udate.atOffset(ACCOUNT_OFFSET)).substring(0, 10) : "0000-00-00");
        row.put("contactLists", contact.lists.values().stream().map(m -> String.valueOf(m.id)).toList());
        return row;
    }

    private static Map<String, Object> membership(final Contact contact, final Membership membership) {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", String.valueOf(membership.id));
        row.put("contact", String.valueOf(contact.id));
        row.put("list", String.valueOf(membership.list));
        row.put("status", String.valueOf(membership.status));
        row.put("sdate", membership.sdate == null ? null : ACCOUNT_TIME.format(membership.sdate.atOffset(ACCOUNT_OFFSET)));
        row.put("udate", membership.udate == null ? null : ACCOUNT_TIME.format(membership.udate.atOffset(ACCOUNT_OFFSET)));
        return row;
    }

    private static int parseInt(final String text, final int fallback) {
        try {
            return text == null ? fallback : Integer.parseInt(text.trim());
        } catch (final NumberFormatException e) {
            return fallback;
        }
    }
}
