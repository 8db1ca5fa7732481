package io.optsync.nifi.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A vendor's answer, read whole (vendor pages are bounded by their page size).
 *
 * @param status the HTTP status
 * @param headers response headers, names lower-cased
 * @param body the body
 */
public record HttpReply(int status, Map<String, String> headers, byte[] body) {
    static final ObjectMapper JSON = new ObjectMapper();

    public String header(final String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public JsonNode json() throws IOException {
        return body.length == 0 ? JSON.missingNode() : JSON.readTree(body);
    }

    /**
     * The body as JSON when the call succeeded: a non-2xx status is a failure that the same call repeats (not
     * retryable), a body that is not JSON one that may pass (retryable).
     *
     * @param what names the vendor and the call, for the message (for example "SugarCRM Contacts/filter")
     */
    public JsonNode requireJson(final String what) throws ConnectorException {
        if (status / 100 != 2) {
            throw new ConnectorException(String.valueOf(status), what + " answered HTTP " + status + ": " + excerpt(), false);
        }
        try {
            return json();
        } catch (final IOException e) {
            throw new ConnectorException("malformed", what + " answered with something that is not JSON: " + excerpt(), true, java.time.Duration.ZERO, e);
        }
    }

    /** The body as text, cut to 300 characters, for error messages (vendor bodies never hold our credentials). */
    public String excerpt() {
        final String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
