package io.optsync.simulators;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as a simulator sees it.
 *
 * @param method the HTTP method
 * @param path the path without the query
 * @param query the query parameters
 * @param headers the headers, names lower-cased
 * @param body the body
 */
public record SimRequest(String method, String path, Map<String, List<String>> query, Map<String, String> headers, byte[] body) {

    public String queryParam(final String name) {
        final List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    public String header(final String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as form fields ({@code application/x-www-form-urlencoded}). */
    public Map<String, String> form() {
        final Map<String, String> form = new LinkedHashMap<>();
        parseUrlEncoded(bodyText()).forEach((k, v) -> form.put(k, v.getFirst()));
        return form;
    }

    static Map<String, List<String>> parseUrlEncoded(final String text) {
        final Map<String, List<String>> values = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return values;
        }
        for (final String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            final int eq = pair.indexOf('=');
            final String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            final String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return values;
    }
}
