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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.ghiblimovies.catalog.CatalogFormat;
import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.BreakerSettings;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.RedisServer;
import io.ghiblimovies.testing.Replicas;
import io.restassured.path.json.JsonPath;

/**
 * Packaged replicas (README's JVM flags) against one real Redis and one fake Ghibli API, as a fleet
 * behind a balancer: one read of the API per interval for all of them, the same bytes everywhere,
 * never back in time, and nothing but 200s while replicas die and what Redis holds is spoiled.
 * Short settings here: a refresh every 2 s, stale after 6 s, a check every second, a claim of 1 s.
 * (Redis itself failing: {@code RedisFaultsIT}; clocks that disagree: {@code ClockSkewIT}.)
 */
class FleetIT {

    static final Duration INTERVAL = Duration.ofSeconds(2);
    static final Duration MAX_AGE = Duration.ofSeconds(6);
    static final Duration DEADLINE = AppProcess.DEADLINE;
    /** How often every replica looks at the shared catalog, at the least (movies.fleet.check-interval). */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /**
     * The longest a replica may serve an older catalog after another served a newer one, while the
     * fleet shares: docs/fleet.md says every replica looks at the shared catalog at least once per
     * check interval and takes a newer one then, after the reader has written it and before its own
     * fetch and render; a second is allowed for the write, the fetch, the render and the watch's
     * 100 ms between samples (the longest measured with one core busy is in docs/testing.md).
     */
    static final Duration LONGEST_SWITCH = CHECK_INTERVAL.plusSeconds(1);
    /**
     * How soon another replica reads once the reader's read stops moving on: docs/fleet.md promises
     * that renewals stop once a request has had no answer for a claim's life (1 s here) and that the
     * claim lapses a claim's life after the last one; plus a renewal tick (a third of one) for the
     * timer, 0.1 s for the others' look and 0.5 s for the start of the read.
     */
    static final Duration HUNG_READ_HANDED_OVER = Duration.ofMillis(1000 + 333 + 1000 + 100 + 500);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();
    private RedisServer redis;
    private Replicas fleet;
    /** The fleet's key: its prefix, the format, and a tag of the API it reads. */
    private String catalog;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
        fleet = new Replicas("fleet", settings(ghibliApi, redis.url()), Map.of());
        catalog = catalogKey(ghibliApi);
    }

    /** {@code {ghibli-movies}:v2:<tag>:catalog}, the tag the first 8 hex digits of the SHA-256 of the API's URL. */
    static String catalogKey(FakeGhibliApi api) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(api.baseUrl().replaceAll("/+$", "").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "{ghibli-movies}:v2:" + java.util.HexFormat.of().formatHex(digest, 0, 4) + ":catalog";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void stopEverything() {
        fleet.close();
        redis.close();
    }

    /** The settings every fleet test starts its replicas with. */
    static Map<String, String> settings(FakeGhibliApi api, String redisUrl) {
        return Map.of("GHIBLI_API_URL", api.baseUrl(),
                "QUARKUS_REDIS_HOSTS", redisUrl,
                "MOVIES_SNAPSHOT_ENABLED", "false",
                "MOVIES_REFRESH_INTERVAL", INTERVAL.toSeconds() + "s",
                "MOVIES_MAX_AGE", MAX_AGE.toSeconds() + "s",
                "MOVIES_FLEET_CHECK_INTERVAL", CHECK_INTERVAL.toSeconds() + "s",
                "MOVIES_FLEET_LEASE_TTL", "1s",
                "QUARKUS_LOG_CATEGORY__IO_GHIBLIMOVIES__LEVEL", "DEBUG");
    }

    /**
     * Each refresh in {@code seconds} of watching moved the whole fleet to its new catalog within
     * {@link #LONGEST_SWITCH}. (Whether the replicas share at all, the tests tell by the reads of the API.)
     */
    static void assertSwitchesWithin(Replicas.Switches switches, double seconds, String what) {
        assertThat(switches.spreads()).as("%s: new catalogs in %.1f s", what, seconds)
                .hasSizeGreaterThanOrEqualTo((int) (seconds / 3) - 1);
        assertThat(switches.longest()).as("%s: longest time a new catalog and an older one were served side by side",
                what).isLessThanOrEqualTo(LONGEST_SWITCH);
    }

    /**
     * As {@link #assertSwitchesWithin}, and while Redis answers, one timeline: every replica served
     * each new catalog from one instant (README, docs/fleet.md), so no answer, taken in the order
     * they came, was older than one before it, and the median switch took no longer than
     * {@link OneTimelineIT#MEDIAN_SWITCH}.
     */
    static void assertOneTimeline(Replicas.Switches switches, double seconds, String what) {
        assertSwitchesWithin(switches, seconds, what);
        assertThat(switches.backInTime()).as("%s: answers older than one before them", what).isZero();
        assertThat(switches.median()).as("%s: median time an older catalog was served after a newer one", what)
                .isLessThanOrEqualTo(OneTimelineIT.MEDIAN_SWITCH);
    }

    /** Renames the first film upstream and measures how long until every replica serves the new title. */
    static Duration changeReachesEveryReplica(FakeGhibliApi api, Replicas fleet, String mark) {
        serve(api, FILMS, json(fixture("films.json").replace("Castle in the Sky", "Castle in the Sky (" + mark + ")")));
        return fleet.awaitEverywhere(json -> json.getString("movies[0].title").endsWith("(" + mark + ")"), DEADLINE);
    }

    @Test
    void theFleetReadsTheApiOncePerIntervalAndEveryReplicaServesTheSameBytes() {
        List<AppProcess> replicas = fleet.start(3);
        fleet.awaitOneCatalog(DEADLINE);
        ghibliApi.resetRequests();

        // 10 s of a balancer's traffic: every 100 ms, the same request to each replica
        Replicas.Watch watch = fleet.watchFor(Duration.ofSeconds(10));
        watch.assertEveryAnswerWasGood();
        double seconds = watch.seconds();
        Replicas.Switches switches = watch.switches();
        System.out.printf("FleetIT: %d answers in %.1f s; %s%n", watch.answers(), seconds, switches);

        int reads = ghibliApi.findAll(requested(FILMS)).size();
        // one fleet reads every 2 s (2 to 3 s with the check every second): 4 or 5 reads here, where
        // three replicas alone read 15
        assertThat(reads).as("reads of /films in %.1f s", seconds)
                .isBetween((int) (seconds / 3) - 1, (int) Math.ceil(seconds / INTERVAL.toSeconds()) + 1);
        assertThat(replicas.stream().mapToDouble(replica -> replica.metric("catalog_fleet_refreshes_total")).sum())
                .as("refreshes shared by the replicas").isGreaterThanOrEqualTo(reads - 1.0);
        assertOneTimeline(switches, seconds, "FleetIT");

        // byte for byte: page, JSON and their gzip copies, with the same ETag and Last-Modified. The
        // fleet publishes a new catalog every 2 s, so three answers may straddle one publication: each
        // comparison is retried until it falls between two, and fails if the replicas never agree.
        for (String accept : List.of("text/html", "application/json")) {
            for (String encoding : new String[] { null, "gzip" }) {
                await().atMost(DEADLINE).untilAsserted(() -> {
                    List<HttpResponse<byte[]>> answers = replicas.stream().map(replica -> bytes(replica, accept, encoding))
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
            String tagFromA = bytes(replicas.get(0), "text/html", null).headers().firstValue("ETag").orElseThrow();
            assertThat(status(replicas.get(1), "text/html", tagFromA)).isEqualTo(304);
            assertThat(status(replicas.get(2), "text/html", tagFromA)).isEqualTo(304);
        });

        assertThat(changeReachesEveryReplica(ghibliApi, fleet, "2026 cut")).isLessThan(MAX_AGE);
        for (AppProcess replica : replicas) {
            assertThat(replica.output()).doesNotContain("WARN").doesNotContain("ERROR");
        }
    }

    @Test
    void whenTheReplicaReadingForTheFleetDiesTheOthersTakeOverWithinMaxAge() {
        List<AppProcess> replicas = fleet.start(3);
        fleet.awaitOneCatalog(DEADLINE);
        // a slow API: the next read lasts about 2 s, so that it can be caught holding the claim
        GhibliApiStubs.slow(ghibliApi, 700);
        String holder = await().atMost(DEADLINE).until(() -> redis.command("HGET", catalog, "claim"),
                token -> token != null && replicas.stream().anyMatch(replica -> token.startsWith(replica.pid() + "@")));
        AppProcess reader = replicas.stream().filter(replica -> holder.startsWith(reader(replica))).findFirst()
                .orElseThrow();

        reader.kill();
        GhibliApiStubs.healthy(ghibliApi);
        Instant killed = Instant.now();

        for (AppProcess replica : replicas) {
            if (replica != reader) {
                await().atMost(DEADLINE).until(() -> Instant.parse(movies(replica).getString("fetchedAt")).isAfter(killed));
            }
        }
        assertThat(Duration.between(killed, Instant.now())).as("time until the others had a catalog read after the kill")
                .isLessThan(MAX_AGE);
        for (AppProcess replica : replicas) {
            if (replica != reader) {
                assertThat(movies(replica).getBoolean("stale")).isFalse();
            }
        }
    }

    /**
     * A read whose first request gets no answer for 4 s (inside the API's read timeout, 5 s, and the
     * read's bound, 10 s), as a replica's connection to the API hangs: the reader stops renewing its
     * claim once its read has not moved on for a claim's life (1 s here), and another replica reads
     * while the first still waits, instead of the whole fleet waiting out the hung read.
     */
    @Test
    void aReadThatStopsMovingOnHoldsTheFleetBackNoLongerThanAClaimsLife() {
        fleet.start(2);
        fleet.awaitOneCatalog(DEADLINE);
        long hungMillis = 4000;
        ghibliApi.resetRequests();
        ghibliApi.stubFor(GhibliApiStubs.request(FILMS).inScenario("hung").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(fixture("films.json")).withFixedDelay((int) hungMillis)).willSetStateTo("answering"));
        ghibliApi.stubFor(GhibliApiStubs.request(FILMS).inScenario("hung").whenScenarioStateIs("answering")
                .willReturn(json(fixture("films.json"))));

        long hungAt = await().atMost(DEADLINE).until(() -> ghibliApi.findAll(requested(FILMS)), reads -> !reads.isEmpty())
                .get(0).getLoggedDate().getTime();
        List<Long> reads = await().atMost(DEADLINE).until(() -> ghibliApi.findAll(requested(FILMS)).stream()
                .map(read -> read.getLoggedDate().getTime()).toList(), times -> times.get(times.size() - 1) > hungAt + hungMillis);
        List<Long> whileHung = reads.stream().filter(at -> at > hungAt && at < hungAt + hungMillis).map(at -> at - hungAt)
                .toList();
        System.out.printf("FleetIT, a read hung for %d ms: reads of /films started %s ms after it, while it hung%n", hungMillis,
                whileHung);
        // the claim lapses a claim's life (1 s) after the last renewal, which comes at most a claim's life
        // after the read last moved on, a third of it apart; the others look every 100 ms meanwhile
        assertThat(whileHung).as("reads of the API by another replica while the first read hung").isNotEmpty();
        assertThat(whileHung.get(0)).as("ms from the hung read to another replica's read")
                .isLessThanOrEqualTo(HUNG_READ_HANDED_OVER.toMillis());
        fleet.awaitEverywhere(json -> !json.getBoolean("stale"), DEADLINE);
    }

    private static String reader(AppProcess replica) {
        return replica.pid() + "@";
    }

    @Test
    void aNewReplicaServesTheFleetsCatalogAtOnceWhileTheApiIsDown() {
        fleet.start(1);
        fleet.awaitOneCatalog(DEADLINE);
        GhibliApiStubs.down(ghibliApi);

        // a fresh JVM's first take and render of the shared catalog may pass the default 3 s of
        // movies.startup-wait on a busy machine: a 503 after 10 s still says it did not serve at once
        AppProcess late = fleet.start(Map.of("MOVIES_STARTUP_WAIT", "10s"));
        HttpResponse<String> firstAnswer = late.awaitAnswer("/movies/", DEADLINE);
        // read after: a refresh under way when the API went down may still have published
        String shared = redis.command("HGET", catalog, "version");

        assertThat(firstAnswer.statusCode()).isEqualTo(200);
        assertThat(Instant.parse(JsonPath.from(firstAnswer.body()).getString("fetchedAt")).toEpochMilli())
                .isEqualTo(Long.parseLong(shared));
        JsonPath ready = JsonPath.from(late.management("/q/health/ready").orElseThrow().body());
        assertThat(ready.getString("checks.find { it.name == 'catalog' }.data.origin")).isEqualTo("shared");
    }

    /**
     * Two replicas start at once against an empty Redis and a slow API (a read of about 1.5 s): one
     * reads, the other waits for that read, not answering 503. With the 2 s interval of these tests
     * the shared catalog is due again as soon as it is written, so the waiting one may claim the next
     * read: it must still serve the first catalog at once. A request waits for the first catalog
     * {@code movies.startup-wait}, 10 s here: a fresh JVM's first read of that API and the other's
     * first take of it and render took 3.5 s with one core kept busy, more than the default 3 s.
     */
    @Test
    void aReplicaThatStartsWhileAnotherReadsWaitsForThatReadInsteadOfAnswering503() {
        GhibliApiStubs.slow(ghibliApi, 400);
        for (String interval : List.of("20s", INTERVAL.toSeconds() + "s")) {
            redis.command("FLUSHALL");
            ghibliApi.resetRequests();
            Map<String, String> settings = Map.of("MOVIES_REFRESH_INTERVAL", interval, "MOVIES_MAX_AGE", "30s",
                    "MOVIES_STARTUP_WAIT", "10s");
            AppProcess first = fleet.start(settings);
            AppProcess second = fleet.start(settings);

            assertThat(first.awaitAnswer("/movies/", DEADLINE).statusCode()).as("first, interval %s", interval).isEqualTo(200);
            assertThat(second.awaitAnswer("/movies/", DEADLINE).statusCode()).as("second, interval %s", interval)
                    .isEqualTo(200);
            if (interval.equals("20s")) {
                assertThat(ghibliApi.findAll(requested(FILMS))).as("reads of /films").hasSize(1);
            }
            first.close();
            second.close();
        }
    }

    /**
     * An API whose every answer takes 700 ms (a read of about 2 s, longer than the 1 s claim): the
     * claim is renewed while its holder reads, so the fleet still reads about once per interval.
     */
    @Test
    void aSlowApiIsStillReadAboutOncePerIntervalFleetWide() {
        fleet.start(3);
        fleet.awaitOneCatalog(DEADLINE);
        GhibliApiStubs.slow(ghibliApi, 700);
        ghibliApi.resetRequests();

        long start = System.nanoTime();
        await().pollDelay(Duration.ofSeconds(12)).atMost(DEADLINE).until(() -> true);
        double seconds = (System.nanoTime() - start) / 1e9;

        int reads = ghibliApi.findAll(requested(FILMS)).size();
        System.out.printf("FleetIT, an API answering in 700 ms: %d reads of /films in %.1f s (%.1f per interval)%n", reads,
                seconds, reads / (seconds / INTERVAL.toSeconds()));
        assertThat(reads).as("reads of /films in %.1f s", seconds)
                .isLessThanOrEqualTo((int) Math.ceil(seconds / INTERVAL.toSeconds()) + 1);
        fleet.awaitEverywhere(json -> !json.getBoolean("stale"), DEADLINE);
    }

    /**
     * The API down for 20 s before three replicas: after each failed read the claim holds the whole
     * fleet back for the API's retry delay (2 s here), so attempts are about one per delay, fleet-wide.
     */
    @Test
    void aFailingApiIsTriedAboutOncePerRetryDelayFleetWide() {
        Replicas quickRetries = new Replicas("retries", settings(ghibliApi, redis.url()),
                BreakerSettings.breakerDelay(2000, Map.of()));
        try (quickRetries) {
            quickRetries.start(3);
            quickRetries.awaitOneCatalog(DEADLINE);
            GhibliApiStubs.down(ghibliApi);
            long start = System.nanoTime();
            await().pollDelay(Duration.ofSeconds(20)).atMost(DEADLINE).until(() -> true);
            double seconds = (System.nanoTime() - start) / 1e9;

            int attempts = ghibliApi.findAll(requested(FILMS)).size();
            // three replicas each bounded by their own breaker alone would try about 3 x 20 / 2 = 30 times
            assertThat(attempts).as("attempts in %.1f s", seconds).isBetween(3, (int) Math.ceil(seconds / 2) + 2);
            quickRetries.awaitEverywhere(json -> json.getBoolean("stale"), DEADLINE);
            assertThat(quickRetries.all().stream().filter(replica -> replica.metric("catalog_refresh_consecutive_failures") > 0))
                    .as("replicas that tried and failed").isNotEmpty();

            GhibliApiStubs.healthy(ghibliApi);
            quickRetries.awaitEverywhere(json -> !json.getBoolean("stale"), DEADLINE);
            for (AppProcess replica : quickRetries.all()) {
                // the streak ends on every replica, whoever read the catalog that ended it
                await().atMost(DEADLINE).until(() -> replica.metric("catalog_refresh_consecutive_failures") == 0);
            }
        }
    }

    /**
     * Whatever is under the fleet's key (a value of any type, garbage in any field, a catalog that is
     * not one to serve, values of tens of megabytes, junk published on a channel): replicas keep
     * serving a good catalog, never an older one and never a stale one, nothing is transferred
     * that is too large for README's 96 MB heap, and the store is put right.
     */
    @Test
    void whatIsNotAGoodCatalogInRedisIsIgnoredAndReplacedAndNoReplicaGoesBackInTime() {
        List<AppProcess> replicas = fleet.start(3);
        fleet.awaitOneCatalog(DEADLINE);
        String goodBody = redis.command("HGET", catalog, "body");
        String goodVersion = redis.command("HGET", catalog, "version");
        String otherApi = goodBody.replace(ghibliApi.baseUrl(), "http://127.0.0.1:9");
        String thirtyMegabytes = "string.rep('x', 30 * 1024 * 1024)";
        // each spoiled value is built under a key of its own and put in place with one script (putInPlace)
        String spoiled = catalog + ":spoiled";

        Map<String, Runnable> spoilers = new java.util.LinkedHashMap<>();
        spoilers.put("a string", () -> redis.command("SET", spoiled, "\u0000 not a catalog {["));
        spoilers.put("a list", () -> redis.command("RPUSH", spoiled, "a", "b"));
        spoilers.put("a set", () -> redis.command("SADD", spoiled, "a"));
        spoilers.put("a sorted set", () -> redis.command("ZADD", spoiled, "1", "a"));
        spoilers.put("a stream", () -> redis.command("XADD", spoiled, "*", "version", now()));
        spoilers.put("a string of 30 MB", () -> lua("redis.call('SET', KEYS[1], " + thirtyMegabytes + ")"));
        spoilers.put("a body of 30 MB", () -> lua("redis.call('HSET', KEYS[1], 'version', ARGV[1], 'body', "
                + thirtyMegabytes + ")", now()));
        spoilers.put("a version of 30 MB", () -> lua("redis.call('HSET', KEYS[1], 'version', " + thirtyMegabytes
                + ", 'body', ARGV[1])", goodBody));
        spoilers.put("half a body", () -> redis.command("HSET", spoiled, "version", now(), "body",
                goodBody.substring(0, goodBody.length() / 2)));
        spoilers.put("another format", () -> redis.command("HSET", spoiled, "version", now(), "body",
                goodBody.replace("\"format\":1", "\"format\":2")));
        spoilers.put("another API's", () -> redis.command("HSET", spoiled, "version", now(), "body", otherApi));
        spoilers.put("a version in the future", () -> redis.command("HSET", spoiled, "version",
                Long.toString(System.currentTimeMillis() + 3_600_000), "body", goodBody));
        spoilers.put("a version that is no number", () -> redis.command("HSET", spoiled, "version", "soon", "body",
                goodBody));
        // an older catalog, as a slow replica racing a newer one might have written it
        spoilers.put("an older catalog", () -> redis.command("HSET", spoiled, "version", goodVersion, "body", goodBody));
        spoilers.put("a date no catalog has", () -> redis.command("HSET", spoiled, "version", "-10000000000000", "body",
                goodBody.replaceFirst("\"fetchedAt\":\"[^\"]+\"", "\"fetchedAt\":\"1653-02-10T06:13:20Z\"")));
        spoilers.put("a date past any clock", () -> redis.command("HSET", spoiled, "version", now(), "body",
                goodBody.replaceFirst("\"fetchedAt\":\"[^\"]+\"", "\"fetchedAt\":\"+300000000-01-01T00:00:00Z\"")));
        spoilers.put("a film without a title", () -> {
            String version = now();
            redis.command("HSET", spoiled, "version", version, "body", goodBody
                    .replaceFirst("\"fetchedAt\":\"[^\"]+\"", "\"fetchedAt\":\"" + Instant.ofEpochMilli(Long.parseLong(version)) + "\"")
                    .replaceFirst("\"title\":\"[^\"]+\"", "\"title\":null"));
        });
        spoilers.put("a version without a body", () -> redis.command("HSET", spoiled, "version", now()));
        spoilers.put("a claim for ever", () -> redis.command("HSET", spoiled, "claim", "x", "claimedAt", now(), "until",
                "99999999999999"));
        spoilers.put("claim fields of 30 MB", () -> lua("redis.call('HSET', KEYS[1], 'claim', " + thirtyMegabytes
                + ", 'claimedAt', " + thirtyMegabytes + ")"));
        spoilers.put("junk where a catalog is written first", () -> redis.command("RPUSH", catalog + ":next", "x"));
        // what a replica that sees the spoiled value says of it
        Map<String, String> named = Map.of("a string", "it is a Redis string, not a hash",
                "a list", "it is a Redis list, not a hash", "a body of 30 MB", "more than the 4194304 a catalog may take",
                "half a body", "it cannot be read", "another format", "not a catalog of format 1 with films",
                "another API's", "it was read from http://127.0.0.1:9", "a version in the future", "it was fetched in the future",
                "a version that is no number", "is not a number", "a date past any clock", "which no catalog was",
                "a date no catalog has", "is no time a catalog was fetched at");
        for (Map.Entry<String, Runnable> spoiler : spoilers.entrySet()) {
            String saying = named.get(spoiler.getKey());
            for (int attempt = 1; ; attempt++) {
                long saidBefore = saying == null ? 0 : said(replicas, saying);
                Map<AppProcess, Instant> before = new HashMap<>();
                replicas.forEach(replica -> before.put(replica, Instant.parse(movies(replica).getString("fetchedAt"))));
                Replicas.Watch watch = fleet.watch();
                putInPlace(spoiler.getValue(), spoiled);
                redis.command("PUBLISH", "ghibli-movies:v1:published", now());
                redis.command("PUBLISH", "{ghibli-movies}:v2:published", "\u0000junk");

                // every replica fresh again from a catalog the fleet shares, put right in Redis
                await(spoiler.getKey()).atMost(DEADLINE).until(() -> {
                    String version = sharedVersion();
                    return version != null && version.matches("\\d{13}")
                            && Long.parseLong(version) > before.values().stream().mapToLong(Instant::toEpochMilli).max().orElseThrow()
                            && Long.parseLong(version) <= System.currentTimeMillis()
                            && replicas.stream().allMatch(replica -> version.equals(Long.toString(
                                    Instant.parse(movies(replica).getString("fetchedAt")).toEpochMilli())));
                });
                watch.assertEveryAnswerWasGood();
                for (AppProcess replica : replicas) {
                    assertThat(Instant.parse(movies(replica).getString("fetchedAt"))).isAfterOrEqualTo(before.get(replica));
                }
                if (saying == null || said(replicas, saying) > saidBefore) {
                    break;
                }
                // No replica looked before one acting alone replaced it (Redis, busy building the
                // last value, answered no check within its timeout): spoiled once more. Each
                // value is named whenever a replica sees it.
                assertThat(attempt).as("%s: times spoiled, and no replica named it", spoiler.getKey()).isLessThan(5);
            }
        }
        for (AppProcess replica : replicas) {
            assertThat(replica.isAlive()).as("replica alive").isTrue();
            assertThat(replica.output()).doesNotContain("ERROR").doesNotContain("Exception").doesNotContain("OutOfMemoryError");
        }
    }

    /** How many times the replicas have said {@code words} in their logs so far. */
    private static long said(List<AppProcess> replicas, String words) {
        return replicas.stream().mapToLong(replica -> replica.output().split(java.util.regex.Pattern.quote(words), -1).length - 1)
                .sum();
    }

    /**
     * Builds a spoiled value under {@code spoiled} with {@code build} and renames it over the fleet's
     * key in one script, while no replica's claim to read the API is in force (else built again:
     * its version is the time it was built). Deleted first and written after, or put there while a
     * replica read, it could be replaced by that replica's write before any replica saw it. A build
     * that makes nothing (junk under the key a write uses first) leaves the key deleted.
     */
    private void putInPlace(Runnable build, String spoiled) {
        String script = """
                local time = redis.call('TIME')
                local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
                if redis.call('TYPE', KEYS[1]).ok == 'hash' then
                  local ends = tonumber(redis.call('HGET', KEYS[1], 'until'))
                  if ends and ends > now then return 0 end
                end
                if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[1])
                else redis.call('DEL', KEYS[1]) end
                return 1""";
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> {
            redis.command("DEL", spoiled);
            build.run();
            return "1".equals(redis.command("EVAL", script, "2", catalog, spoiled));
        });
    }

    /**
     * The largest catalog a replica takes from Redis (just under 4 MiB: over 3,000 films), under
     * bursts of requests to every replica while it is served: README's 96 MB heap holds, every
     * answer is a 200, and the fleet goes back to the API's catalog at the next read.
     */
    @Test
    void theLargestCatalogRedisMayHoldTakesNoReplicaDown() throws Exception {
        // a long interval: the large catalog is served until the test takes it away
        Map<String, String> longer = Map.of("MOVIES_REFRESH_INTERVAL", "30s", "MOVIES_MAX_AGE", "40s");
        List<AppProcess> replicas = List.of(fleet.start(longer), fleet.start(longer), fleet.start(longer));
        replicas.forEach(replica -> replica.awaitMovies(DEADLINE));
        fleet.awaitOneCatalog(DEADLINE);
        ObjectMapper json = new ObjectMapper();
        ObjectNode kept = (ObjectNode) json.readTree(redis.command("HGET", catalog, "body"));
        ArrayNode films = (ArrayNode) kept.path("catalog").path("movies");
        List<JsonNode> fixtures = new ArrayList<>();
        films.forEach(fixtures::add);
        int perFilm = json.writeValueAsBytes(films).length / fixtures.size();
        for (int i = fixtures.size(); i < ((int) CatalogFormat.MAX_BYTES - 64 * 1024) / perFilm; i++) {
            films.add(((ObjectNode) fixtures.get(i % fixtures.size()).deepCopy()).put("id", "film-" + i)
                    .put("title", "Film " + i));
        }
        long version = Long.parseLong(redis.command("TIME").split("\n")[0]) * 1000;
        ((ObjectNode) kept.path("catalog")).put("fetchedAt", Instant.ofEpochMilli(version).toString());
        String body = json.writeValueAsString(kept);
        assertThat(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isBetween(3_500_000, (int) CatalogFormat.MAX_BYTES);

        redis.command("HSET", catalog, "version", Long.toString(version), "body", body);
        ExecutorService clients = Executors.newFixedThreadPool(12);
        long end = Long.MAX_VALUE;
        try {
            // bursts of 12 requests for the page until every replica serves the large catalog, and 4 s more
            long giveUp = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < end && System.nanoTime() < giveUp) {
                List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
                for (AppProcess replica : replicas) {
                    for (int i = 0; i < 4; i++) {
                        answers.add(clients.submit(() -> bytes(replica, "text/html", null)));
                    }
                }
                int large = 0;
                for (Future<HttpResponse<byte[]>> answer : answers) {
                    large += answer.get().body().length > 1_000_000 ? 1 : 0;
                }
                if (large == answers.size() && end == Long.MAX_VALUE) {
                    end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                }
                assertThat(replicas.stream().allMatch(AppProcess::isAlive)).as("replicas alive").isTrue();
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(end).as("every replica served the large catalog").isNotEqualTo(Long.MAX_VALUE);
        redis.command("DEL", catalog);
        fleet.awaitEverywhere(answer -> answer.getList("movies").size() == 6, DEADLINE);
        for (AppProcess replica : replicas) {
            assertThat(replica.isAlive()).as("replica alive; its output:%n%s", replica.output()).isTrue();
        }
    }

    /** SIGTERM at a random moment of a replica's first seconds: its fleet jobs end with it, quietly. */
    @Test
    void aReplicaStoppedAtAnyMomentStopsPromptlyAndQuietly() {
        GhibliApiStubs.slow(ghibliApi, 300);
        for (int round = 0; round < 4; round++) {
            AppProcess replica = fleet.start(Map.of());
            LockSupport.parkNanos(Duration.ofMillis(ThreadLocalRandom.current().nextLong(300, 3500)).toNanos());

            replica.assertStopsPromptlyAndQuietly();
        }
    }

    /**
     * Runs {@code script} inside Redis (so that tens of megabytes cross no socket), with the key a
     * spoiled value is built under as KEYS[1].
     */
    private void lua(String script, String... arguments) {
        List<String> words = new java.util.ArrayList<>(List.of("EVAL", script + " return 1", "1", catalog + ":spoiled"));
        words.addAll(List.of(arguments));
        redis.command(words.toArray(String[]::new));
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }

    /** The version of what Redis holds under the catalog key, if it is a hash at all. */
    private String sharedVersion() {
        return "hash".equals(redis.command("TYPE", catalog)) ? redis.command("HGET", catalog, "version") : null;
    }

    static JsonPath movies(AppProcess replica) {
        HttpResponse<String> answer = replica.get("/movies/", "application/json").orElseThrow();
        assertThat(answer.statusCode()).isEqualTo(200);
        return JsonPath.from(answer.body());
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
