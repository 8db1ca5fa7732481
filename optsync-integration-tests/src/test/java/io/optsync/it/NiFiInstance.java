package io.optsync.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real, headless NiFi 2.3.0, assembled by Maven from individual artifacts ({@code shared/nifi-runtime.md}), with the
 * optsync NAR in {@code lib/}: plain HTTP on loopback, no authentication, started as its own process and stopped by
 * its process id. One home directory per instance; {@link #start} after {@link #kill} reuses the same repositories.
 */
public final class NiFiInstance implements AutoCloseable {
    private final Path home;
    private final int httpPort;
    private Process process;

    private NiFiInstance(final Path home, final int httpPort) {
        this.home = home;
        this.httpPort = httpPort;
    }

    /** Lays out a new NiFi home (lib with the NiFi artifacts and our NAR, conf) under the Maven build directory. */
    public static NiFiInstance create(final String name) throws IOException {
        return create(name, null);
    }

    /**
     * Lays out a new NiFi home; with {@code zooKeeper} set, as a node of a cluster ({@code shared/nifi-cluster.md}):
     * plain HTTP on loopback, cluster state in that ZooKeeper, no embedded ZooKeeper.
     */
    /** The NiFi 2.3.0 the build assembles from Maven Central: its NARs in {@code lib/}, ours in {@code optsync/}. */
    private static Path assembly() {
        return Path.of(System.getProperty("nifi.assembly", "target/nifi-assembly"));
    }

    /** The folder the build copies our NAR into, beside the NiFi assembly. */
    static Path ourNars() {
        return assembly().resolve("optsync");
    }

    public static NiFiInstance create(final String name, final String zooKeeper) throws IOException {
        final Path home = Path.of(System.getProperty("nifi.work", "target/nifi-runs")).resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
        final Path lib = Files.createDirectories(home.resolve("lib"));
        try (var files = Files.list(assembly().resolve("lib"))) {
            for (final Path file : files.toList()) {
                Files.copy(file, lib.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (var nars = Files.list(ourNars())) {
            for (final Path nar : nars.toList()) {
                Files.copy(nar, lib.resolve(nar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.createDirectories(home.resolve("extensions"));
        Files.createDirectories(home.resolve("logs"));
        final Path conf = Files.createDirectories(home.resolve("conf"));
        final int port = freePort();
        Files.writeString(conf.resolve("nifi.properties"), properties(port) + (zooKeeper == null ? standaloneProperties() : clusterProperties(zooKeeper)));
        final String clusterProvider = zooKeeper == null ? "" : """
                    <cluster-provider>
                        <id>zk-provider</id>
                        <class>org.apache.nifi.controller.state.providers.zookeeper.ZooKeeperStateProvider</class>
                        <property name="Connect String">%s</property>
                        <property name="Root Node">/nifi</property>
                        <property name="Session Timeout">10 seconds</property>
                        <property name="Access Control">Open</property>
                    </cluster-provider>
                """.formatted(zooKeeper);
        Files.writeString(conf.resolve("state-management.xml"), """
                <stateManagement>
                    <local-provider>
                        <id>local-provider</id>
                        <class>org.apache.nifi.controller.state.providers.local.WriteAheadLocalStateProvider</class>
                        <property name="Directory">./state/local</property>
                        <property name="Always Sync">false</property>
                        <property name="Partitions">16</property>
                        <property name="Checkpoint Interval">2 mins</property>
                    </local-provider>
                %s</stateManagement>
                """.formatted(clusterProvider));
        Files.writeString(conf.resolve("logback.xml"), """
                <configuration>
                    <appender name="APP" class="ch.qos.logback.core.FileAppender">
                        <file>logs/nifi-app.log</file>
                        <encoder><pattern>%date %level [%thread] %logger{40} %msg%n</pattern></encoder>
                    </appender>
                    <logger name="org.apache.nifi" level="INFO"/>
                    <logger name="io.optsync" level="DEBUG"/>
                    <root level="WARN"><appender-ref ref="APP"/></root>
                </configuration>
                """);
        return new NiFiInstance(home, port);
    }

    private static String properties(final int port) {
        return String.join("\n",
                "nifi.flow.configuration.file=./conf/flow.json.gz",
                "nifi.flow.configuration.archive.enabled=false",
                "nifi.flowcontroller.autoResumeState=true",
                "nifi.flowcontroller.graceful.shutdown.period=10 sec",
                "nifi.flowservice.writedelay.interval=500 ms",
                "nifi.administrative.yield.duration=5 sec",
                "nifi.bored.yield.duration=10 millis",
                "nifi.nar.library.directory=./lib",
                "nifi.nar.library.autoload.directory=./extensions",
                "nifi.nar.working.directory=./work/nar/",
                "nifi.state.management.configuration.file=./conf/state-management.xml",
                "nifi.state.management.provider.local=local-provider",
                "nifi.database.directory=./database_repository",
                "nifi.flowfile.repository.implementation=org.apache.nifi.controller.repository.WriteAheadFlowFileRepository",
                "nifi.flowfile.repository.directory=./flowfile_repository",
                "nifi.flowfile.repository.checkpoint.interval=20 secs",
                "nifi.swap.manager.implementation=org.apache.nifi.controller.FileSystemSwapManager",
                "nifi.queue.swap.threshold=20000",
                "nifi.content.repository.implementation=org.apache.nifi.controller.repository.FileSystemRepository",
                "nifi.content.claim.max.appendable.size=50 KB",
                "nifi.content.repository.directory.default=./content_repository",
                "nifi.content.repository.archive.enabled=false",
                "nifi.provenance.repository.implementation=org.apache.nifi.provenance.WriteAheadProvenanceRepository",
                "nifi.provenance.repository.directory.default=./provenance_repository",
                "nifi.provenance.repository.max.storage.time=1 day",
                "nifi.provenance.repository.max.storage.size=100 MB",
                "nifi.components.status.repository.implementation=org.apache.nifi.controller.status.history.VolatileComponentStatusRepository",
                "nifi.web.http.host=127.0.0.1",
                "nifi.web.http.port=" + port,
                "nifi.web.https.host=",
                "nifi.web.https.port=",
                "nifi.web.jetty.working.directory=./work/jetty",
                "nifi.web.jetty.threads=50",
                "nifi.sensitive.props.key=optsync-it-sensitive-key",
                "nifi.sensitive.props.algorithm=NIFI_PBKDF2_AES_GCM_256",
                "nifi.security.user.authorizer=",
                "nifi.security.user.login.identity.provider=",
                "nifi.python.framework.source.directory=./python/framework",
                "nifi.python.extensions.source.directory.default=./python/extensions",
                "nifi.python.working.directory=./work/python",
                "");
    }

    private static String standaloneProperties() {
        return String.join("\n", "nifi.cluster.is.node=false", "nifi.zookeeper.connect.string=", "");
    }

    private static String clusterProperties(final String zooKeeper) throws IOException {
        return String.join("\n",
                "nifi.cluster.is.node=true",
                "nifi.cluster.protocol.is.secure=false",
                "nifi.cluster.node.address=127.0.0.1",
                "nifi.cluster.node.protocol.port=" + freePort(),
                "nifi.cluster.load.balance.host=127.0.0.1",
                "nifi.cluster.load.balance.port=" + freePort(),
                "nifi.cluster.flow.election.max.candidates=2",
                "nifi.cluster.flow.election.max.wait.time=30 sec",
                "nifi.cluster.protocol.heartbeat.interval=2 sec",
                "nifi.cluster.leader.election.implementation=CuratorLeaderElectionManager",
                "nifi.cluster.firewall.file=",
                "nifi.zookeeper.connect.string=" + zooKeeper,
                "nifi.zookeeper.root.node=/nifi",
                "nifi.zookeeper.client.secure=false",
                "nifi.state.management.provider.cluster=zk-provider",
                "nifi.state.management.embedded.zookeeper.start=false",
                "");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts NiFi (on the JDK that runs the tests, 21+) and waits until its REST API answers. */
    public NiFiRest start(final Duration timeout) throws IOException, InterruptedException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx1g",
                "-Xlog:gc:file=" + home.resolve("logs/gc.log").toAbsolutePath() + ":time,uptime", // a long pause shows as client time-outs
                "-cp", "lib/*:conf",
                "-Dnifi.properties.file.path=" + home.resolve("conf/nifi.properties").toAbsolutePath(),
                "-Dorg.apache.nifi.bootstrap.config.log.dir=" + home.resolve("logs").toAbsolutePath(),
                "-Dorg.apache.nifi.management.server.address=127.0.0.1:" + freePort(),
                "org.apache.nifi.NiFi"));
        process = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("logs/stdout.log").toFile()).start();
        final NiFiRest rest = new NiFiRest("http://127.0.0.1:" + httpPort + "/nifi-api");
        final Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("NiFi exited with " + process.exitValue() + "; see " + home.resolve("logs"));
            }
            if (rest.isUp()) {
                return rest;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("NiFi did not answer within " + timeout + "; see " + home.resolve("logs"));
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path home() {
        return home;
    }

    public int httpPort() {
        return httpPort;
    }

    public String uiUrl() {
        return "http://127.0.0.1:" + httpPort + "/nifi/";
    }

    /** SIGKILL: the process dies at once, as in a crash. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Stops NiFi by its process id: SIGTERM, then SIGKILL if it is still there after 30 seconds. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        try {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** NiFi's application log, for assertions about what it wrote. */
    public String appLog() {
        try {
            final Path log = home.resolve("logs/nifi-app.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
