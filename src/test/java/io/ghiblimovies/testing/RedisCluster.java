package io.ghiblimovies.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * A Redis Cluster on loopback from Debian's {@code redis-server}: three primaries, each with a replica,
 * made by {@code redis-cli --cluster create}, nodes that give up on a silent primary after a second.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Path CLI = Path.of(System.getProperty("redis.cli", "/usr/bin/redis-cli"));

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start() {
        RedisServer.requireBinary(CLI);
        List<RedisServer> nodes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int port = GhibliApiWireMock.freePort();
            nodes.add(RedisServer.start(port, List.of("--cluster-enabled", "yes", "--cluster-config-file",
                    "nodes-" + port + "-" + System.nanoTime() + ".conf", "--cluster-node-timeout", "1000")));
        }
        RedisCluster cluster = new RedisCluster(nodes);
        try {
            List<String> create = new ArrayList<>(List.of(CLI.toString(), "--cluster", "create"));
            nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            long started = System.nanoTime();
            Servers.run(null, Duration.ofSeconds(60), create);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
                    .allMatch(node -> node.command("CLUSTER", "INFO").contains("cluster_state:ok")));
            System.out.printf("RedisCluster: created and ok in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Every node as {@code QUARKUS_REDIS_HOSTS} takes them, comma-separated. */
    public String urls() {
        return nodes.stream().map(RedisServer::url).collect(Collectors.joining(","));
    }

    /** The ACL user on every node, the default user left no key: {@link RedisServer#addAclUserAlone}. */
    public void addAclUserAlone(String name, String secret) {
        nodes.forEach(node -> node.addAclUserAlone(name, secret));
    }

    /** Any node that answers, to ask the cluster about itself. */
    public RedisServer anyNode() {
        for (RedisServer node : nodes) {
            try {
                node.command("PING");
                return node;
            } catch (RuntimeException e) {
                // killed
            }
        }
        throw new IllegalStateException("no node of the cluster answers");
    }

    /** The node that is the primary for {@code key} now. */
    public RedisServer primaryFor(String key) {
        RedisServer any = anyNode();
        long slot = Long.parseLong(any.command("CLUSTER", "KEYSLOT", key));
        for (String line : any.command("CLUSTER", "NODES").split("\n")) {
            String[] fields = line.split(" ");
            if (!fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
            for (int i = 8; i < fields.length; i++) {
                String[] range = fields[i].split("-");
                long from = Long.parseLong(range[0]);
                long to = range.length > 1 ? Long.parseLong(range[1]) : from;
                if (slot >= from && slot <= to) {
                    return nodes.stream().filter(node -> node.port() == port).findFirst().orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no primary for " + key);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
