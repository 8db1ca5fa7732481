package io.optsync.simulators;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActOnSimulatorTest {
    private ActOnSimulator sim;

    @BeforeEach
    void start() throws IOException {
        sim = new ActOnSimulator();
        sim.start(0);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private Http.Reply password() throws IOException {
        return Http.form(sim.baseUrl() + "/token", Map.of("grant_type", "password", "username", ActOnSimulator.USERNAME,
                "password", ActOnSimulator.PASSWORD, "client_id", ActOnSimulator.CLIENT_ID, "client_secret", ActOnSimulator.CLIENT_SECRET), Map.of());
    }

    private Http.Reply refresh(final String token) throws IOException {
        return Http.form(sim.baseUrl() + "/token", Map.of("grant_type", "refresh_token", "refresh_token", token,
                "client_id", ActOnSimulator.CLIENT_ID, "client_secret", ActOnSimulator.CLIENT_SECRET), Map.of());
    }

    private static Map<String, String> bearer(final Http.Reply token) {
        return Map.of("Authorization", "Bearer " + token.json().get("access_token").asText());
    }

    @Test
    void atMostFivePasswordGrantsAnHour() throws IOException {
        sim.rateLimit(false);
        for (int i = 0; i < 5; i++) {
            assertThat(password().status()).isEqualTo(200);
        }
        final Http.Reply sixth = password();
        assertThat(sixth.status()).isEqualTo(429);
        assertThat(sixth.json().get("error").asText()).isEqualTo("too_many_requests");
        assertThat(sim.passwordGrants()).isEqualTo(5);
    }

    @Test
    void refreshTokensAreSingleUseAndEveryNewTokenInvalidatesTheOlderOnes() throws IOException {
        final Http.Reply first = password();
        final String refresh1 = first.json().get("refresh_token").asText();
        final Http.Reply second = refresh(refresh1);
        assertThat(second.status()).isEqualTo(200);
        assertThat(refresh(refresh1).status()).as("used once already").isEqualTo(401);
        final String refresh2 = second.json().get("refresh_token").asText();
        password();
        assertThat(refresh(refresh2).json().get("error").asText()).as("a newer token was issued").isEqualTo("invalid_grant");
    }

    @Test
    void accessTokensExpire() throws IOException {
        final Clock[] now = {Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)};
        sim.close();
        sim = new ActOnSimulator(new Clock() {
            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            public Clock withZone(final java.time.ZoneId zone) { return this; }
            public Instant instant() { return now[0].instant(); }
        });
        sim.start(0);
        final Map<String, String> auth = bearer(password());
        assertThat(Http.send("GET", sim.baseUrl() + "/api/1/list/optout", null, null, auth).status()).isEqualTo(200);
        now[0] = Clock.offset(now[0], java.time.Duration.ofMinutes(61));
        final Http.Reply expired = Http.send("GET", sim.baseUrl() + "/api/1/list/optout", null, null, auth);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.json().get("error").asText()).isEqualTo("access_denied");
    }

    @Test
    void theOptOutListPagesUntilAShortPageAndNeverTellsTheTotal() throws IOException {
        sim.rateLimit(false);
        sim.seed(2500, 1);
        final Map<String, String> auth = bearer(password());
        final Http.Reply page1 = Http.send("GET", sim.baseUrl() + "/api/1/list/optout?count=5000&offset=0", null, null, auth);
        assertThat(page1.json().get("count").asInt()).as("count is capped at 1000").isEqualTo(1000);
        assertThat(page1.json().get("totalCount").asInt()).isEqualTo(-1);
        final Http.Reply page3 = Http.send("GET", sim.baseUrl() + "/api/1/list/optout?count=1000&offset=2000", null, null, auth);
        assertThat(page3.json().get("result")).hasSize(500);
        final long stamp = page3.json().get("result").get(0).get("timestamp").asLong();
        assertThat(stamp).as("Unix milliseconds").isGreaterThan(1_000_000_000_000L);
        final Http.Reply after = Http.send("GET", sim.baseUrl() + "/api/1/list/optout?createdafter=" + (System.currentTimeMillis() + 1000), null, null, auth);
        assertThat(after.json().get("result")).isEmpty();
    }

    @Test
    void optOutsAreAddedByCsvUploadAndBadRowsAreCountedAsRejected() throws IOException {
        final Map<String, String> auth = bearer(password());
        final Http.Reply reply = Http.multipartFile(sim.baseUrl() + "/api/1/list/optout", "Ann@Example.com\nnot-an-email\n\nbob@example.org", auth);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("rejectedRecords").asInt()).isEqualTo(1);
        assertThat(reply.json().get("emptyRecords").asInt()).isEqualTo(1);
        assertThat(sim.optOutAddresses()).containsExactlyInAnyOrder("ann@example.com", "bob@example.org");
        assertThat(Http.send("PUT", sim.baseUrl() + "/api/1/list/optout", "text/csv", "x@example.com", auth).status())
                .as("not multipart").isEqualTo(400);
    }

    @Test
    void removingOptOutsIsAGatedFeature() throws IOException {
        final Map<String, String> auth = bearer(password());
        Http.multipartFile(sim.baseUrl() + "/api/1/list/optout", "ann@example.com", auth);
        assertThat(Http.multipartFile(sim.baseUrl() + "/api/1/list/optin", "ann@example.com", auth).status()).isEqualTo(403);
        assertThat(sim.optOutAddresses()).containsExactly("ann@example.com");
    }

    @Test
    void moreThanFiveCallsASecondAreRefused() throws IOException {
        final Map<String, String> auth = bearer(password());
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            if (Http.send("GET", sim.baseUrl() + "/api/1/list/hardbounce", null, null, auth).status() == 429) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(5);
        assertThat(sim.stats().maxPerSecond()).isGreaterThan(5);
        assertThat(sim.stats().faults("rate-limited")).isEqualTo(refused);
    }

    @Test
    void injectsEveryKindOfFaultAndCountsThem() throws IOException {
        sim.rateLimit(false);
        sim.faults(new FaultPlan(1.0, 3, 200));
        int failed = 0;
        int resets = 0;
        for (int i = 0; i < 40; i++) {
            try {
                final int status = Http.send("GET", sim.baseUrl() + "/api/1/list/optout", null, null, Map.of()).status();
                assertThat(status).isIn(429, 500, 503, 504);
                failed++;
            } catch (final IOException reset) {
                resets++;
            }
        }
        assertThat(failed + resets).isEqualTo(40);
        assertThat(resets).isPositive();
        assertThat(List.of("500", "503", "429", "vendor-limit", "timeout", "reset", "lost-response")).allSatisfy(kind -> assertThat(sim.stats().faults(kind)).as(kind).isPositive());
        final Http.Reply stats = Http.send("GET", sim.baseUrl() + "/_sim/stats", null, null, Map.of());
        // java.net.http retries an idempotent GET once after a reset, so the server may see more calls than were sent
        assertThat(stats.json().get("calls").get("GET /api/1/list/optout").asInt()).isGreaterThanOrEqualTo(40);
        assertThatThrownBy(() -> new FaultPlan(1.5, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void answersTheNextCallWithACannedReplyThenServesAgain() throws IOException {
        sim.rateLimit(false);
        final String truncated = "{\"result\":[{\"email\":\"a@example.com\",\"timest";
        final Http.Reply set = Http.send("POST", sim.baseUrl() + "/_sim/answer-next?endpoint=GET%20/api/1/list/optout&status=200",
                "application/json", truncated, Map.of());
        assertThat(set.status()).isEqualTo(204);
        final Http.Reply canned = Http.send("GET", sim.baseUrl() + "/api/1/list/optout", null, null, Map.of());
        assertThat(canned.status()).isEqualTo(200);
        assertThat(canned.text()).isEqualTo(truncated);
        assertThat(Http.send("GET", sim.baseUrl() + "/api/1/list/optout", null, null, Map.of()).status()).as("served again: no token").isEqualTo(401);
    }
}
