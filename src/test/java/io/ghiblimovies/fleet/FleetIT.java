package io.ghiblimovies.fleet;

import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.fixture;
import static io.ghiblimovies.testing.GhibliApiStubs.json;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.RedisServer;
import io.restassured.path.json.JsonPath;

/**
 * Several packaged replicas against one real Redis and one fake Ghibli API, as a fleet behind a
 * balancer: one read of the API per interval for all of them, the same bytes everywhere, never
 * back in time, and nothing but 200s while replicas and Redis die, come back empty or hold garbage.
 * Short settings here: a refresh every 2 s, stale after 5 s, a check every second, a lease of 1 s.
 */
class FleetIT {

    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration MAX_AGE = Duration.ofSeconds(5);
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String CATALOG = "ghibli-movies:v1:catalog";
    private static final String LEASE = "ghibli-movies:v1:lease";
    private static final String CHANNEL = "ghibli-movies:v1:published";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();
    private RedisServer redis;
    private final List<AppProcess> replicas = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopEverything() {
        replicas.forEach(AppProcess::close);
        redis.close();
    }

    @Test
    void theFleetReadsTheApiOncePerIntervalAndEveryReplicaServesTheSameBytes() throws Exception {
        List<AppProcess> fleet = startReplicas(3);
        awaitOneCatalog(fleet);
        ghibliApi.resetRequests();

        // 8 s of a balancer's traffic: every 100 ms, the same request to each replica
        long start = System.nanoTime();
        int samples = 0;
        int identical = 0;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8)) {
            Set<String> tags = fleet.stream().map(replica -> etag(replica, "text/html", null)).collect(Collectors.toSet());
            samples++;
            identical += tags.size() == 1 ? 1 : 0;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        int reads = ghibliApi.findAll(requested(FILMS)).size();
        // one fleet reads every 2 s (2 to 3 s with the check every second): 3 to 4 reads here, where
        // three replicas alone read 12
        assertThat(reads).as("reads of /films in %.1f s", seconds)
                .isBetween((int) (seconds / 3) - 1, (int) Math.ceil(seconds / INTERVAL.toSeconds()) + 1);
        assertThat(fleet.stream().mapToDouble(replica -> replica.metric("catalog_fleet_refreshes_total")).sum())
                .as("refreshes shared by the replicas").isGreaterThanOrEqualTo(reads - 1.0);
        assertThat(identical * 100 / samples).as("%% of samples where all three sent the same ETag").isGreaterThanOrEqualTo(90);

        // byte for byte: page, JSON and their gzip copies, with the same ETag and Last-Modified. The
        // fleet publishes a new catalog every 2 s, so three answers may straddle one publication: each
        // comparison is retried until it falls between two, and fails if the replicas never agree.
        for (String accept : List.of("text/html", "application/json")) {
            for (String encoding : new String[] { null, "gzip" }) {
                await().atMost(DEADLINE).untilAsserted(() -> {
                    List<HttpResponse<byte[]>> answers = fleet.stream().map(replica -> bytes(replica, accept, encoding))
                            .toList();
                    for (HttpResponse<byte[]> answer : answers) {
                        assertThat(answer.body()).isEqualTo(answers.get(0).body());
                        assertThat(answer.headers().firstValue("ETag"))
                                .isEqualTo(answers.get(0).headers().firstValue("ETag"));
                        assertThat(answer.headers().firstValue("Last-Modified"))
                                .isEqualTo(answers.get(0).headers().firstValue("Last-Modified"));
                    }
                });
            }
        }
        // a browser's revalidation is a 304 on whichever replica it lands (between two publications)
        await().atMost(DEADLINE).untilAsserted(() -> {
            String tagFromA = etag(fleet.get(0), "text/html", null);
            assertThat(status(fleet.get(1), "text/html", tagFromA)).isEqualTo(304);
            assertThat(status(fleet.get(2), "text/html", tagFromA)).isEqualTo(304);
        });

        // a change upstream reaches every replica within max-age
        serve(ghibliApi, FILMS, json(fixture("films.json").replace("Castle in the Sky", "Castle in the Sky (2026 cut)")));
        long changed = System.nanoTime();
        for (AppProcess replica : fleet) {
            await().atMost(DEADLINE).until(() -> movies(replica).getString("movies[0].title").endsWith("(2026 cut)"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - changed)).isLessThan(MAX_AGE.plusSeconds(1));
    }

    @Test
    void whenTheReplicaReadingForTheFleetDiesTheOthersTakeOverWithinMaxAge() {
        List<AppProcess> fleet = startReplicas(3);
        awaitOneCatalog(fleet);
        // a slow API: the next read lasts about 2 s, so that it can be caught holding the lease
        GhibliApiStubs.slow(ghibliApi, 700);
        String holder = await().atMost(DEADLINE).until(() -> redis.command("GET", LEASE), token -> token != null);
        AppProcess reader = fleet.stream().filter(replica -> holder.contains(":" + replica.pid() + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no replica holds the lease " + holder));

        reader.kill();
        GhibliApiStubs.healthy(ghibliApi);
        Instant killed = Instant.now();

        for (AppProcess replica : fleet) {
            if (replica == reader) {
                continue;
            }
            await().atMost(DEADLINE).until(() -> Instant.parse(movies(replica).getString("fetchedAt")).isAfter(killed));
        }
        assertThat(Duration.between(killed, Instant.now())).as("time until the others had a catalog read after the kill")
                .isLessThan(MAX_AGE);
        for (AppProcess replica : fleet) {
            if (replica != reader) {
                assertThat(movies(replica).getBoolean("stale")).isFalse();
            }
        }
    }

    @Test
    void whileRedisIsDownEveryReplicaServesFreshDataAloneAndTheFleetConvergesWhenItIsBackEmpty() {
        List<AppProcess> fleet = startReplicas(2);
        awaitOneCatalog(fleet);

        redis.kill();
        // three intervals without Redis: answers are all 200, fresh, from each replica alone
        long end = System.nanoTime() + INTERVAL.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            for (AppProcess replica : fleet) {
                HttpResponse<String> answer = replica.get("/movies/", "application/json").orElseThrow();
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(JsonPath.from(answer.body()).getBoolean("stale")).as("stale while Redis is down").isFalse();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        for (AppProcess replica : fleet) {
            JsonPath ready = JsonPath.from(replica.management("/q/health/ready").orElseThrow().body());
            assertThat(ready.getString("status")).isEqualTo("UP");
            assertThat(ready.getBoolean("checks.find { it.name == 'catalog' }.data.sharedStoreReachable")).isFalse();
            assertThat(replica.output().split("The shared store \\(Redis\\) is unreachable", -1)).hasSize(2);
        }

        redis.restart();
        // converged through Redis: every replica serves the catalog Redis holds. (One ETag alone is not
        // proof: two replicas refreshing alone can fetch in the same millisecond, as CI once saw.)
        await().atMost(DEADLINE).until(() -> {
            String shared = redis.command("HGET", CATALOG, "version");
            return shared != null && fleet.stream().allMatch(replica ->
                    shared.equals(Long.toString(Instant.parse(movies(replica).getString("fetchedAt")).toEpochMilli())));
        });
        awaitOneCatalog(fleet);
        for (AppProcess replica : fleet) {
            await().atMost(DEADLINE).until(() -> replica.metric("catalog_fleet_store_reachable") == 1.0);
            assertThat(replica.output()).contains("The shared store (Redis) answers again");
            // one WARN for the loss, and nothing else of note
            assertThat(replica.output().lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
                    .allMatch(line -> line.contains("The shared store (Redis) is unreachable"));
        }
        assertThat(redis.command("HGET", CATALOG, "version")).isNotNull();
    }

    @Test
    void aNewReplicaServesTheFleetsCatalogAtOnceWhileTheApiIsDown() {
        AppProcess first = startReplicas(1).get(0);
        awaitOneCatalog(List.of(first));
        GhibliApiStubs.down(ghibliApi);

        AppProcess late = start("late");
        HttpResponse<String> firstAnswer = late.awaitAnswer("/movies/", DEADLINE);
        // read after: a refresh under way when the API went down may still have published
        String shared = redis.command("HGET", CATALOG, "version");

        assertThat(firstAnswer.statusCode()).isEqualTo(200);
        assertThat(Instant.parse(JsonPath.from(firstAnswer.body()).getString("fetchedAt")).toEpochMilli())
                .isEqualTo(Long.parseLong(shared));
        JsonPath ready = JsonPath.from(late.management("/q/health/ready").orElseThrow().body());
        assertThat(ready.getString("checks.find { it.name == 'catalog' }.data.origin")).isEqualTo("shared");
    }

    @Test
    void whatIsNotAGoodCatalogInRedisIsIgnoredAndReplacedAndNoReplicaGoesBackInTime() {
        List<AppProcess> fleet = startReplicas(2);
        awaitOneCatalog(fleet);
        String goodBody = redis.command("HGET", CATALOG, "body");
        long goodVersion = Long.parseLong(redis.command("HGET", CATALOG, "version"));
        String future = Long.toString(System.currentTimeMillis() + 3_600_000);
        String otherApi = goodBody.replace(ghibliApi.baseUrl(), "http://127.0.0.1:9");

        List<Runnable> spoilers = List.of(
                () -> redis.command("SET", CATALOG, "\u0000 not a catalog {["),
                // newer-looking versions, each with a body that is not a catalog to serve
                () -> redis.command("HSET", CATALOG, "version", now(), "body", goodBody.substring(0, goodBody.length() / 2)),
                () -> redis.command("HSET", CATALOG, "version", now(), "body", goodBody.replace("\"format\":1", "\"format\":2")),
                () -> redis.command("HSET", CATALOG, "version", now(), "body", otherApi),
                () -> redis.command("HSET", CATALOG, "version", future, "body", goodBody),
                () -> redis.command("HSET", CATALOG, "version", "soon", "body", goodBody),
                // an older catalog, as a slow replica racing a newer one might write it
                () -> redis.command("HSET", CATALOG, "version", Long.toString(goodVersion), "body", goodBody));
        for (Runnable spoil : spoilers) {
            Map<AppProcess, Instant> before = new HashMap<>();
            fleet.forEach(replica -> before.put(replica, Instant.parse(movies(replica).getString("fetchedAt"))));
            redis.command("DEL", CATALOG);
            spoil.run();
            redis.command("PUBLISH", CHANNEL, future);

            // replicas keep serving a good catalog, never an older one, and the store is put right
            await().atMost(DEADLINE).until(() -> {
                for (AppProcess replica : fleet) {
                    HttpResponse<String> answer = replica.get("/movies/", "application/json").orElseThrow();
                    assertThat(answer.statusCode()).isEqualTo(200);
                    JsonPath json = JsonPath.from(answer.body());
                    assertThat(json.getString("source")).isEqualTo(ghibliApi.baseUrl());
                    assertThat(json.getList("movies")).hasSize(6);
                    assertThat(Instant.parse(json.getString("fetchedAt"))).isAfterOrEqualTo(before.get(replica));
                }
                String version = sharedVersion();
                return version != null && version.matches("\\d+") && Long.parseLong(version) > goodVersion
                        && Long.parseLong(version) < Long.parseLong(future);
            });
        }
        for (AppProcess replica : fleet) {
            assertThat(replica.output()).contains("it is a Redis string, not a hash")
                    .contains("it cannot be read").contains("not a catalog of format 1 with films")
                    .contains("it was read from http://127.0.0.1:9").contains("it was fetched in the future")
                    .contains("is not a number").doesNotContain("ERROR").doesNotContain("Exception");
        }
    }

    /** SIGTERM at a random moment of a replica's first seconds: its fleet jobs end with it, quietly. */
    @Test
    void aReplicaStoppedAtAnyMomentStopsPromptlyAndQuietly() {
        GhibliApiStubs.slow(ghibliApi, 300);
        for (int round = 0; round < 4; round++) {
            AppProcess replica = start("stop-at-random-" + round);
            LockSupport.parkNanos(Duration.ofMillis(ThreadLocalRandom.current().nextLong(300, 3500)).toNanos());

            replica.assertStopsPromptlyAndQuietly();
        }
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }

    /** The version of what Redis holds under the catalog key, if it is a hash at all. */
    private String sharedVersion() {
        return "hash".equals(redis.command("TYPE", CATALOG)) ? redis.command("HGET", CATALOG, "version") : null;
    }

    private List<AppProcess> startReplicas(int count) {
        List<AppProcess> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            started.add(start("replica-" + (char) ('a' + i)));
        }
        for (AppProcess replica : started) {
            replica.awaitMovies(DEADLINE);
        }
        return started;
    }

    private AppProcess start(String name) {
        Map<String, String> settings = Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(),
                "QUARKUS_REDIS_HOSTS", redis.url(),
                "MOVIES_SNAPSHOT_ENABLED", "false",
                "MOVIES_REFRESH_INTERVAL", INTERVAL.toSeconds() + "s",
                "MOVIES_MAX_AGE", MAX_AGE.toSeconds() + "s",
                "MOVIES_FLEET_CHECK_INTERVAL", "1s",
                "MOVIES_FLEET_LEASE_TTL", "1s",
                "QUARKUS_LOG_CATEGORY__IO_GHIBLIMOVIES__LEVEL", "DEBUG");
        AppProcess replica = AppProcess.start("fleet-" + name, settings);
        replicas.add(replica);
        return replica;
    }

    /** Waits until every replica sends the same ETag: one catalog for the fleet. */
    private static void awaitOneCatalog(List<AppProcess> fleet) {
        await().atMost(DEADLINE).until(() -> fleet.stream().map(replica -> etag(replica, "application/json", null))
                .distinct().count() == 1);
    }

    private static JsonPath movies(AppProcess replica) {
        HttpResponse<String> answer = replica.get("/movies/", "application/json").orElseThrow();
        assertThat(answer.statusCode()).isEqualTo(200);
        return JsonPath.from(answer.body());
    }

    private static String etag(AppProcess replica, String accept, String encoding) {
        return bytes(replica, accept, encoding).headers().firstValue("ETag").orElseThrow();
    }

    private static int status(AppProcess replica, String accept, String ifNoneMatch) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + "/movies/"))
                    .header("Accept", accept).header("If-None-Match", ifNoneMatch).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<byte[]> bytes(AppProcess replica, String accept, String encoding) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + "/movies/"))
                .header("Accept", accept).timeout(Duration.ofSeconds(10));
        if (encoding != null) {
            request.header("Accept-Encoding", encoding);
        }
        try {
            HttpResponse<byte[]> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(answer.statusCode()).isEqualTo(200);
            return answer;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
