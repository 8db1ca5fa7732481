package io.optsync.simulators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP response.
 *
 * @param status the status code
 * @param headers extra headers
 * @param body the body
 */
public record SimResponse(int status, Map<String, String> headers, byte[] body) {
    static final ObjectMapper JSON = new ObjectMapper();

    public static SimResponse json(final int status, final Object value) {
        try {
            final Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json; charset=UTF-8");
            return new SimResponse(status, headers, JSON.writeValueAsBytes(value));
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SimResponse text(final int status, final String text) {
        final Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/plain; charset=UTF-8");
        return new SimResponse(status, headers, text.getBytes(StandardCharsets.UTF_8));
    }

    public static SimResponse empty(final int status) {
        return new SimResponse(status, new LinkedHashMap<>(), new byte[0]);
    }

    public SimResponse withHeader(final String name, final String value) {
        final Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new SimResponse(status, copy, body);
    }
}
