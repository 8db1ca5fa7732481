package io.optsync.simulators;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /{Module}/filter}'s bracketed query parameters read as the body {@code POST /{Module}/filter} takes. */
class SugarV10QueryAsBodyTest {

    private static String body(final String... pairs) {
        final Map<String, List<String>> query = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            query.computeIfAbsent(pairs[i], k -> new java.util.ArrayList<>()).add(pairs[i + 1]);
        }
        return SugarV10Simulator.queryAsBody(query).toString();
    }

    @Test
    void aFilterWithAnOperatorAndTheNumbersAsNumbers() {
        assertThat(body("filter[0][email][$starts]", "ann", "max_num", "5", "offset", "10", "fields", "id,email"))
                .isEqualTo("{\"filter\":[{\"email\":{\"$starts\":\"ann\"}}],\"max_num\":5,\"offset\":10,\"fields\":\"id,email\"}");
    }

    @Test
    void nestedListsOfConditionsAndOfValues() {
        assertThat(body("filter[0][$or][0][email_opt_out]", "1", "filter[0][$or][1][invalid_email]", "1", "filter[1][email][$in][0]", "a@example.com",
                "filter[1][email][$in][1]", "b@example.com"))
                .isEqualTo("{\"filter\":[{\"$or\":[{\"email_opt_out\":\"1\"},{\"invalid_email\":\"1\"}]},{\"email\":{\"$in\":[\"a@example.com\",\"b@example.com\"]}}]}");
    }

    @Test
    void severalFieldsOfOneCondition() {
        assertThat(body("filter[0][date_modified][$gte]", "2026-12-01T00:00:00+00:00", "filter[0][id][$gt]", "abc", "order_by", "date_modified:ASC"))
                .isEqualTo("{\"filter\":[{\"date_modified\":{\"$gte\":\"2026-12-01T00:00:00+00:00\"},\"id\":{\"$gt\":\"abc\"}}],\"order_by\":\"date_modified:ASC\"}");
    }
}
