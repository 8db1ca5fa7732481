package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** The few calls of NiFi's REST API the integration tests make. */
public final class NiFiRest {
    static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    NiFiRest(final String base) {
        this.base = base;
    }

    boolean isUp() {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(base + "/flow/about")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (final IOException e) {
            return false;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public JsonNode get(final String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public JsonNode post(final String path, final Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public JsonNode put(final String path, final Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public String getText(final String path) throws IOException, InterruptedException {
        final HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        check(response);
        return response.body();
    }

    /** Uploads a flow definition into a new process group of the root group ("Upload flow definition"). */
    public JsonNode uploadFlow(final String rootId, final String groupName, final byte[] definition) throws IOException, InterruptedException {
        final String boundary = "optsync" + UUID.randomUUID().toString().replace("-", "");
        final StringBuilder head = new StringBuilder();
        for (final String[] field : new String[][] {{"groupName", groupName}, {"positionX", "0"}, {"positionY", "0"}, {"clientId", UUID.randomUUID().toString()}}) {
            head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(field[0]).append("\"\r\n\r\n")
                    .append(field[1]).append("\r\n");
        }
        head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"flow.json\"\r\n")
                .append("Content-Type: application/json\r\n\r\n");
        final byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
        final byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        final byte[] body = new byte[start.length + definition.length + end.length];
        System.arraycopy(start, 0, body, 0, start.length);
        System.arraycopy(definition, 0, body, start.length, definition.length);
        System.arraycopy(end, 0, body, start.length + definition.length, end.length);
        return send(HttpRequest.newBuilder(URI.create(base + "/process-groups/" + rootId + "/process-groups/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private JsonNode send(final HttpRequest.Builder request) throws IOException, InterruptedException {
        final HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        check(response);
        return response.body().isEmpty() ? JSON.missingNode() : JSON.readTree(response.body());
    }

    private static void check(final HttpResponse<String> response) throws IOException {
        if (response.statusCode() / 100 != 2) {
            throw new IOException("NiFi answered " + response.statusCode() + " to " + response.request().method() + " " + response.request().uri()
                    + ": " + response.body());
        }
    }
}
