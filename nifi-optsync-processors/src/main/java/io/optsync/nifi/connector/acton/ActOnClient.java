package io.optsync.nifi.connector.acton;

import com.fasterxml.jackson.databind.JsonNode;
import io.optsync.nifi.connector.AbstractConnectorService;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.SharedToken;
import io.optsync.nifi.connector.SourceRecord;
import io.optsync.nifi.connector.VendorPages;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.apache.nifi.logging.ComponentLog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Act-On's REST API as the connector uses it ({@code shared/vendor-apis.md} section 6). */
final class ActOnClient implements AbstractConnectorService.Client {
    static final String OPT_OUT_LIST = "optout";
    static final String HARD_BOUNCE_LIST = "hardbounce";
    private static final int MAX_PAGE = 1000;
    private static final MediaType CSV = MediaType.get("text/csv");

    /** Act-On sign-in; {@link #toString()} shows no secret. */
    record Credentials(String username, String password, String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Credentials[" + username + "]";
        }
    }

    private final HttpUrl base;
    private final Credentials credentials;
    private final HttpTransport transport;
    /** Act-On allows 5 password grants an hour, refused ones included: after a refusal, one try per 12 minutes. */
    static final java.time.Duration SIGN_IN_SPACING = java.time.Duration.ofMinutes(12);

    private final SharedToken token;
    private final ComponentLog logger;

    ActOnClient(final String baseUrl, final Credentials credentials, final HttpTransport transport, final SharedToken token, final ComponentLog logger) {
        this.base = HttpUrl.get(baseUrl);
        this.credentials = credentials;
        this.transport = transport;
        this.token = token;
        this.logger = logger;
    }

    @Override
    public String endpoint(final String object, final boolean write) {
        return base.newBuilder().addPathSegments("api/1/list/" + object).build().toString();
    }

    @Override
    public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
        final String list = list(request.object());
        final int count = Math.min(MAX_PAGE, request.pageSize());
        final boolean incremental = request.mode() == FetchMode.INCREMENTAL && !request.since().equals(Watermark.START);
        Watermark last = request.since();
        // a full read goes on a quarter of a page before the offset it stopped at: an opt-in taken off the list since moves
        // the rows after it up (the hourly read of the whole list finds what more removals than that made it skip)
        for (int offset = request.resuming() ? Math.max(0, Integer.parseInt(request.resumeFrom()) - count / 4) : 0; ; offset += count) {
            final HttpUrl.Builder url = base.newBuilder().addPathSegments("api/1/list/" + list)
                    .addQueryParameter("count", String.valueOf(count))
                    .addQueryParameter("offset", String.valueOf(offset));
            if (incremental) {
                // createdafter is exclusive and timestamps are milliseconds: start one before, duplicates are removed by id
                url.addQueryParameter("createdafter", String.valueOf(request.since().modifiedAt().toEpochMilli() - 1));
            }
            final String what = "Act-On, reading the " + list + " list";
            final JsonNode result = VendorPages.records(api(new Request.Builder().url(url.build()).get()).requireJson(what), "result", what);
            final List<SourceRecord> records = new ArrayList<>(result.size());
            for (final JsonNode row : result) {
                records.addAll(VendorPages.read(list, row, r -> List.of(listRow(list, r))));
            }
            if (!records.isEmpty()) {
                PageHandler.deliver(pages, records);
                last = VendorPages.later(last, records);
            }
            if (result.size() < count || !PageHandler.goOn(pages, request, String.valueOf(offset + count))) { // totalCount is always -1: a short page is the end
                return last;
            }
        }
    }

    private static SourceRecord listRow(final String list, final JsonNode row) {
        final String email = VendorPages.requiredText(row, "email");
        final JsonNode timestamp = row.path("timestamp");
        if (!timestamp.isIntegralNumber()) {
            throw new IllegalArgumentException("\"timestamp\" is not a time in milliseconds: " + timestamp);
        }
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("origin", row.path("origin").asText(null));
        return new SourceRecord(list, email.toLowerCase(java.util.Locale.ROOT), email, list, list.equals(HARD_BOUNCE_LIST), Instant.ofEpochMilli(timestamp.longValue()), fields);
    }

    /** Act-On's lists are keyed by address: every address is its own record. */
    @Override
    public Map<String, List<RecordRef>> lookupByEmail(final String object, final Collection<String> emails) throws ConnectorException {
        list(object);
        final Map<String, List<RecordRef>> found = new LinkedHashMap<>();
        emails.forEach(email -> found.put(email, List.of(new RecordRef(object, email, email, null))));
        return found;
    }

    @Override
    public List<WriteOutcome> write(final String object, final List<FieldUpdate> updates) throws ConnectorException {
        if (!OPT_OUT_LIST.equals(object)) {
            return all(updates.size(), WriteOutcome.failed("unsupported", "Act-On takes writes only on its opt-out list, not on " + object));
        }
        final WriteOutcome[] outcomes = new WriteOutcome[updates.size()];
        final List<Integer> optOuts = new ArrayList<>();
        final List<Integer> optIns = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            final FieldUpdate update = updates.get(i);
            if (update.optedOut() == null || !update.fields().isEmpty()) {
                outcomes[i] = WriteOutcome.failed("unsupported", "Act-On's opt-out list holds only the opt-out status; other fields cannot be written");
            } else if (update.optedOut()) {
                optOuts.add(i);
            } else {
                optIns.add(i);
            }
        }
        upload("api/1/list/optout", updates, optOuts, outcomes);
        upload("api/1/list/optin", updates, optIns, outcomes);
        return Arrays.asList(outcomes);
    }

    /**
     * Uploads the addresses as a one-column CSV. Act-On counts the addresses it rejects without naming them (its
     * rejected-records file cannot be fetched through the API), so when it rejects some, they are found by halves: the
     * first half of a group is uploaded again (adding an address twice is harmless) and its count tells the second
     * half's without a call. k rejected addresses in n cost about k log2(n / k) calls, not n.
     */
    private void upload(final String path, final List<FieldUpdate> updates, final List<Integer> indexes, final WriteOutcome[] outcomes) throws ConnectorException {
        if (indexes.isEmpty()) {
            return;
        }
        final Integer rejected = uploadCounting(path, updates, indexes, outcomes);
        if (rejected != null && rejected > 0 && indexes.size() > 1) {
            logger.info("Act-On rejected {} of {} addresses without naming them; finding them by halves", rejected, indexes.size());
        }
        isolate(path, updates, indexes, rejected, outcomes);
    }

    /**
     * Settles the outcomes of {@code indexes}, uploaded already, of which Act-On rejected {@code rejected} ({@code null}:
     * the upload was refused, its outcomes are set).
     */
    private void isolate(final String path, final List<FieldUpdate> updates, final List<Integer> indexes, final Integer rejected,
                         final WriteOutcome[] outcomes) throws ConnectorException {
        if (rejected == null) {
            return;
        }
        if (rejected <= 0 || rejected >= indexes.size()) {
            final WriteOutcome outcome = rejected <= 0 ? WriteOutcome.SUCCESS : WriteOutcome.failed("rejected", "Act-On rejected the address as invalid");
            indexes.forEach(i -> outcomes[i] = outcome);
            return;
        }
        final List<Integer> first = indexes.subList(0, indexes.size() / 2);
        final List<Integer> second = indexes.subList(indexes.size() / 2, indexes.size());
        final Integer firstRejected = uploadCounting(path, updates, first, outcomes);
        isolate(path, updates, first, firstRejected, outcomes);
        final boolean counted = firstRejected != null && firstRejected <= rejected;
        isolate(path, updates, second, counted ? rejected - firstRejected : uploadCounting(path, updates, second, outcomes), outcomes);
    }

    /** Uploads the addresses of {@code indexes}: how many Act-On rejected, or {@code null} when it refused the upload (outcomes set). */
    private Integer uploadCounting(final String path, final List<FieldUpdate> updates, final List<Integer> indexes, final WriteOutcome[] outcomes)
            throws ConnectorException {
        final List<String> emails = indexes.stream().map(i -> updates.get(i).email()).toList();
        final HttpReply reply = api(new Request.Builder().url(base.newBuilder().addPathSegments(path).build()).put(csv(emails)));
        if (reply.status() / 100 != 2) {
            final WriteOutcome refused = WriteOutcome.failed(String.valueOf(reply.status()), "Act-On refused the upload: " + reply.excerpt());
            indexes.forEach(i -> outcomes[i] = refused);
            return null;
        }
        return reply.requireJson("Act-On, uploading opt-outs").path("rejectedRecords").asInt(0);
    }

    private static RequestBody csv(final List<String> emails) {
        return new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", "optouts.csv", RequestBody.create(String.join("\n", emails), CSV))
                .build();
    }

    /** A call with the shared token; a refused token is replaced once. */
    private HttpReply api(final Request.Builder request) throws ConnectorException {
        final String access = token.access(this::grant);
        HttpReply reply = transport.send(request.header("Authorization", "Bearer " + access).build(), HttpTransport.Classifier.STATUS);
        if (reply.status() == 401) {
            final String renewed = token.renewAfterRefusal(this::grant, access);
            reply = transport.send(request.header("Authorization", "Bearer " + renewed).build(), HttpTransport.Classifier.STATUS);
        }
        if (reply.status() == 401) {
            throw new ConnectorException("401", "Act-On refuses the token it just issued: " + reply.excerpt(), false);
        }
        return reply;
    }

    /**
     * The refresh grant when there is a refresh token that still works, else the password grant (at most 5 an hour).
     * Only a refused refresh token (400/401) leads to the password grant: a 429 or 5xx is retried, never answered by
     * spending one of the hour's password grants.
     */
    private SharedToken.Token grant(final String refreshToken) throws ConnectorException {
        if (refreshToken != null) {
            final HttpReply refreshed = tokenCall(new FormBody.Builder().add("grant_type", "refresh_token").add("refresh_token", refreshToken));
            if (refreshed.status() == 200) {
                return token(refreshed);
            }
            logger.info("Act-On did not accept the refresh token (HTTP {}); signing in with the password grant", refreshed.status());
        }
        token.beforeSignIn(SIGN_IN_SPACING, "Act-On");
        final HttpReply signedIn = tokenCall(new FormBody.Builder().add("grant_type", "password")
                .add("username", credentials.username()).add("password", credentials.password()));
        if (signedIn.status() == 200) {
            return token(signedIn);
        }
        token.signInRefused();
        throw new ConnectorException("auth-" + signedIn.status(), "Act-On refused the sign-in (HTTP " + signedIn.status()
                + "); check Username, Password, Client ID and Client Secret. The next sign-in is tried in " + SIGN_IN_SPACING.toMinutes()
                + " minutes, or at once when the connector service is enabled again", false);
    }

    /** A token call; 429 and 5xx are retried by the transport and end in a retryable exception when they persist. */
    private HttpReply tokenCall(final FormBody.Builder form) throws ConnectorException {
        form.add("client_id", credentials.clientId()).add("client_secret", credentials.clientSecret());
        return transport.send(new Request.Builder().url(base.newBuilder().addPathSegment("token").build()).post(form.build()).build(),
                HttpTransport.Classifier.STATUS);
    }

    private static SharedToken.Token token(final HttpReply reply) throws ConnectorException {
        final JsonNode body = reply.requireJson("Act-On, issuing a token");
        return new SharedToken.Token(body.path("access_token").asText(), body.path("refresh_token").asText(null),
                Instant.now().plusSeconds(body.path("expires_in").asLong(3600)));
    }

    private static String list(final String object) throws ConnectorException {
        if (!OPT_OUT_LIST.equals(object) && !HARD_BOUNCE_LIST.equals(object)) {
            throw new ConnectorException("object", "Act-On objects are '" + OPT_OUT_LIST + "' and '" + HARD_BOUNCE_LIST + "', not '" + object + "'", false);
        }
        return object;
    }

    private static List<WriteOutcome> all(final int size, final WriteOutcome outcome) {
        final List<WriteOutcome> outcomes = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            outcomes.add(outcome);
        }
        return outcomes;
    }
}
