package io.optsync.simulators;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP proxy of a company network: it opens {@code CONNECT} tunnels (HTTPS goes through it end to end encrypted)
 * for a client that authenticates with Basic proxy credentials, and answers 407 otherwise. It records the tunnels it
 * opened, so that a test can tell that the calls went through it.
 */
public final class ConnectProxy implements AutoCloseable {
    private final String authorization;
    private final ServerSocket server;
    private final List<String> tunnels = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    /** A proxy on a free port of 127.0.0.1 that wants {@code user} and {@code password}. */
    public ConnectProxy(final String user, final String password) throws IOException {
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("connect-proxy").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The host:port of every tunnel opened, in order. */
    public List<String> tunnels() {
        return List.copyOf(tunnels);
    }

    /** CONNECTs answered 407: without credentials, or with wrong ones. */
    public int refused() {
        return refused.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                final Socket client = server.accept();
                open.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (final IOException closed) {
                return;
            }
        }
    }

    private void serve(final Socket client) {
        try (client) {
            final InputStream in = client.getInputStream();
            final OutputStream out = client.getOutputStream();
            final List<String> head = head(in);
            final String[] requestLine = head.isEmpty() ? new String[0] : head.get(0).split(" ");
            if (requestLine.length != 3 || !requestLine[0].equals("CONNECT")) {
                reply(out, "405 Method Not Allowed", "Connection: close");
                return;
            }
            final boolean authorized = head.stream().skip(1).anyMatch(line -> line.toLowerCase(Locale.ROOT).startsWith("proxy-authorization:")
                    && line.substring(line.indexOf(':') + 1).trim().equals(authorization));
            if (!authorized) {
                refused.incrementAndGet();
                reply(out, "407 Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"optsync test proxy\"", "Connection: close");
                return;
            }
            final String target = requestLine[1];
            final int colon = target.lastIndexOf(':');
            try (Socket upstream = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))) {
                open.add(upstream);
                tunnels.add(target);
                reply(out, "200 Connection established");
                final Thread back = Thread.ofVirtual().start(() -> pipe(upstream, client));
                pipe(client, upstream);
                back.join();
            }
        } catch (final IOException | InterruptedException | RuntimeException ended) {
            // the client or the upstream went away: the tunnel is over
        } finally {
            open.remove(client);
        }
    }

    private static void pipe(final Socket from, final Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (final IOException ended) {
            // one side closed
        }
    }

    /** The request line and headers, up to the blank line. */
    private static List<String> head(final InputStream in) throws IOException {
        final List<String> lines = new ArrayList<>();
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                final String text = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
        }
        return lines;
    }

    private static void reply(final OutputStream out, final String status, final String... headers) throws IOException {
        final StringBuilder reply = new StringBuilder("HTTP/1.1 ").append(status).append("\r\n");
        for (final String header : headers) {
            reply.append(header).append("\r\n");
        }
        reply.append("Content-Length: 0\r\n\r\n");
        out.write(reply.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (final Socket socket : open) {
            socket.close();
        }
    }
}
