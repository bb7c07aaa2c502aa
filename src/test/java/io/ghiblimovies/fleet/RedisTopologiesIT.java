package io.ghiblimovies.fleet;

import static io.ghiblimovies.fleet.FleetIT.DEADLINE;
import static io.ghiblimovies.fleet.FleetIT.INTERVAL;
import static io.ghiblimovies.fleet.FleetIT.MAX_AGE;
import static io.ghiblimovies.fleet.FleetIT.assertOneTimeline;
import static io.ghiblimovies.fleet.FleetIT.changeReachesEveryReplica;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.RedisCluster;
import io.ghiblimovies.testing.RedisSentinels;
import io.ghiblimovies.testing.RedisServer;
import io.ghiblimovies.testing.Replicas;
import io.restassured.path.json.JsonPath;

/**
 * Beyond one Redis: three packaged replicas sharing through a Redis Cluster (three primaries, each
 * with a replica) and through Sentinel (a primary, a replica, three sentinels), each primary killed
 * under traffic, the replicas logged in as an ACL user who alone may touch the fleet's keys; and a
 * Redis that asks for a password or an ACL user. Short settings as in FleetIT.
 */
class RedisTopologiesIT {

    /** The fleet logs in as this ACL user on every node of a cluster and at the sentinels and the nodes they name. */
    private static final String ACL_USER = "ghibli";
    private static final String ACL_PASSWORD = "acl-Passw0rd-3d4";

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();
    private Replicas fleet;

    @AfterEach
    void stopReplicas() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void theFleetSharesThroughARedisClusterAndGoesOnAcrossAFailover() {
        try (RedisCluster cluster = RedisCluster.start()) {
            cluster.addAclUserAlone(ACL_USER, ACL_PASSWORD);
            String key = FleetIT.catalogKey(ghibliApi);
            sharesAndGoesOnAcrossAFailover("cluster", Map.of("QUARKUS_REDIS_CLIENT_TYPE", "cluster"), cluster.urls(),
                    () -> cluster.primaryFor(key).command("HGET", key, "version"), () -> {
                        RedisServer primary = cluster.primaryFor(key);
                        primary.kill();
                        // while the cluster holds the primary failed, no node is the key's primary
                        await().atMost(DEADLINE).ignoreExceptions().until(() -> cluster.primaryFor(key) != primary);
                    });
        }
    }

    @Test
    void theFleetSharesThroughSentinelAndGoesOnAcrossAFailover() {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            sentinels.addAclUserAlone(ACL_USER, ACL_PASSWORD);
            String key = FleetIT.catalogKey(ghibliApi);
            sharesAndGoesOnAcrossAFailover("sentinel", Map.of("QUARKUS_REDIS_CLIENT_TYPE", "sentinel",
                    "QUARKUS_REDIS_MASTER_NAME", RedisSentinels.MASTER, "QUARKUS_REDIS_ROLE", "master"), sentinels.urls(),
                    () -> (sentinels.currentPrimaryPort() == sentinels.primary().port() ? sentinels.primary()
                            : sentinels.replica()).command("HGET", key, "version"),
                    () -> {
                        sentinels.primary().kill();
                        await().atMost(DEADLINE).until(() -> sentinels.currentPrimaryPort() == sentinels.replica().port());
                    });
        }
    }

    /**
     * The fleet shares as through one Redis (one read per interval, the same bytes); then the primary
     * holding its key is killed under traffic: no answer is lost, a change reaches every replica within
     * max-age, and once a replica is promoted the fleet shares through it again.
     */
    private void sharesAndGoesOnAcrossAFailover(String topology, Map<String, String> clientType, String hosts,
            Supplier<String> sharedVersion, Runnable failOver) {
        Map<String, String> settings = new HashMap<>(FleetIT.settings(ghibliApi, hosts));
        settings.putAll(clientType);
        settings.put("MOVIES_FLEET_REDIS_USER", ACL_USER);
        settings.put("QUARKUS_REDIS_PASSWORD", ACL_PASSWORD);
        settings.put("QUARKUS_LOG_CATEGORY__IO_GHIBLIMOVIES__LEVEL", "INFO");
        fleet = new Replicas(topology, settings, Map.of());
        List<AppProcess> replicas = fleet.start(3);
        fleet.awaitOneCatalog(DEADLINE);
        ghibliApi.resetRequests();

        Replicas.Watch watch = fleet.watchFor(Duration.ofSeconds(8));
        double seconds = watch.seconds();
        int reads = ghibliApi.findAll(requested(FILMS)).size();
        Replicas.Switches switches = watch.switches();
        assertThat(reads).as("%s: reads of /films in %.1f s", topology, seconds)
                .isLessThanOrEqualTo((int) Math.ceil(seconds / INTERVAL.toSeconds()) + 1);
        assertOneTimeline(switches, seconds, "RedisTopologiesIT, " + topology);
        String before = sharedVersion.get();
        assertThat(before).as("%s: the version shared", topology).matches("\\d{13}");

        long killed = System.nanoTime();
        failOver.run();
        Duration promoted = Duration.ofNanos(System.nanoTime() - killed);
        Duration change = changeReachesEveryReplica(ghibliApi, fleet, topology + " failover");
        // shared again through the promoted replica: a newer version there, and one catalog everywhere
        await().atMost(DEADLINE).ignoreExceptions().until(() -> Long.parseLong(sharedVersion.get()) > Long.parseLong(before));
        fleet.awaitOneCatalog(DEADLINE);
        watch.assertEveryAnswerWasGood();

        System.out.printf("RedisTopologiesIT, %s: %d reads of /films in %.1f s, %s; primary killed,"
                + " replaced in %d ms; %d answers, 0 not 200; a change on every replica in %d ms%n", topology, reads,
                seconds, switches, promoted.toMillis(), watch.answers(), change.toMillis());
        assertThat(change).as("%s: time for a change to reach every replica across the failover", topology)
                .isLessThan(MAX_AGE);
        assertThat(fleet.alive()).hasSameSizeAs(replicas);
        for (AppProcess replica : replicas) {
            assertThat(replica.output()).doesNotContain("ERROR").doesNotContain("Exception:").doesNotContain(ACL_PASSWORD);
        }
    }

    /**
     * Redis with a password ({@code requirepass}) and an ACL user: replicas given the password through
     * {@code QUARKUS_REDIS_PASSWORD} (and the user through {@code MOVIES_FLEET_REDIS_USER}) share; one given a wrong password names the
     * refusal and serves alone. No log line, readiness body or metric shows a password.
     */
    @Test
    void aRedisThatAsksForAPasswordOrAnAclUserIsSharedAndNoPasswordIsShown() {
        try (RedisServer redis = RedisServer.start()) {
            String password = "default-Passw0rd-9f3";
            String aclPassword = "acl-Passw0rd-7c1";
            redis.requirePassword(password);
            redis.command("ACL", "SETUSER", "ghibli", "on", ">" + aclPassword, "~{ghibli-movies}:*", "+@all");
            Map<String, String> settings = new HashMap<>(FleetIT.settings(ghibliApi, redis.url()));
            settings.put("QUARKUS_LOG_CATEGORY__IO_GHIBLIMOVIES__LEVEL", "INFO");
            fleet = new Replicas("credentials", settings, Map.of());
            AppProcess withPassword = fleet.start(Map.of("QUARKUS_REDIS_PASSWORD", password));
            AppProcess withAclUser = fleet.start(Map.of("MOVIES_FLEET_REDIS_USER", "ghibli",
                    "QUARKUS_REDIS_PASSWORD", aclPassword));
            AppProcess withWrongPassword = fleet.start(Map.of("QUARKUS_REDIS_PASSWORD", "wrong-Passw0rd-2b8"));
            List.of(withPassword, withAclUser, withWrongPassword).forEach(replica -> replica.awaitMovies(DEADLINE));

            String key = FleetIT.catalogKey(ghibliApi);
            await().atMost(DEADLINE).until(() -> redis.command("HGET", key, "version") != null);
            for (AppProcess replica : List.of(withPassword, withAclUser)) {
                await().atMost(DEADLINE).until(() -> Long.toString(java.time.Instant.parse(
                        FleetIT.movies(replica).getString("fetchedAt")).toEpochMilli())
                        .equals(redis.command("HGET", key, "version")));
            }
            await().atMost(DEADLINE).until(() -> withWrongPassword.output().contains("refuses our credentials"));
            JsonPath ready = JsonPath.from(withWrongPassword.management("/q/health/ready").orElseThrow().body());
            assertThat(ready.getString("checks.find { it.name == 'catalog' }.data.sharedStoreState"))
                    .startsWith("refuses our credentials");
            // Redis answers, and refuses it: it serves alone, which the cut-off alert watches
            assertThat(withWrongPassword.metric("catalog_fleet_store_reachable")).isEqualTo(1);
            assertThat(withWrongPassword.metric("catalog_fleet_alone")).isEqualTo(1);
            assertThat(withPassword.metric("catalog_fleet_alone")).isZero();

            for (AppProcess replica : fleet.all()) {
                String seen = replica.output() + replica.management("/q/health/ready").orElseThrow().body()
                        + replica.management("/q/metrics").orElseThrow().body();
                assertThat(seen).doesNotContain(password).doesNotContain(aclPassword).doesNotContain("wrong-Passw0rd-2b8");
            }
        }
    }
}
