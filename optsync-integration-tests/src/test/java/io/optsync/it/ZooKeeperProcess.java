package io.optsync.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A standalone ZooKeeper for a NiFi cluster, run as its own process from the jars inside NiFi's framework NAR
 * (ZooKeeper 3.9.3), so that killing any NiFi node leaves the cluster's coordination and state in place. Stopped by
 * its process id.
 */
final class ZooKeeperProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private ZooKeeperProcess(final Process process, final int port) {
        this.process = process;
        this.port = port;
    }

    static ZooKeeperProcess start(final Path home) throws IOException, InterruptedException {
        final Path assembly = Path.of(System.getProperty("nifi.assembly", "target/nifi-assembly"));
        final Path lib = Files.createDirectories(home.resolve("lib"));
        try (ZipFile nar = new ZipFile(assembly.resolve("lib").resolve("nifi-framework-nar-2.3.0.nar").toFile())) {
            for (final ZipEntry entry : nar.stream().toList()) {
                final String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (entry.getName().startsWith("META-INF/bundled-dependencies/") && (name.startsWith("zookeeper-") || name.startsWith("metrics-core")
                        || name.startsWith("commons-io") || name.startsWith("snappy-java") || name.matches("netty-(buffer|codec|common|handler|resolver|transport)-4.*"))) {
                    try (InputStream in = nar.getInputStream(entry)) {
                        Files.copy(in, lib.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        try (var jars = Files.list(assembly.resolve("lib"))) {
            for (final Path jar : jars.filter(j -> j.getFileName().toString().matches("(slf4j-api|logback-classic|logback-core).*\\.jar")).toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        final int port = NiFiInstance.freePort();
        final Path data = Files.createDirectories(home.resolve("data"));
        final Path config = home.resolve("zoo.cfg");
        Files.writeString(config, String.join("\n", "clientPort=" + port, "clientPortAddress=127.0.0.1", "dataDir=" + data.toAbsolutePath(),
                "tickTime=2000", "admin.enableServer=false", "4lw.commands.whitelist=", ""));
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", "lib/*", "-Dzookeeper.admin.enableServer=false",
                "org.apache.zookeeper.server.ZooKeeperServerMain", config.toAbsolutePath().toString()));
        final Process process = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(home.resolve("zookeeper.log").toFile()).start();
        final ZooKeeperProcess zooKeeper = new ZooKeeperProcess(process, port);
        final Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ZooKeeper exited with " + process.exitValue() + "; see " + home.resolve("zookeeper.log"));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return zooKeeper;
            } catch (final IOException notYet) {
                Thread.sleep(250);
            }
        }
        zooKeeper.close();
        throw new IllegalStateException("ZooKeeper did not listen within a minute; see " + home.resolve("zookeeper.log"));
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
