package io.optsync.nifi.processors;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of its own, in a temporary folder, from Debian's {@code postgresql} package: initialized
 * and started by the test, stopped by its pid (a fast shutdown) and deleted when closed. PostgreSQL refuses to run
 * as root, so as root it runs as the package's {@code postgres} user.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "optsync";
    private static final Path PACKAGES = Path.of("/usr/lib/postgresql");

    private final Path folder;
    private final int port;
    private final long pid;

    private PostgresServer(final Path folder, final int port, final long pid) {
        this.folder = folder;
        this.port = port;
        this.pid = pid;
    }

    /** The folder of the newest installed PostgreSQL's programs, if any. */
    public static Optional<Path> binaries() {
        if (!Files.isDirectory(PACKAGES)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(PACKAGES)) {
            return versions.map(v -> v.resolve("bin")).filter(bin -> Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparingInt(bin -> versionOf(bin.getParent())));
        } catch (final IOException e) {
            return Optional.empty();
        }
    }

    private static int versionOf(final Path folder) {
        try {
            return Integer.parseInt(folder.getFileName().toString());
        } catch (final NumberFormatException e) {
            return 0;
        }
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        final Path bin = binaries().orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + PACKAGES + ": apt-get install postgresql"));
        final Path folder = Files.createTempDirectory("optsync-postgres");
        final boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            final UserPrincipal postgres = folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(folder, postgres);
        }
        final Path data = folder.resolve("data");
        run(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale"),
                folder.resolve("initdb.log"));
        final int port = freePort();
        final List<String> command = new ArrayList<>(asUser(root));
        command.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p", String.valueOf(port), "-k", folder.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(folder.resolve("server.log").toFile()).start();
        final Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            final Path pidFile = data.resolve("postmaster.pid");
            if (Files.exists(pidFile)) {
                try (Connection ignored = DriverManager.getConnection(url(port), USER, "")) {
                    final long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
                    return new PostgresServer(folder, port, pid);
                } catch (final SQLException | RuntimeException notYet) {
                    // still starting
                }
            }
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                process.destroyForcibly();
                throw new IOException("PostgreSQL did not start: " + Files.readString(folder.resolve("server.log")));
            }
            Thread.sleep(100);
        }
    }

    private static List<String> asUser(final boolean root) {
        return root ? List.of("runuser", "-u", "postgres", "--") : List.of();
    }

    private static void run(final boolean root, final List<String> program, final Path log) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(asUser(root));
        command.addAll(program);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", program) + " failed: " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String url(final int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String jdbcUrl() {
        return url(port);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, "");
    }

    /** The server's process id, as its postmaster.pid gives it. */
    public long pid() {
        return pid;
    }

    /** Stops the server by its pid (SIGINT: a fast shutdown) and deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        final Optional<ProcessHandle> server = ProcessHandle.of(pid);
        if (server.isPresent()) {
            new ProcessBuilder("kill", "-INT", String.valueOf(pid)).start().waitFor();
            server.get().onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> {
                server.get().destroyForcibly();
                return null;
            }).join();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
