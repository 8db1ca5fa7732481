package io.optsync.nifi.connector;

import com.sun.net.httpserver.HttpServer;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Timeout is a deadline for the whole attempt, and a reply body is read up to a cap. */
class HttpTransportTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String serve(final com.sun.net.httpserver.HttpHandler handler) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", handler);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/page";
    }

    private static HttpTransport transport(final Duration timeout) {
        return ConnectorTestRunners.plainHttp(new HttpTransport.Settings(100, 1, Duration.ofMillis(1), Duration.ofMillis(2), timeout));
    }

    @Test
    void aReplyTricklingInSlowerThanTheTimeoutIsCutOffAtTheDeadline() throws Exception {
        final String url = serve(exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 20; i++) { // one byte every 0.6 s: each read waits less than the timeout
                    out.write('[');
                    out.flush();
                    Thread.sleep(600);
                }
            } catch (final InterruptedException | java.io.IOException e) {
                // the client hung up
            }
        });
        final long start = System.nanoTime();
        assertThatThrownBy(() -> transport(Duration.ofSeconds(1)).send(new Request.Builder().url(url).build(), HttpTransport.Classifier.STATUS))
                .isInstanceOf(ConnectorException.class).satisfies(e -> assertThat(((ConnectorException) e).isRetryable()).isTrue());
        final long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("FIGURE transport: a reply trickling one byte every 0.6 s with Timeout = 1 s gave up after " + millis + " ms");
        assertThat(millis).as("the whole attempt, not each read, is bounded").isLessThan(3_000);
    }

    @Test
    void aBodyLongerThanTheCapIsRefusedNotHeld() throws Exception {
        final String url = serve(exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: no length announced
            try (OutputStream out = exchange.getResponseBody()) {
                final byte[] block = new byte[1 << 20];
                for (long sent = 0; sent <= HttpTransport.MAX_REPLY_BYTES + block.length; sent += block.length) {
                    out.write(block);
                }
            } catch (final java.io.IOException e) {
                // the client hung up
            }
        });
        assertThatThrownBy(() -> transport(Duration.ofSeconds(30)).send(new Request.Builder().url(url).build(), HttpTransport.Classifier.STATUS))
                .isInstanceOf(ConnectorException.class).hasMessageContaining("bytes read at most");
    }

    @Test
    void aRetryAfterGivenAsAnHttpDateIsWaitedFor() throws Exception {
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        final String url = serve(exchange -> {
            if (calls.getAndIncrement() == 0) {
                final String inThreeSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(3));
                exchange.getResponseHeaders().add("Retry-After", inThreeSeconds);
                exchange.sendResponseHeaders(503, -1);
            } else {
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        // the back-off alone would wait 1 ms; the date asks for 2 to 3 s (it has whole seconds)
        final HttpTransport transport = ConnectorTestRunners.plainHttp(new HttpTransport.Settings(100, 2, Duration.ofMillis(1), Duration.ofSeconds(10), Duration.ofSeconds(5)));
        final long started = System.nanoTime();
        assertThat(transport.send(new Request.Builder().url(url).build(), HttpTransport.Classifier.STATUS).status()).isEqualTo(204);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void theJitterNeverBringsARetryBeforeTheVendorsRetryAfter() {
        for (final Duration asked : List.of(Duration.ofMillis(1), Duration.ofSeconds(2), Duration.ofMillis(2_999), Duration.ofSeconds(10))) {
            final Duration given = HttpTransport.beforeJitter(asked, Duration.ofSeconds(10));
            assertThat(Duration.ofNanos((long) (given.toNanos() * (1 - HttpTransport.JITTER)))).as("the shortest jittered wait for %s", asked)
                    .isGreaterThanOrEqualTo(asked.minusNanos(1));
        }
        assertThat(HttpTransport.beforeJitter(Duration.ofMinutes(5), Duration.ofSeconds(10))).as("within the longest delay")
                .isEqualTo(Duration.ofMillis(12_500));
    }

    @Test
    void anOrdinaryReplyIsReadWhole() throws Exception {
        final String url = serve(exchange -> {
            final byte[] body = "{\"ok\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        final HttpReply reply = transport(Duration.ofSeconds(5)).send(new Request.Builder().url(url).build(), HttpTransport.Classifier.STATUS);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("ok").asBoolean()).isTrue();
    }
}
