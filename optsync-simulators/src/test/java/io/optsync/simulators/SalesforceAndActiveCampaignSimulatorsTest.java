package io.optsync.simulators;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Salesforce and ActiveCampaign simulators' quirks, on the wire. */
class SalesforceAndActiveCampaignSimulatorsTest {
    private final SalesforceSimulator salesforce = new SalesforceSimulator();
    private final ActiveCampaignSimulator activeCampaign = new ActiveCampaignSimulator();

    @AfterEach
    void stop() {
        salesforce.close();
        activeCampaign.close();
    }

    private Map<String, String> bearer() throws IOException {
        final Http.Reply token = Http.form(salesforce.baseUrl() + "/services/oauth2/token", Map.of("grant_type", "client_credentials",
                "client_id", SalesforceSimulator.CLIENT_ID, "client_secret", SalesforceSimulator.CLIENT_SECRET), Map.of());
        assertThat(token.json().get("instance_url").asText()).isEqualTo(salesforce.baseUrl());
        assertThat(token.json().has("refresh_token")).as("no refresh token for client credentials").isFalse();
        return Map.of("Authorization", "Bearer " + token.json().get("access_token").asText());
    }

    private Http.Reply soql(final String soql, final Map<String, String> headers) throws IOException {
        return Http.send("GET", salesforce.baseUrl() + "/services/data/v60.0/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8), null, null, headers);
    }

    @Test
    void salesforceSpeaksInArraysOfErrorsAndCountsEveryCall() throws Exception {
        salesforce.start(0);
        final Http.Reply noSession = soql("SELECT Id FROM Contact", Map.of("Authorization", "Bearer nope"));
        assertThat(noSession.status()).isEqualTo(401);
        assertThat(noSession.json().get(0).get("errorCode").asText()).isEqualTo("INVALID_SESSION_ID");

        final Map<String, String> bearer = bearer();
        final Http.Reply malformed = soql("SELECT Id FROM Contact WHERE Name LIKE", bearer); // LIKE 'A%' is valid SOQL
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get(0).get("errorCode").asText()).isEqualTo("MALFORMED_QUERY");

        final String longList = "SELECT Id FROM Contact WHERE Email IN (" + "'someone.with.a.long.address@example.com',".repeat(500) + "'x@y.co')";
        assertThat(soql(longList, bearer).status()).as("URI over 16,384 bytes").isEqualTo(414);

        salesforce.apiUsage(99_999, 100_000);
        assertThat(soql("SELECT Id FROM Contact", bearer).status()).isEqualTo(200);
        final Http.Reply spent = soql("SELECT Id FROM Contact", bearer);
        assertThat(spent.status()).as("403, not 429").isEqualTo(403);
        assertThat(spent.json().get(0).get("errorCode").asText()).isEqualTo("REQUEST_LIMIT_EXCEEDED");
    }

    @Test
    void allOrNoneRollsBackTheValidRecordsWhenOneFails() throws Exception {
        final SalesforceSimulator.SfRecord contact = salesforce.create("Contact", "A", "B", "a@example.com");
        final SalesforceSimulator.SfRecord lead = salesforce.create("Lead", "C", "D", "c@example.com");
        salesforce.convert(lead.id());
        salesforce.start(0);
        final Map<String, Object> body = Map.of("allOrNone", true, "records", List.of(
                Map.of("attributes", Map.of("type", "Contact"), "id", contact.id(), "HasOptedOutOfEmail", true),
                Map.of("attributes", Map.of("type", "Lead"), "id", lead.id(), "HasOptedOutOfEmail", true)));
        final Http.Reply reply = Http.json("PATCH", salesforce.baseUrl() + "/services/data/v60.0/composite/sobjects", body, bearer());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get(0).get("errors").get(0).get("statusCode").asText()).isEqualTo("ALL_OR_NONE_OPERATION_ROLLED_BACK");
        assertThat(reply.json().get(1).get("errors").get(0).get("statusCode").asText()).isEqualTo("CANNOT_UPDATE_CONVERTED_LEAD");
        assertThat(salesforce.record(contact.id()).optedOut()).isFalse();
        assertThat(Http.send("GET", salesforce.baseUrl() + "/services/data/v60.0/query?q=SELECT+Id+FROM+Contact", null, null, bearer()).text())
                .isNotEmpty();
    }

    @Test
    void aCredentialOutageEndsTheSessionsAndRefusesTheCredentialUntilItEnds() throws Exception {
        salesforce.start(0);
        activeCampaign.start(0);
        final Map<String, String> session = bearer();
        final Map<String, String> key = Map.of("Api-Token", ActiveCampaignSimulator.API_TOKEN);
        salesforce.credentialsRefused(true);
        activeCampaign.credentialsRefused(true);
        assertThat(soql("SELECT Id FROM Contact", session).json().get(0).get("errorCode").asText()).isEqualTo("INVALID_SESSION_ID");
        final Http.Reply grant = Http.form(salesforce.baseUrl() + "/services/oauth2/token", Map.of("grant_type", "client_credentials",
                "client_id", SalesforceSimulator.CLIENT_ID, "client_secret", SalesforceSimulator.CLIENT_SECRET), Map.of());
        assertThat(grant.status()).isEqualTo(400);
        assertThat(grant.json().get("error").asText()).isEqualTo("invalid_grant");
        assertThat(Http.send("GET", activeCampaign.baseUrl() + "/api/3/contacts", null, null, key).status()).isEqualTo(403);

        salesforce.credentialsRefused(false);
        activeCampaign.credentialsRefused(false);
        assertThat(soql("SELECT Id FROM Contact", bearer()).status()).isEqualTo(200);
        assertThat(Http.send("GET", activeCampaign.baseUrl() + "/api/3/contacts", null, null, key).status()).isEqualTo(200);
    }

    @Test
    void activeCampaignRefusesABadKeyWith403AndTheSixthRequestOfASecondWith429() throws Exception {
        activeCampaign.seed(10, 1);
        activeCampaign.start(0);
        assertThat(Http.send("GET", activeCampaign.baseUrl() + "/api/3/contacts", null, null, Map.of("Api-Token", "wrong")).status()).isEqualTo(403);
        final Map<String, String> key = Map.of("Api-Token", ActiveCampaignSimulator.API_TOKEN);
        final Http.Reply page = Http.send("GET", activeCampaign.baseUrl() + "/api/3/contacts?include=contactLists&limit=3", null, null, key);
        assertThat(page.json().get("contacts")).hasSize(3);
        assertThat(page.json().get("meta").get("total").asText()).as("a string").isEqualTo("10");
        assertThat(page.json().get("contactLists").get(0).get("status").isTextual()).isTrue();
        int refused = 0;
        for (int i = 0; i < 8; i++) {
            if (Http.send("GET", activeCampaign.baseUrl() + "/api/3/contacts", null, null, key).status() == 429) {
                refused++;
            }
        }
        assertThat(refused).isPositive();
        assertThat(activeCampaign.stats().faults("rate-limited")).isEqualTo(refused);
    }
}
