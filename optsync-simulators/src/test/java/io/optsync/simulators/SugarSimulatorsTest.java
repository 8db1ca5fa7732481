package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The SugarCRM quirks of vendor-apis.md section 13, through both simulators over one store. */
class SugarSimulatorsTest {
    private SugarStore store;
    private SugarV10Simulator v10;
    private SugarV41Simulator v41;

    @BeforeEach
    void start() throws IOException {
        store = new SugarStore().seed(50, 3);
        v10 = new SugarV10Simulator(store);
        v10.start(0);
        v41 = new SugarV41Simulator(store);
        v41.start(0);
    }

    @AfterEach
    void stop() {
        v10.close();
        v41.close();
    }

    // ---- v10

    private String token(final String platform) throws IOException {
        return Http.json("POST", v10.baseUrl() + "/rest/v10/oauth2/token", Map.of("grant_type", "password", "client_id", "sugar", "client_secret", "",
                "username", SugarV10Simulator.USERNAME, "password", SugarV10Simulator.PASSWORD, "platform", platform), Map.of()).json().get("access_token").asText();
    }

    private Http.Reply filter(final String token, final Object body) throws IOException {
        return Http.json("POST", v10.baseUrl() + "/rest/v10/Contacts/filter", body, Map.of("OAuth-Token", token));
    }

    @Test
    void aPasswordGrantLogsOutTheEarlierSessionOfTheSamePlatform() throws IOException {
        final String first = token("optsync");
        final String other = token("mobile");
        final String second = token("optsync");
        assertThat(filter(first, Map.of()).json().get("error").asText()).isEqualTo("invalid_grant");
        assertThat(filter(second, Map.of()).status()).isEqualTo(200);
        assertThat(filter(other, Map.of()).status()).isEqualTo(200);
        assertThat(Http.json("POST", v10.baseUrl() + "/rest/v10/Contacts/filter", Map.of(), Map.of()).json().get("error").asText()).isEqualTo("need_login");
    }

    @Test
    void filterPagesTwentyByDefaultAndEndsWithMinusOne() throws IOException {
        final String token = token("optsync");
        final Http.Reply first = filter(token, Map.of());
        assertThat(first.json().get("records")).hasSize(20);
        assertThat(first.json().get("next_offset").asInt()).isEqualTo(20);
        final Http.Reply last = filter(token, Map.of("offset", 40, "max_num", 20));
        assertThat(last.json().get("records")).hasSize(10);
        assertThat(last.json().get("next_offset").asInt()).isEqualTo(-1);
        Http.send("POST", v10.baseUrl() + "/_sim/sugar/settings?maxListLimit=7", null, null, Map.of());
        assertThat(filter(token, Map.of("max_num", 1000)).json().get("records")).as("capped by max_list_limit").hasSize(7);
        assertThat(filter(token, Map.of("filter", List.of(Map.of("nope", Map.of("$gt", 1))))).status()).isEqualTo(412);
    }

    @Test
    void anAddressIsOneRowSharedByContactsAndLeads() throws IOException {
        final SugarStore.Bean contact = store.create("Contacts", "Ann", "Lee", "Ann@Example.com", Instant.parse("2026-01-01T00:00:00Z"));
        final SugarStore.Bean lead = store.create("Leads", "Ann", "Lee", "ann@example.COM", Instant.parse("2026-01-01T00:00:00Z"));
        final String token = token("optsync");
        final Map<String, Object> email = Map.of("email_address", "ann@example.com", "opt_out", true, "primary_address", true);
        final Http.Reply put = Http.json("PUT", v10.baseUrl() + "/rest/v10/Contacts/" + contact.id(), Map.of("email", List.of(email)), Map.of("OAuth-Token", token));
        assertThat(put.status()).isEqualTo(200);
        assertThat(store.bean("Leads", lead.id()).emailOptOut()).as("the Lead shares the row").isTrue();
        final Http.Reply byEmail = Http.json("POST", v10.baseUrl() + "/rest/v10/Leads/filter",
                Map.of("filter", List.of(Map.of("email_addresses.email_address", Map.of("$in", List.of("ANN@example.com"))))), Map.of("OAuth-Token", token));
        assertThat(byEmail.json().get("records").get(0).get("email").get(0).get("opt_out").asBoolean()).isTrue();
        Http.send("POST", v10.baseUrl() + "/_sim/sugar/settings?stringFlags=true", null, null, Map.of());
        final Http.Reply strings = filter(token, Map.of("filter", List.of(Map.of("id", Map.of("$equals", contact.id())))));
        assertThat(strings.json().get("records").get(0).get("email").get(0).get("opt_out").asText()).as("Sugar 7 era").isEqualTo("1");
    }

    @Test
    void aclDeniedWritesFailAndBulkGoesOnAfterAFailure() throws IOException {
        final List<SugarStore.Bean> beans = store.sortedByModified("Contacts");
        store.denyAcl(beans.get(0).id());
        final String token = token("optsync");
        final String data = "{\"email\":[{\"email_address\":\"x@example.com\",\"opt_out\":\"1\",\"primary_address\":true}]}";
        final Http.Reply bulk = Http.json("POST", v10.baseUrl() + "/rest/v10/bulk", Map.of("requests", List.of(
                Map.of("url", "/v10/Contacts/" + beans.get(0).id(), "method", "PUT", "data", data),
                Map.of("url", "/v10/Contacts/" + beans.get(1).id(), "method", "PUT", "data", data))), Map.of("OAuth-Token", token));
        assertThat(bulk.status()).isEqualTo(200);
        assertThat(bulk.json().get(0).get("status").asInt()).isEqualTo(403);
        assertThat(bulk.json().get(0).get("contents").get("error").asText()).isEqualTo("not_authorized");
        assertThat(bulk.json().get(1).get("status").asInt()).isEqualTo(200);
        assertThat(store.isOptedOut("x@example.com")).isTrue();
    }

    @Test
    void theCampaignLinkOptsOutWithoutTouchingDateModified() throws IOException {
        final SugarStore.Bean bean = store.sortedByModified("Contacts").getFirst();
        final Instant before = bean.dateModified();
        final String address = bean.primary().address();
        Http.send("POST", v10.baseUrl() + "/_sim/sugar/campaign-unsubscribe?email=" + address.toUpperCase(), null, null, Map.of());
        assertThat(store.isOptedOut(address)).isTrue();
        assertThat(bean.dateModified()).isEqualTo(before);
        final Http.Reply changed = filter(token("optsync"), Map.of("filter", List.of(Map.of("date_modified", Map.of("$gt", before.atOffset(java.time.ZoneOffset.UTC).toString())))));
        assertThat(changed.json().get("records").findValuesAsText("id")).doesNotContain(bean.id());
    }

    // ---- v4_1

    private String login() throws IOException {
        final Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("user_auth", Map.of("user_name", SugarV41Simulator.USERNAME, "password", SugarV41Simulator.md5(SugarV41Simulator.PASSWORD)));
        auth.put("application_name", "optsync");
        auth.put("name_value_list", List.of());
        return call("login", auth).json().get("id").asText();
    }

    private Http.Reply call(final String method, final Object restData) throws IOException {
        return Http.form(v41.baseUrl() + "/service/v4_1/rest.php", Map.of("method", method, "input_type", "JSON", "response_type", "JSON",
                "rest_data", Http.JSON.writeValueAsString(restData)), Map.of());
    }

    private Http.Reply entryList(final String session, final String query, final int offset, final int max) throws IOException {
        final Map<String, Object> args = new LinkedHashMap<>();
        args.put("session", session);
        args.put("module_name", "Contacts");
        args.put("query", query);
        args.put("order_by", "contacts.date_modified ASC");
        args.put("offset", offset);
        args.put("select_fields", List.of("id", "email1", "email_opt_out", "date_modified"));
        args.put("link_name_to_fields_array", List.of(Map.of("name", "email_addresses", "value", List.of("email_address", "opt_out"))));
        args.put("max_results", max);
        args.put("deleted", 0);
        args.put("favorites", false);
        return call("get_entry_list", args);
    }

    @Test
    void faultsComeBackWithHttp200() throws IOException {
        final Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("user_auth", Map.of("user_name", "admin", "password", SugarV41Simulator.PASSWORD));
        final Http.Reply login = call("login", bad);
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().get("number").asInt()).as("plain text password without encryption=PLAIN").isEqualTo(10);
        final Http.Reply noSession = entryList("nope", "", 0, 10);
        assertThat(noSession.status()).isEqualTo(200);
        assertThat(noSession.json().get("name").asText()).isEqualTo("Invalid Session ID");
        final Http.Reply plain = call("login", Map.of("user_auth", Map.of("user_name", "admin", "password", SugarV41Simulator.PASSWORD, "encryption", "PLAIN")));
        assertThat(plain.json().has("id")).isTrue();
    }

    @Test
    void entryListPagesByOffsetWithStringValues() throws IOException {
        final String session = login();
        final Http.Reply page = entryList(session, "contacts.date_modified > '2000-01-01 00:00:00'", 40, 20);
        assertThat(page.json().get("result_count").asInt()).isEqualTo(10);
        assertThat(page.json().get("next_offset").asInt()).as("offset + count, no sign of the end").isEqualTo(50);
        final JsonNode values = page.json().get("entry_list").get(0).get("name_value_list");
        assertThat(values.get("email_opt_out").get("value").asText()).isIn("0", "1");
        assertThat(values.get("date_modified").get("value").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(page.json().get("relationship_list").get(0).get("link_list").get(0).get("name").asText()).isEqualTo("email_addresses");
    }

    @Test
    void onlyWhitelistedSubQueriesPassAndTheOptedOutSetFindsBackDoorOptOuts() throws IOException {
        final String session = login();
        assertThat(entryList(session, "contacts.id IN (SELECT id FROM users)", 0, 10).json().get("number").asInt()).isEqualTo(40);
        final SugarStore.Bean bean = store.sortedByModified("Contacts").get(3);
        store.campaignUnsubscribe(bean.primary().address());
        final Http.Reply optedOut = entryList(session, "contacts.id IN (SELECT eabr.bean_id FROM email_addr_bean_rel eabr JOIN email_addresses ea "
                + "ON ea.id = eabr.email_address_id WHERE eabr.deleted = 0 AND ea.opt_out = 1)", 0, 1000);
        assertThat(optedOut.json().get("entry_list").findValuesAsText("id")).contains(bean.id());
        final Http.Reply byEmail = entryList(session, "contacts.id IN (SELECT eabr.bean_id FROM email_addr_bean_rel eabr JOIN email_addresses ea "
                + "ON ea.id = eabr.email_address_id WHERE eabr.deleted = 0 AND ea.deleted = 0 AND ea.email_address_caps IN ('"
                + bean.primary().address().toUpperCase() + "', 'NOBODY@EXAMPLE.COM'))", 0, 1000);
        assertThat(byEmail.json().get("entry_list").findValuesAsText("id")).contains(bean.id());
    }

    private Http.Reply setEntries(final String session, final List<List<Map<String, Object>>> lists) throws IOException {
        return setEntries(session, "Contacts", lists);
    }

    private Http.Reply setEntries(final String session, final String module, final List<List<Map<String, Object>>> lists) throws IOException {
        final Map<String, Object> args = new LinkedHashMap<>();
        args.put("session", session);
        args.put("module_name", module);
        args.put("name_value_lists", lists);
        return call("set_entries", args);
    }

    private static Map<String, Object> nv(final String name, final Object value) {
        return Map.of("name", name, "value", value);
    }

    @Test
    void documentedV10FormsAreAnswered() throws IOException {
        final String token = token("optsync");
        final Map<String, String> auth = Map.of("OAuth-Token", token);
        assertThat(Http.send("GET", v10.baseUrl() + "/rest/v10/me", null, null, auth).json().path("current_user").path("user_name").asText())
                .isEqualTo(SugarV10Simulator.USERNAME);
        final Http.Reply listed = Http.send("GET", v10.baseUrl() + "/rest/v10/Contacts?max_num=5", null, null, auth);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().path("records").size()).isEqualTo(5);
        final String email = listed.json().path("records").get(0).path("email").get(0).path("email_address").asText();
        final Http.Reply filtered = Http.send("GET", v10.baseUrl() + "/rest/v10/Contacts/filter?filter%5B0%5D%5Bemail_addresses.email_address%5D%5B%24equals%5D="
                + java.net.URLEncoder.encode(email, java.nio.charset.StandardCharsets.UTF_8) + "&max_num=20", null, null, auth);
        assertThat(filtered.status()).isEqualTo(200);
        assertThat(filtered.json().path("records").findValuesAsText("email_address")).contains(email);
        assertThat(Http.json("POST", v10.baseUrl() + "/rest/v10/oauth2/logout", Map.of(), auth).json().path("success").asBoolean()).isTrue();
        assertThat(Http.send("GET", v10.baseUrl() + "/rest/v10/me", null, null, auth).status()).as("logged out").isEqualTo(401);
    }

    @Test
    void documentedV41FormsAreAnswered() throws IOException {
        final String session = login();
        final Http.Reply page = entryList(session, "", 0, 5);
        assertThat(page.json().path("total_count").isInt()).as("an integer").isTrue();
        assertThat(page.json().path("total_count").asInt()).as("the whole result, not the page").isEqualTo(store.sortedByModified("Contacts").size());
        final String id = page.json().path("entry_list").get(0).path("id").asText();
        final Map<String, Object> get = new LinkedHashMap<>();
        get.put("session", session);
        get.put("module_name", "Contacts");
        get.put("id", id);
        get.put("select_fields", List.of("id", "last_name"));
        get.put("link_name_to_fields_array", List.of());
        final Http.Reply entry = call("get_entry", get);
        assertThat(entry.json().path("entry_list").get(0).path("id").asText()).isEqualTo(id);
        final String lastName = entry.json().path("entry_list").get(0).path("name_value_list").path("last_name").path("value").asText();
        final Http.Reply byName = entryList(session, "contacts.last_name = '" + lastName.replace("'", "''") + "'", 0, 20);
        assertThat(byName.json().path("entry_list").findValuesAsText("id")).as("a plain query on a column").contains(id);
        final Map<String, Object> count = new LinkedHashMap<>();
        count.put("session", session);
        count.put("module_name", "Contacts");
        count.put("query", "");
        count.put("deleted", 0);
        assertThat(call("get_entries_count", count).json().path("result_count").asInt()).isEqualTo(store.sortedByModified("Contacts").size());
        final Map<String, Object> set = new LinkedHashMap<>();
        set.put("session", session);
        set.put("module_name", "Contacts");
        set.put("name_value_list", List.of(nv("id", id), nv("last_name", "Renamed")));
        assertThat(call("set_entry", set).json().path("id").asText()).isEqualTo(id);
        final Http.Reply beyond = entryList(session, "contacts.birthdate > '2000-01-01'", 0, 20);
        assertThat(beyond.text()).as("not a claim of no access").doesNotContain("Access Denied").contains("not simulated");
        final Http.Reply denied = entryList(session, "contacts.id IN (SELECT id FROM users)", 0, 20);
        assertThat(denied.json().path("number").asInt()).as("SugarSQLValidate's refusal of a sub-query on users").isEqualTo(40);
    }

    @Test
    void setEntriesOptsOutOnlyWithOneAndDropsDeniedRecordsSilently() throws IOException {
        final String session = login();
        final List<SugarStore.Bean> beans = store.sortedByModified("Contacts");
        final SugarStore.Bean a = beans.get(10);
        final SugarStore.Bean b = beans.get(11);
        final SugarStore.Bean c = beans.get(12);
        final SugarStore.Bean d = beans.get(13);
        store.denyAcl(c.id());
        for (final SugarStore.Bean bean : List.of(a, b, c, d)) {
            bean.primary().optOut = false;
        }
        final Http.Reply reply = setEntries(session, List.of(
                List.of(nv("id", a.id()), nv("email1", a.primary().address()), nv("email_opt_out", "true")),
                List.of(nv("id", b.id()), nv("email1", b.primary().address()), nv("email_opt_out", "1")),
                List.of(nv("id", c.id()), nv("email1", c.primary().address()), nv("email_opt_out", "1")),
                List.of(nv("id", d.id()), nv("email_opt_out", "1"))));
        assertThat(reply.json().get("ids").findValuesAsText("")).isEmpty();
        final List<String> ids = new java.util.ArrayList<>();
        reply.json().get("ids").forEach(id -> ids.add(id.asText()));
        assertThat(ids).containsExactly(a.id(), b.id(), d.id());
        assertThat(a.emailOptOut()).as("\"true\" is not '1'").isFalse();
        assertThat(b.emailOptOut()).isTrue();
        assertThat(c.emailOptOut()).as("ACL-denied: dropped").isFalse();
        assertThat(d.emailOptOut()).as("email_opt_out without email1 is not applied").isFalse();
    }

    @Test
    void argumentsBindByPositionAndCreatesMayBeSwallowedAsDuplicates() throws IOException {
        final String session = login();
        final Map<String, Object> misnamed = new LinkedHashMap<>();
        misnamed.put("s", session);
        misnamed.put("m", "Contacts");
        misnamed.put("q", "");
        assertThat(call("get_entry_list", misnamed).json().has("entry_list")).as("names are not read").isTrue();
        final Map<String, Object> misordered = new LinkedHashMap<>();
        misordered.put("module_name", "Contacts");
        misordered.put("session", session);
        assertThat(call("get_entry_list", misordered).json().get("number").asInt()).as("order is everything").isEqualTo(11);

        final SugarStore.Bean existing = store.sortedByModified("Contacts").get(5);
        final boolean before = existing.emailOptOut();
        final Http.Reply create = setEntries(session, List.of(List.of(nv("last_name", existing.lastName), nv("email1", existing.primary().address()),
                nv("email_opt_out", before ? "0" : "1"))));
        assertThat(create.json().get("ids").get(0).asText()).isEqualTo(existing.id());
        assertThat(existing.emailOptOut()).as("nothing applied to a duplicate").isEqualTo(before);
    }

    @Test
    void aSaveClearsTheFlagsOfEveryAddressButThePrimaryOneAsSuiteCrmDoes() throws IOException {
        final String session = login();
        final SugarStore.Bean ann = store.create("Contacts", "Ann", "Lee", "ann@example.com", store.now());
        store.addAddress("Contacts", ann.id(), "ann.work@example.com");
        store.optOutAddressInUi("Contacts", ann.id(), "ann.work@example.com", true);
        final SugarStore.Bean lead = store.create("Leads", "Ann", "Lee", "ANN.WORK@example.com", store.now());
        assertThat(lead.emailOptOut()).as("the row is shared").isTrue();

        setEntries(session, List.of(List.of(nv("id", ann.id()), nv("first_name", "Anne"))));
        assertThat(store.isOptedOut("ann.work@example.com")).as("SuiteCRM#4145: a save wipes the non-primary opt-out").isFalse();
        assertThat(lead.emailOptOut()).as("on every record sharing the row").isFalse();
    }

    @Test
    void emailAddressRowsAreReadAndWrittenByIdWithoutTouchingTheRecords() throws IOException {
        final String session = login();
        final SugarStore.Bean ann = store.create("Contacts", "Ann", "Lee", "ann@example.com", store.now().minusSeconds(60));
        store.addAddress("Contacts", ann.id(), "ann.work@example.com");
        final java.time.Instant modified = store.bean("Contacts", ann.id()).dateModified();
        final Map<String, Object> args = new LinkedHashMap<>();
        args.put("session", session);
        args.put("module_name", "EmailAddresses");
        args.put("query", "email_addresses.email_address_caps IN ('ANN.WORK@EXAMPLE.COM', 'NOBODY@EXAMPLE.COM')");
        final JsonNode rows = call("get_entry_list", args).json().get("entry_list");
        assertThat(rows).hasSize(1);
        final String rowId = rows.get(0).get("id").asText();
        assertThat(rows.get(0).at("/name_value_list/opt_out/value").asText()).isEqualTo("0");

        final Http.Reply saved = setEntries(session, "EmailAddresses", List.of(List.of(nv("id", rowId), nv("opt_out", "1")),
                List.of(nv("id", "no-such-row"), nv("opt_out", "1"))));
        assertThat(saved.json().get("ids")).hasSize(1);
        assertThat(store.isOptedOut("ann.work@example.com")).as("a non-primary address opted out on its row").isTrue();
        assertThat(store.bean("Contacts", ann.id()).dateModified()).as("no record saved").isEqualTo(modified);
        assertThat(store.isOptedOut("ann@example.com")).isFalse();
    }
}
