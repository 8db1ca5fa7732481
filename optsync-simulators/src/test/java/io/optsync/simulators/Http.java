package io.optsync.simulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** A tiny HTTP client for the simulator tests. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, JsonNode json, String text) {
    }

    private Http() {
    }

    static Reply send(final String method, final String url, final String contentType, final String body, final Map<String, String> headers) throws IOException {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        headers.forEach(builder::header);
        try {
            final HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            try {
                json = response.body().isEmpty() ? null : JSON.readTree(response.body());
            } catch (final IOException notJson) {
                // plain text
            }
            return new Reply(response.statusCode(), json, response.body());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static Reply json(final String method, final String url, final Object body, final Map<String, String> headers) throws IOException {
        return send(method, url, "application/json", body == null ? null : JSON.writeValueAsString(body), headers);
    }

    static Reply form(final String url, final Map<String, String> fields, final Map<String, String> headers) throws IOException {
        final String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send("POST", url, "application/x-www-form-urlencoded", body, headers);
    }

    static Reply multipartFile(final String url, final String csv, final Map<String, String> headers) throws IOException {
        final String boundary = "optsyncBoundary42";
        final String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"optouts.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n";
        return send("PUT", url, "multipart/form-data; boundary=" + boundary, body, headers);
    }
}
