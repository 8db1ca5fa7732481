package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A 2-node NiFi 2.3.0 cluster on this machine ({@code shared/nifi-cluster.md}): a standalone ZooKeeper process and two
 * nodes, plain HTTP on loopback, cluster state in ZooKeeper. Every process is stopped by its process id on
 * {@link #close()}, pass or fail.
 */
final class NiFiCluster implements AutoCloseable {
    private final ZooKeeperProcess zooKeeper;
    private final List<NiFiInstance> nodes;

    private NiFiCluster(final ZooKeeperProcess zooKeeper, final List<NiFiInstance> nodes) {
        this.zooKeeper = zooKeeper;
        this.nodes = nodes;
    }

    /** Starts ZooKeeper and {@code size} nodes together, and waits until every node is CONNECTED. */
    static NiFiCluster start(final String name, final int size) throws IOException, InterruptedException {
        final Path work = Path.of(System.getProperty("nifi.work", "target/nifi-runs")).resolve(name + "-zk-" + UUID.randomUUID().toString().substring(0, 8));
        final ZooKeeperProcess zooKeeper = ZooKeeperProcess.start(Files.createDirectories(work));
        final List<NiFiInstance> nodes = new ArrayList<>();
        final NiFiCluster cluster = new NiFiCluster(zooKeeper, nodes);
        try {
            for (int i = 1; i <= size; i++) {
                nodes.add(NiFiInstance.create(name + "-node" + i, zooKeeper.connectString()));
            }
            final List<Thread> starting = new ArrayList<>();
            final List<Exception> failures = new ArrayList<>();
            for (final NiFiInstance node : nodes) { // together: the flow election waits for every candidate
                final Thread thread = new Thread(() -> {
                    try {
                        node.start(Duration.ofMinutes(4));
                    } catch (final IOException | InterruptedException | RuntimeException e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                });
                thread.start();
                starting.add(thread);
            }
            for (final Thread thread : starting) {
                thread.join();
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException("a node did not start", failures.getFirst());
            }
            cluster.awaitConnected(size, Duration.ofMinutes(3));
            return cluster;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    List<NiFiInstance> nodes() {
        return nodes;
    }

    /** The REST API of a node that is up (requests are replicated to the whole cluster). */
    NiFiRest rest(final NiFiInstance node) {
        return new NiFiRest("http://127.0.0.1:" + node.httpPort() + "/nifi-api");
    }

    /** Waits until {@code count} nodes are CONNECTED, as a live node sees it. */
    void awaitConnected(final int count, final Duration timeout) throws IOException, InterruptedException {
        TemplateRunner.waitFor(timeout, count + " nodes CONNECTED", () -> connected() == count);
    }

    private int connected() {
        for (final NiFiInstance node : nodes) {
            if (!node.alive()) {
                continue;
            }
            try {
                int connected = 0;
                for (final JsonNode member : rest(node).get("/controller/cluster").path("cluster").path("nodes")) {
                    connected += "CONNECTED".equals(member.path("status").asText()) ? 1 : 0;
                }
                return connected;
            } catch (final IOException | RuntimeException notYet) {
                // 404 "Only a node connected to a cluster can process the request" until it has joined
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return 0;
    }

    /** The node that holds the Primary Node role now, as a live node reports it. */
    NiFiInstance primary() throws IOException, InterruptedException {
        for (final NiFiInstance node : nodes) {
            if (!node.alive()) {
                continue;
            }
            for (final JsonNode member : rest(node).get("/controller/cluster").path("cluster").path("nodes")) {
                for (final JsonNode role : member.path("roles")) {
                    if ("Primary Node".equals(role.asText())) {
                        final int port = member.path("apiPort").asInt();
                        return nodes.stream().filter(n -> n.httpPort() == port).findFirst().orElseThrow();
                    }
                }
            }
        }
        throw new IllegalStateException("no primary node");
    }

    @Override
    public void close() {
        for (final NiFiInstance node : nodes) {
            node.close();
        }
        zooKeeper.close();
    }
}
