package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulators answer the documented forms of the vendor APIs as the vendors do, not only the ones the connectors
 * happen to use; what a simulator does not implement gets the vendor's own error shape, never Java exception text.
 */
class DocumentedFormsTest {

    private static String salesforceToken(final SalesforceSimulator sf) throws IOException {
        final Http.Reply token = Http.form(sf.baseUrl() + "/services/oauth2/token", Map.of("grant_type", "client_credentials",
                "client_id", SalesforceSimulator.CLIENT_ID, "client_secret", SalesforceSimulator.CLIENT_SECRET), Map.of());
        assertThat(token.status()).isEqualTo(200);
        return token.json().path("access_token").asText();
    }

    @Test
    void salesforce() throws IOException {
        try (SalesforceSimulator sf = new SalesforceSimulator()) {
            sf.seed(5, 3).start(0);
            final String basic = Base64.getEncoder().encodeToString((SalesforceSimulator.CLIENT_ID + ":" + SalesforceSimulator.CLIENT_SECRET)
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(Http.form(sf.baseUrl() + "/services/oauth2/token", Map.of("grant_type", "client_credentials"), Map.of("Authorization", "Basic " + basic))
                    .status()).as("client credentials in HTTP Basic (RFC 6749 2.3.1)").isEqualTo(200);
            final Map<String, String> bearer = Map.of("Authorization", "Bearer " + salesforceToken(sf));
            final String soql = java.net.URLEncoder.encode("SELECT Id, Email FROM Contact", StandardCharsets.UTF_8);
            final Http.Reply slash = Http.send("GET", sf.baseUrl() + "/services/data/v60.0/query/?q=" + soql, null, null, bearer);
            assertThat(slash.status()).as("the docs' /query/?q=").isEqualTo(200);
            assertThat(slash.json().path("totalSize").asInt()).isPositive();
            final String id = slash.json().path("records").get(0).path("Id").asText();
            final Http.Reply one = Http.send("GET", sf.baseUrl() + "/services/data/v60.0/sobjects/Contact/" + id, null, null, bearer);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.json().path("Id").asText()).isEqualTo(id);
            final String limited = java.net.URLEncoder.encode("SELECT Id, LastModifiedDate FROM Contact WHERE LastModifiedDate > 2000-01-01T00:00:00Z "
                    + "ORDER BY LastModifiedDate LIMIT 2", StandardCharsets.UTF_8);
            final Http.Reply two = Http.send("GET", sf.baseUrl() + "/services/data/v60.0/query?q=" + limited, null, null, bearer);
            assertThat(two.status()).as("LastModifiedDate and LIMIT").isEqualTo(200);
            assertThat(two.json().path("records").size()).isEqualTo(2);
            final Http.Reply limits = Http.send("GET", sf.baseUrl() + "/services/data/v60.0/limits", null, null, bearer);
            assertThat(limits.json().path("DailyApiRequests").path("Max").asLong()).isPositive();
            final Http.Reply missing = Http.send("GET", sf.baseUrl() + "/services/data/v60.0/sobjects/Contact/003000000000999", null, null, bearer);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.json().get(0).path("errorCode").asText()).isEqualTo("NOT_FOUND");
            final String beyond = java.net.URLEncoder.encode("SELECT Id, (SELECT Id FROM Cases) FROM Contact WHERE NOT (LeadSource IN ('Web', 'Phone')) "
                    + "AND CreatedDate = LAST_N_DAYS:30 ORDER BY Name DESC NULLS LAST LIMIT 5 OFFSET 10", StandardCharsets.UTF_8);
            final Http.Reply notSimulated = Http.send("GET", sf.baseUrl() + "/services/data/v60.0/query?q=" + beyond, null, null, bearer);
            assertThat(notSimulated.status()).as("valid SOQL beyond the subset is not called malformed").isEqualTo(500);
            assertThat(notSimulated.json().get(0).path("errorCode").asText()).isEqualTo("UNKNOWN_EXCEPTION");
            assertThat(notSimulated.json().get(0).path("message").asText()).startsWith("not simulated");
            final String malformed = java.net.URLEncoder.encode("SELECT Id FROM Contact WHERE (LeadSource = 'Web' AN) AND IsConverted = FALSE", StandardCharsets.UTF_8);
            final Http.Reply bad = Http.send("GET", sf.baseUrl() + "/services/data/v60.0/query?q=" + malformed, null, null, bearer);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get(0).path("errorCode").asText()).isEqualTo("MALFORMED_QUERY");
        }
    }

    @Test
    void soqlSyntaxTellsWellFormedStatementsFromMalformedOnes() {
        for (final String valid : java.util.List.of(
                "SELECT Id, Email FROM Contact",
                "select id from contact where email != null and systemmodstamp >= 2026-01-01T00:00:00.000+0000 order by systemmodstamp, id",
                "SELECT COUNT() FROM Lead WHERE IsConverted = FALSE",
                "SELECT Account.Name, Email e FROM Contact WHERE Email LIKE '%@example.com' AND Newsletter__c = TRUE",
                "SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM CampaignMember WHERE Status = 'Sent')",
                "SELECT LeadSource, COUNT(Id) FROM Lead GROUP BY LeadSource HAVING COUNT(Id) > 10",
                "SELECT Id FROM Contact WHERE Interests__c INCLUDES ('a;b', 'c') AND CreatedDate < TODAY FOR VIEW",
                "SELECT Id FROM Contact WHERE Name = 'O\\'Brien' ALL ROWS")) {
            assertThat(SoqlSyntax.wellFormed(valid)).as(valid).isTrue();
        }
        for (final String malformed : java.util.List.of(
                "SELECT Id FROM Contact WHERE LeadSource = 'Web' AN",
                "SELECT FROM Contact",
                "SELECT Id Contact",
                "SELECT Id FROM Contact WHERE (Email = 'a@b.c'",
                "SELECT Id FROM Contact WHERE Email = 'unterminated",
                "SELECT Id FROM Contact WHERE Email",
                "SELECT Id FROM Contact LIMIT ten",
                "SELECT Id FROM Contact ORDER Id",
                "SELECT Id, FROM Contact",
                "SELECT Id FROM Contact WHERE Email = 'a' ; DROP TABLE x")) {
            assertThat(SoqlSyntax.wellFormed(malformed)).as(malformed).isFalse();
        }
    }

    @Test
    void mailchimp() throws IOException {
        try (MailchimpSimulator mc = new MailchimpSimulator()) {
            mc.seed(5, 3).start(0);
            final Map<String, String> auth = Map.of("Authorization", "Bearer " + MailchimpSimulator.API_KEY);
            final String lists = mc.baseUrl() + "/3.0/lists/" + MailchimpSimulator.LIST_ID;
            assertThat(Http.send("GET", mc.baseUrl() + "/3.0/ping", null, null, auth).json().path("health_status").asText()).isEqualTo("Everything's Chimpy!");
            final Http.Reply added = Http.json("POST", lists + "/members", Map.of("email_address", "New.Person@Example.com", "status", "unsubscribed"), auth);
            assertThat(added.status()).isEqualTo(200);
            assertThat(Http.json("POST", lists + "/members", Map.of("email_address", "new.person@example.com", "status", "subscribed"), auth).json()
                    .path("title").asText()).isEqualTo("Member Exists");
            final Http.Reply byAddress = Http.send("GET", lists + "/members/new.person@example.com", null, null, auth);
            assertThat(byAddress.status()).as("a member addressed by its e-mail, which the API accepts as well as the hash").isEqualTo(200);
            assertThat(byAddress.json().path("status").asText()).isEqualTo("unsubscribed");
            final Http.Reply unknown = Http.send("GET", mc.baseUrl() + "/3.0/campaigns", null, null, auth);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.text()).doesNotContain("Exception").contains("\"title\"");
        }
    }

    @Test
    void activeCampaign() throws IOException {
        try (ActiveCampaignSimulator ac = new ActiveCampaignSimulator()) {
            ac.seed(5, 3).start(0);
            final Map<String, String> auth = Map.of("Api-Token", ActiveCampaignSimulator.API_TOKEN);
            final Http.Reply dated = Http.send("GET", ac.baseUrl() + "/api/3/contacts?filters[updated_after]=2020-01-01", null, null, auth);
            assertThat(dated.status()).as("a date without a time").isEqualTo(200);
            assertThat(dated.json().path("contacts").size()).isPositive();
            final Http.Reply bad = Http.send("GET", ac.baseUrl() + "/api/3/contacts?filters[updated_after]=yesterday", null, null, auth);
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.text()).doesNotContain("Exception");
            final String id = dated.json().path("contacts").get(0).path("id").asText();
            assertThat(Http.send("GET", ac.baseUrl() + "/api/3/contacts/" + id, null, null, auth).json().path("contact").path("id").asText()).isEqualTo(id);
            assertThat(Http.send("GET", ac.baseUrl() + "/api/3/lists", null, null, auth).json().path("lists").size()).isPositive();
            final Http.Reply unknown = Http.send("GET", ac.baseUrl() + "/api/3/deals", null, null, auth);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.json().path("message").asText()).startsWith("not simulated");
        }
    }

    private static String netSuiteToken(final NetSuiteSimulator ns) throws Exception {
        final Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        final long now = Instant.now().getEpochSecond();
        final String signed = url.encodeToString(Http.JSON.writeValueAsBytes(Map.of("alg", "PS256", "typ", "JWT", "kid", NetSuiteSimulator.CERTIFICATE_ID)))
                + "." + url.encodeToString(Http.JSON.writeValueAsBytes(Map.of("iss", NetSuiteSimulator.CLIENT_ID, "scope", List.of("rest_webservices"),
                "aud", ns.baseUrl() + "/services/rest/auth/oauth2/v1/token", "iat", now, "exp", now + 600)));
        final Signature signature = Signature.getInstance("RSASSA-PSS");
        signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        signature.initSign(NetSuiteSimulator.CERTIFICATE_KEYS.getPrivate());
        signature.update(signed.getBytes(StandardCharsets.US_ASCII));
        final Http.Reply token = Http.form(ns.baseUrl() + "/services/rest/auth/oauth2/v1/token", Map.of("grant_type", "client_credentials",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", signed + "." + url.encodeToString(signature.sign())), Map.of());
        assertThat(token.status()).isEqualTo(200);
        return token.json().path("access_token").asText();
    }

    @Test
    void netSuite() throws Exception {
        try (NetSuiteSimulator ns = new NetSuiteSimulator()) {
            ns.seed(30, 3).start(0);
            final Map<String, String> auth = Map.of("Authorization", "Bearer " + netSuiteToken(ns), "Prefer", "transient");
            final String suiteql = ns.baseUrl() + "/services/rest/query/v1/suiteql";
            final Http.Reply page = Http.json("POST", suiteql + "?limit=2&offset=0", Map.of("q", "SELECT id, email FROM contact"), auth);
            assertThat(page.status()).isEqualTo(200);
            final List<String> rels = page.json().path("links").findValuesAsText("rel");
            assertThat(rels).contains("next", "self", "first", "last");
            final JsonNode next = page.json().path("links").get(0);
            assertThat(next.path("href").asText()).endsWith("limit=2&offset=2");
            final Http.Reply unbound = Http.json("POST", suiteql, Map.of("q", "SELECT id, email FROM contact WHERE id > ?"), auth);
            assertThat(unbound.status()).as("a ? without a value").isEqualTo(400);
            assertThat(unbound.text()).doesNotContain("Exception").contains("o:errorDetails");
            final String id = page.json().path("items").get(0).path("id").asText();
            final Http.Reply record = Http.send("GET", ns.baseUrl() + "/services/rest/record/v1/contact/" + id, null, null, auth);
            assertThat(record.status()).isEqualTo(200);
            assertThat(record.json().path("id").asText()).isEqualTo(id);
            assertThat(Http.send("GET", ns.baseUrl() + "/services/rest/record/v1/employee/1", null, null, auth).text()).contains("o:errorDetails");
        }
    }
}
