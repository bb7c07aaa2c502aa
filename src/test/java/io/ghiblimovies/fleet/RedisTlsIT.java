package io.ghiblimovies.fleet;

import static io.ghiblimovies.fleet.FleetIT.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.Certificates;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.RedisServer;
import io.ghiblimovies.testing.Replicas;
import io.restassured.path.json.JsonPath;

/**
 * A Redis that speaks TLS only and asks for a password, as managed Redis services do, its
 * certificate signed by a CA made with {@code openssl} for {@code localhost}: replicas given that CA
 * through Quarkus' TLS registry share through it; a replica that does not trust the certificate, that
 * reaches Redis by a name the certificate is not made for, or that is told to check no name, names
 * that trouble once, with no stack trace, and serves alone until it is started with the right
 * settings. No password is ever shown.
 */
class RedisTlsIT {

    private static final String PASSWORD = "tls-Passw0rd-5e2";

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();
    @TempDir
    Path folder;
    private Replicas fleet;

    @AfterEach
    void stopReplicas() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void replicasShareThroughATlsOnlyRedisAndOneThatDoesNotTrustItNamesWhyAndServesAlone() {
        Certificates authority = Certificates.authority(folder, "fleet");
        Certificates another = Certificates.authority(folder, "another");
        int port = GhibliApiWireMock.freePort();
        String url = "rediss://localhost:" + port;
        Map<String, String> settings = new HashMap<>(FleetIT.settings(ghibliApi, url));
        settings.put("QUARKUS_REDIS_PASSWORD", PASSWORD);
        settings.put("QUARKUS_REDIS_TLS_CONFIGURATION_NAME", "redis");
        settings.put("QUARKUS_LOG_CATEGORY__IO_GHIBLIMOVIES__LEVEL", "INFO");
        fleet = new Replicas("tls", settings, Map.of());
        String key = FleetIT.catalogKey(ghibliApi);

        // started before Redis, as a pod may be, and given another CA: unreachable first, then not trusted
        AppProcess untrusting = fleet.start(trusting(another.certificate()));
        untrusting.awaitMovies(DEADLINE);
        await().atMost(DEADLINE).until(() -> untrusting.output().contains("The shared store (Redis) is unreachable"));

        try (RedisServer redis = RedisServer.startTls(port, authority, authority.server("redis", "DNS:localhost"))) {
            redis.requirePassword(PASSWORD);
            // the way docs/fleet.md gives: the TLS registry's configuration redis (hostnames verified), and the CA
            AppProcess first = fleet.start(trusting(authority.certificate()));
            AppProcess second = fleet.start(trusting(authority.certificate()));
            List<AppProcess> sharing = List.of(first, second);
            sharing.forEach(replica -> replica.awaitMovies(DEADLINE));
            await().atMost(DEADLINE).until(() -> redis.command("HGET", key, "version") != null);
            for (AppProcess replica : sharing) {
                await().atMost(DEADLINE).until(() -> version(replica).equals(redis.command("HGET", key, "version")));
                assertThat(sharedStoreState(replica)).isEqualTo("answers");
                assertThat(replica.metric("catalog_fleet_alone")).isZero();
            }

            Map<AppProcess, String> troubled = Map.of(untrusting,
                    "cannot be spoken to over TLS: the server's certificate is not trusted"
                            + " (its CA is not in quarkus.tls.redis.trust-store.pem.certs)",
                    fleet.start(Map.of("QUARKUS_REDIS_HOSTS", url.replace("localhost", "127.0.0.1"),
                            "QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS", authority.certificate().toString())),
                    "cannot be spoken to over TLS: the server's certificate does not match the host in quarkus.redis.hosts",
                    // the way one would turn the check of the name off, which the Redis client does not know
                    fleet.start(Map.of("QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS", authority.certificate().toString(),
                            "QUARKUS_TLS_REDIS_HOSTNAME_VERIFICATION_ALGORITHM", "NONE")),
                    "cannot be spoken to over TLS: the Redis client knows no hostname verification algorithm NONE");
            troubled.forEach((replica, trouble) -> {
                // serves alone, its own read of the API
                assertThat(replica.awaitMovies(DEADLINE).getList("movies")).isNotEmpty();
                await().atMost(DEADLINE).until(() -> replica.output().contains(trouble));
                await().atMost(DEADLINE).until(() -> sharedStoreState(replica).startsWith(trouble.substring(0, 30)));
                assertThat(replica.metric("catalog_fleet_store_reachable")).isZero();
                assertThat(replica.metric("catalog_fleet_alone")).isEqualTo(1);
            });
            // a few refreshes alone later, each trouble is still one line
            troubled.keySet().forEach(replica -> {
                double refreshes = replica.metric("catalog_refresh_seconds_count", "outcome=\"success\"");
                await().atMost(DEADLINE).until(
                        () -> replica.metric("catalog_refresh_seconds_count", "outcome=\"success\"") >= refreshes + 3);
            });
            troubled.forEach((replica, trouble) -> assertThat(replica.output().split("The shared store \\(Redis\\)", -1))
                    .as("the trouble named once (and, before Redis started, that it was unreachable)")
                    .hasSize(replica == untrusting ? 3 : 2));

            // started again with the CA it lacked, it shares
            untrusting.stop(DEADLINE);
            AppProcess corrected = fleet.start(trusting(authority.certificate()));
            corrected.awaitMovies(DEADLINE);
            await().atMost(DEADLINE).until(() -> version(corrected).equals(redis.command("HGET", key, "version")));
            assertThat(sharedStoreState(corrected)).isEqualTo("answers");

            for (AppProcess replica : fleet.alive()) {
                String seen = replica.output() + replica.management("/q/health/ready").orElseThrow().body()
                        + replica.management("/q/metrics").orElseThrow().body();
                assertThat(seen).doesNotContain(PASSWORD).doesNotContain("\tat ").doesNotContain("ERROR");
            }
            assertThat(untrusting.output()).doesNotContain(PASSWORD).doesNotContain("\tat ").doesNotContain("ERROR");
        }
    }

    /** The server's CA given as docs/fleet.md says: the TLS registry's configuration {@code redis}. */
    private static Map<String, String> trusting(Path certificate) {
        return Map.of("QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS", certificate.toString());
    }

    private static String version(AppProcess replica) {
        return Long.toString(Instant.parse(FleetIT.movies(replica).getString("fetchedAt")).toEpochMilli());
    }

    private static String sharedStoreState(AppProcess replica) {
        return JsonPath.from(replica.management("/q/health/ready").orElseThrow().body())
                .getString("checks.find { it.name == 'catalog' }.data.sharedStoreState");
    }
}
