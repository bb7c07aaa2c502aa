package io.ghiblimovies.fleet;

import static io.ghiblimovies.fleet.FleetIT.DEADLINE;
import static io.ghiblimovies.fleet.FleetIT.INTERVAL;
import static io.ghiblimovies.fleet.FleetIT.MAX_AGE;
import static io.ghiblimovies.fleet.FleetIT.changeReachesEveryReplica;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.RedisProxy;
import io.ghiblimovies.testing.RedisServer;
import io.ghiblimovies.testing.Replicas;

/**
 * Redis failing in every way an operator meets, under three packaged replicas (README's JVM flags)
 * that reach it through a fault-injecting proxy: slow, slow only for large replies, connections
 * dropped, a black hole, full, read-only, refusing our credentials, restarted empty, down. Each
 * fault lasts four refresh intervals; during it and after it, every answer is a 200 with every
 * film and no {@code fetchedAt} in the future, no replica exits, an upstream change reaches every
 * replica within {@code movies.max-age}, the API is read at most once per interval per replica,
 * and the fleet shares one catalog again once the fault ends. Redis commands get 500 ms here.
 */
class RedisFaultsIT {

    /** How long each fault lasts. */
    private static final Duration FAULT = INTERVAL.multipliedBy(4);

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();
    private RedisServer redis;
    private RedisProxy link;
    private Replicas fleet;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
        link = RedisProxy.to(redis);
        Map<String, String> settings = new HashMap<>(FleetIT.settings(ghibliApi, link.url()));
        settings.put("QUARKUS_REDIS_TIMEOUT", "500ms");
        settings.put("QUARKUS_LOG_CATEGORY__IO_GHIBLIMOVIES__LEVEL", "INFO");
        fleet = new Replicas("redis-faults", settings, Map.of());
    }

    @AfterEach
    void stopEverything() {
        fleet.close();
        link.close();
        redis.close();
    }

    @Test
    void aBadLinkToRedisCostsNoAnswerNoReplicaAndNoFreshness() {
        fleet.start(3);
        fleet.awaitOneCatalog(DEADLINE);

        survives("every reply 1 s late", () -> link.delayEveryReply(Duration.ofSeconds(1)), link::heal,
                "does not answer within 500 ms");
        survives("replies of 8 KB or more 1 s late", () -> link.delayRepliesOf(8 * 1024, Duration.ofSeconds(1)),
                link::heal, "does not answer within 500 ms"); // a late large reply holds up the small ones after it
        survives("connections dropped every 300 ms", () -> link.dropConnectionsEvery(Duration.ofMillis(300)), link::heal,
                null);
        survives("a black hole", link::blackHole, link::heal, "does not answer within 500 ms");
    }

    @Test
    void aRedisThatRefusesOrGoesAwayCostsNoAnswerNoReplicaAndNoFreshness() {
        try (RedisServer primary = RedisServer.start()) {
            fleet.start(3);
            fleet.awaitOneCatalog(DEADLINE);

            survives("full", () -> {
                redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
                redis.command("CONFIG", "SET", "maxmemory", "1");
            }, () -> redis.command("CONFIG", "SET", "maxmemory", "0"), "refuses writes: it is full");
            survives("a read-only replica (its primary empty)",
                    () -> redis.command("REPLICAOF", "127.0.0.1", Integer.toString(primary.port())),
                    () -> redis.command("REPLICAOF", "NO", "ONE"), "refuses writes: it is a read-only replica");
            survives("our credentials refused", () -> {
                redis.requirePassword("hunter2");
                link.dropConnections(); // a connection made before keeps its rights, as in Redis
            }, () -> redis.requirePassword(null), "refuses our credentials");
            survives("restarted empty", () -> {
                redis.kill();
                redis.restart();
            }, () -> { }, null);
            survives("down", redis::kill, redis::restart, "is unreachable");
        }
        for (AppProcess replica : fleet.all()) {
            assertThat(replica.output()).doesNotContain("hunter2");
        }
    }

    /**
     * One fault, on for {@link #FAULT}: what users get during it and after it. {@code named}: what
     * the logs say of it, once per replica at most, or null when a replica may see it under more than
     * one name or not at all (connections dropped: refused, reset, or no answer, each once).
     */
    private void survives(String fault, Runnable apply, Runnable heal, String named) {
        Map<AppProcess, Long> warningsBefore = new HashMap<>();
        fleet.all().forEach(replica -> warningsBefore.put(replica, warnings(replica)));
        double publicationsBefore = publications();
        Replicas.Watch watch = fleet.watch();
        ghibliApi.resetRequests();
        long start = System.nanoTime();

        apply.run();
        Duration during = changeReachesEveryReplica(ghibliApi, fleet, fault);
        // the fault goes on for its whole length, whatever the replicas do meanwhile
        await().pollDelay(Duration.ofNanos(Math.max(0, start + FAULT.toNanos() - System.nanoTime())))
                .atMost(FAULT.plus(DEADLINE)).until(() -> true);
        double seconds = (System.nanoTime() - start) / 1e9;
        int reads = ghibliApi.findAll(requested(FILMS)).size();
        double published = publications() - publicationsBefore;
        heal.run();
        Duration after = changeReachesEveryReplica(ghibliApi, fleet, fault + ", healed");
        fleet.awaitOneCatalog(DEADLINE);
        watch.assertEveryAnswerWasGood();
        // while Redis cannot be relied on each replica reads alone, so their catalogs interleave: told, not bounded
        Replicas.Switches switches = watch.switches();

        System.out.printf("RedisFaultsIT, %s: %d answers, 0 not 200; change everywhere in %d ms during, %d ms after;"
                + " %d reads of /films and %.0f publications in %.1f s (%.1f and %.1f per interval); %s%n", fault, watch.answers(), during.toMillis(), after.toMillis(), reads, published, seconds,
                reads / (seconds / INTERVAL.toSeconds()), published / (seconds / INTERVAL.toSeconds()),
                switches);
        assertThat(during).as("%s: time for a change to reach every replica", fault).isLessThan(MAX_AGE);
        assertThat(after).as("%s, healed: time for a change to reach every replica", fault).isLessThan(MAX_AGE);
        // at worst each replica alone, once per interval (and once more for the change)
        assertThat(reads).as("%s: reads of /films in %.1f s", fault, seconds)
                .isLessThanOrEqualTo(3 * ((int) Math.ceil(seconds / INTERVAL.toSeconds()) + 1));
        List<AppProcess> replicas = fleet.all();
        assertThat(fleet.alive()).as("%s: replicas alive", fault).hasSameSizeAs(replicas);
        StringBuilder outputs = new StringBuilder();
        for (AppProcess replica : replicas) {
            outputs.append(replica.output());
            // named once when it starts and once when it ends: no line at every check
            assertThat(warnings(replica) - warningsBefore.get(replica)).as("%s: new WARN lines", fault).isLessThanOrEqualTo(1);
            assertThat(replica.output()).doesNotContain("ERROR").doesNotContain("Exception:");
        }
        if (named != null) {
            assertThat(outputs.toString()).as("%s: what the logs say", fault).contains("The shared store (Redis) " + named);
        }
    }

    private double publications() {
        return fleet.alive().stream().mapToDouble(replica -> replica.metric("catalog_fleet_publications_total")).sum();
    }

    private static long warnings(AppProcess replica) {
        return replica.output().lines().filter(line -> line.contains(" WARN ")).count();
    }
}
