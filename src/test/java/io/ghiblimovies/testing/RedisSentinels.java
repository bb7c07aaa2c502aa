package io.ghiblimovies.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * A primary, its replica and three sentinels watching them as {@code mymaster}, on loopback, from
 * Debian's {@code redis-server} and {@code redis-sentinel}: a primary silent for a second is replaced
 * by its replica.
 */
public final class RedisSentinels implements AutoCloseable {

    public static final String MASTER = "mymaster";
    private static final Path SENTINEL = Path.of(System.getProperty("redis.sentinel", "/usr/bin/redis-sentinel"));

    private final RedisServer primary;
    private final RedisServer replica;
    private final List<Process> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private RedisSentinels(RedisServer primary, RedisServer replica) {
        this.primary = primary;
        this.replica = replica;
    }

    public static RedisSentinels start() {
        RedisServer.requireBinary(SENTINEL);
        RedisServer primary = RedisServer.start();
        RedisServer replica = RedisServer.start(List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
        RedisSentinels watched = new RedisSentinels(primary, replica);
        try {
            long started = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                watched.startSentinel();
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> watched.sentinelPorts.stream().allMatch(port ->
                    ask(port, "SENTINEL", "REPLICAS", MASTER).contains(Integer.toString(replica.port()))));
            System.out.printf("RedisSentinels: three sentinels saw the replica in %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
            return watched;
        } catch (RuntimeException | Error e) {
            watched.close();
            throw e;
        }
    }

    private void startSentinel() {
        int port = GhibliApiWireMock.freePort();
        try {
            Path folder = Files.createDirectories(Path.of("target", "redis")).toAbsolutePath();
            Path config = folder.resolve("sentinel-" + port + "-" + System.nanoTime() + ".conf");
            Files.writeString(config, "port " + port + "\nbind 127.0.0.1\ndir " + folder + "\n"
                    + "sentinel monitor " + MASTER + " 127.0.0.1 " + primary.port() + " 2\n"
                    + "sentinel down-after-milliseconds " + MASTER + " 1000\n"
                    + "sentinel failover-timeout " + MASTER + " 5000\n");
            sentinels.add(new ProcessBuilder(SENTINEL.toString(), config.toString()).redirectErrorStream(true)
                    .redirectOutput(folder.resolve(config.getFileName() + ".log").toFile()).start());
            sentinelPorts.add(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> ask(port, "PING").equals("PONG"));
    }

    /** The sentinels, as {@code QUARKUS_REDIS_HOSTS} takes them for {@code quarkus.redis.client-type=sentinel}. */
    public String urls() {
        return sentinelPorts.stream().map(port -> "redis://127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /**
     * The ACL user on the primary and its replica, the default user left no key there
     * ({@link RedisServer#addAclUserAlone}), and on each sentinel: a client given the user logs in as
     * it everywhere. The sentinels themselves still watch and promote as the default user.
     */
    public void addAclUserAlone(String name, String secret) {
        primary.addAclUserAlone(name, secret);
        replica.addAclUserAlone(name, secret);
        sentinelPorts.forEach(port -> ask(port, "ACL", "SETUSER", name, "on", ">" + secret, "+@all"));
    }

    public RedisServer primary() {
        return primary;
    }

    public RedisServer replica() {
        return replica;
    }

    /** The port of the primary the sentinels name now. */
    public int currentPrimaryPort() {
        String[] address = ask(sentinelPorts.get(0), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER).split("\n");
        return Integer.parseInt(address[1]);
    }

    private static String ask(int port, String... words) {
        return RedisServer.commandAt(port, words);
    }

    @Override
    public void close() {
        sentinels.forEach(Process::destroyForcibly);
        primary.close();
        replica.close();
    }
}
