package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The v10 filter reads through the store's indexes (date_modified order, address to records). Whatever the history of
 * saves, UI changes, new addresses and replaced address lists, every read the connectors make answers what a scan of
 * every record in (date_modified, id) order answers, computed here independently.
 */
class SugarFilterIndexTest {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");


    private final MovingClock clock = new MovingClock(Instant.parse("2026-06-01T00:00:00Z"));
    private SugarStore store;
    private SugarV10Simulator v10;
    private String token;

    @BeforeEach
    void start() throws IOException {
        store = new SugarStore(clock).seed(300, 11);
        v10 = new SugarV10Simulator(store);
        v10.start(0);
        token = Http.json("POST", v10.baseUrl() + "/rest/v10/oauth2/token", Map.of("grant_type", "password", "client_id", "sugar", "client_secret", "",
                "username", SugarV10Simulator.USERNAME, "password", SugarV10Simulator.PASSWORD), Map.of()).json().get("access_token").asText();
    }

    @AfterEach
    void stop() {
        v10.close();
    }

    @Test
    void everyReadAnswersWhatAScanAnswersWhateverTheHistory() throws IOException {
        final Random random = new Random(7);
        int reads = 0;
        for (int round = 0; round < 40; round++) {
            for (int change = 0; change < 15; change++) {
                change(random);
            }
            for (final String module : SugarStore.MODULES) {
                reads += readsAgree(module, random);
            }
        }
        assertThat(reads).isGreaterThan(300);
    }

    private void change(final Random random) throws IOException {
        clock.advance(java.time.Duration.ofMillis(random.nextInt(2500))); // several saves in one second share a date_modified
        final String module = SugarStore.MODULES.get(random.nextInt(2));
        final List<SugarStore.Bean> beans = new ArrayList<>(store.beans(module));
        final SugarStore.Bean bean = beans.get(random.nextInt(beans.size()));
        switch (random.nextInt(5)) {
            case 0 -> {
                if (bean.primary() != null) {
                    store.optOutInUi(module, bean.id(), random.nextBoolean());
                }
            }
            case 1 -> store.addAddress(module, bean.id(), address(random));
            case 2 -> store.create(module, "New", "Person", address(random), store.now());
            case 3 -> store.campaignUnsubscribe(address(random)); // no date_modified change
            default -> { // a save through the API that replaces the record's addresses
                final List<Map<String, Object>> emails = new ArrayList<>();
                for (int i = 0; i < random.nextInt(3); i++) {
                    emails.add(Map.of("email_address", address(random), "opt_out", random.nextBoolean(), "primary_address", i == 0));
                }
                assertThat(Http.json("PUT", v10.baseUrl() + "/rest/v10/" + module + "/" + bean.id(), Map.of("email", emails),
                        Map.of("OAuth-Token", token)).status()).isEqualTo(200);
            }
        }
    }

    private static String address(final Random random) {
        final int person = random.nextInt(400);
        final String address = random.nextBoolean() ? "person" + person + "@example" + (person % 5) + ".com" : "lead" + person + "@leads.example.org";
        return random.nextInt(4) == 0 ? address.toUpperCase(Locale.ROOT) : address;
    }

    /** Runs each form of read the connectors send, page by page, and compares it with the scan. */
    private int readsAgree(final String module, final Random random) throws IOException {
        final List<SugarStore.Bean> all = scan(module);
        final SugarStore.Bean pivot = all.get(random.nextInt(all.size()));
        final String at = ISO.format(pivot.dateModified().atOffset(ZoneOffset.UTC));
        final boolean optedOut = random.nextBoolean();

        final List<Map<String, Object>> keyset = new ArrayList<>();
        if (optedOut) {
            keyset.add(Map.of("email_addresses.opt_out", Map.of("$equals", true)));
        }
        keyset.add(Map.of("$or", List.of(Map.of("date_modified", Map.of("$gt", at)),
                Map.of("$and", List.of(Map.of("date_modified", Map.of("$equals", at)), Map.of("id", Map.of("$gt", pivot.id())))))));
        final Predicate<SugarStore.Bean> after = b -> b.dateModified().isAfter(pivot.dateModified())
                || b.dateModified().equals(pivot.dateModified()) && b.id().compareTo(pivot.id()) > 0;
        compare(module, keyset, "date_modified:ASC,id:ASC", after.and(b -> !optedOut || b.addresses().stream().anyMatch(SugarStore.Address::optOut)), all);

        compare(module, List.of(Map.of("date_modified", Map.of("$gte", at))), "date_modified:ASC,id:ASC",
                b -> !b.dateModified().isBefore(pivot.dateModified()), all);

        final List<String> asked = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(30); i++) {
            asked.add(address(random));
        }
        final Set<String> caps = asked.stream().map(a -> a.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
        compare(module, List.of(Map.of("email_addresses.email_address", Map.of("$in", asked))), "date_modified:ASC",
                b -> b.addresses().stream().anyMatch(a -> caps.contains(a.address().toUpperCase(Locale.ROOT))), all);

        compare(module, List.of(), "date_modified:DESC", b -> true, all.reversed());
        return 4;
    }

    private void compare(final String module, final List<Map<String, Object>> filter, final String order, final Predicate<SugarStore.Bean> expected,
            final List<SugarStore.Bean> scanned) throws IOException {
        final List<String> wanted = scanned.stream().filter(expected).map(SugarStore.Bean::id).toList();
        final List<String> read = new ArrayList<>();
        final int page = 7;
        for (int offset = 0; offset >= 0; ) {
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("filter", filter);
            body.put("order_by", order);
            body.put("max_num", page);
            body.put("offset", offset);
            final JsonNode reply = Http.json("POST", v10.baseUrl() + "/rest/v10/" + module + "/filter", body, Map.of("OAuth-Token", token)).json();
            reply.get("records").forEach(r -> read.add(r.get("id").asText()));
            offset = reply.get("next_offset").asInt();
        }
        assertThat(read).as("%s %s %s", module, filter, order).containsExactlyElementsOf(wanted);
    }

    /** Every record of the module, sorted here by (date_modified, id). */
    private List<SugarStore.Bean> scan(final String module) {
        synchronized (store) {
            return store.beans(module).stream().sorted(Comparator.comparing(SugarStore.Bean::dateModified).thenComparing(SugarStore.Bean::id)).toList();
        }
    }
}
