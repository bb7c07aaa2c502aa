package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.Nginx;
import io.ghiblimovies.testing.RedisServer;
import io.ghiblimovies.testing.Replicas;
import io.ghiblimovies.testing.Varnish;
import io.restassured.path.json.JsonPath;

/**
 * The shared caches the service ships configurations for, Debian's nginx 1.22 ({@code
 * docker/nginx-cache.conf}) and Varnish 7.1 ({@code docker/varnish.vcl}), each in front of two
 * packaged replicas sharing one Redis, as a CDN would be: they follow {@code Cache-Control} alone.
 * Under load they serve nothing older than {@code movies.max-age} and ask the replicas about once
 * per copy per refresh, mostly revalidations answered 304; then every replica stops for two
 * minutes and both caches answer 200 throughout, and fresh again once the replicas are back.
 * Refresh every 4 s, stale after 14 s here.
 */
class SharedCacheIT {

    /**
     * movies.max-age: docs/cdn.md promises nothing older through a cache while a refresh is late by
     * less than max-age minus the refresh interval minus 2 s (a copy's max-age of at least 1 s, in
     * whole seconds): 8 s here, as with README's 50 s and 60 s, over three times the 2.4 s a read
     * and the fleet's switch took with one core busy (with 6 s, a run served a copy 7.5 s old).
     */
    private static final Duration MAX_AGE = Duration.ofSeconds(14);
    private static final Duration OUTAGE = Duration.ofMinutes(2);
    private static final Duration DEADLINE = AppProcess.DEADLINE;
    /** The four copies a cache keeps: page and JSON, plain and gzip. */
    private static final List<String[]> VARIANTS = List.of(new String[] { "text/html", "" },
            new String[] { "text/html", "gzip" }, new String[] { "application/json", "" },
            new String[] { "application/json", "gzip" });
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();
    private RedisServer redis;
    private Replicas fleet;
    private final List<AutoCloseable> caches = new ArrayList<>();

    @BeforeEach
    void startTheOrigin() {
        redis = RedisServer.start();
        fleet = new Replicas("origin", Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(), "QUARKUS_REDIS_HOSTS", redis.url(),
                "MOVIES_SNAPSHOT_ENABLED", "false", "MOVIES_REFRESH_INTERVAL", "4s",
                "MOVIES_MAX_AGE", MAX_AGE.toSeconds() + "s"), Map.of());
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable cache : caches) {
            cache.close();
        }
        fleet.close();
        redis.close();
    }

    @Test
    void aSharedCacheServesFreshCopiesAsksTheOriginLittleAndAnswersThroughAFullOutage() throws Exception {
        List<AppProcess> replicas = fleet.start(2);
        fleet.awaitOneCatalog(DEADLINE);
        int[] ports = replicas.stream().mapToInt(AppProcess::port).toArray();
        Nginx nginx = Nginx.cache(ports);
        caches.add(nginx);
        Varnish varnish = Varnish.cache(ports);
        caches.add(varnish);
        Map<String, Integer> front = Map.of("nginx", nginx.port(), "varnish", varnish.port());

        // 20 s of eight clients asking for every variant through both caches, as fast as they can
        Map<String, Double> originBefore = originAnswers(replicas);
        Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        Map<String, AtomicLong> oldest = new ConcurrentHashMap<>();
        List<String> problems = new ArrayList<>();
        long start = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            for (int client = 0; client < 8; client++) {
                int first = client;
                clients.submit(() -> {
                    for (int i = first; System.nanoTime() - start < Duration.ofSeconds(20).toNanos(); i++) {
                        for (Map.Entry<String, Integer> cache : front.entrySet()) {
                            String[] variant = VARIANTS.get(i % VARIANTS.size());
                            ask(cache.getKey(), cache.getValue(), variant, answers, oldest, problems);
                        }
                    }
                    return null;
                });
            }
        } finally {
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> originAfter = originAnswers(replicas);
        double toOrigin = originAfter.get("all") - originBefore.get("all");
        double revalidated = originAfter.get("304") - originBefore.get("304");
        long served = answers.values().stream().mapToLong(AtomicLong::get).sum();
        System.out.printf("SharedCacheIT: %d answers through nginx and Varnish in %.1f s (%s); %.0f requests reached the"
                + " replicas (%.0f of them revalidations answered 304); the oldest JSON through each cache, in ms: %s%n",
                served, seconds, answers, toOrigin, revalidated, oldest);
        assertThat(problems).as("answers that were not 200 with a catalog").isEmpty();
        // a copy per variant and per cache, asked again once per refresh (4 s), not once per request; and
        // once a second more while that refresh is late, as the replicas answer max-age=1 until they have
        // it: up to four times per refresh for up to 3 s late (86 requests, 1.5 times the once per
        // refresh, were measured with one core busy; once per request would be thousands)
        assertThat(toOrigin).as("requests that reached the replicas").isPositive()
                .isLessThanOrEqualTo(2 * VARIANTS.size() * (seconds / 4 + 2) * 4);
        assertThat(served).isGreaterThan((long) (toOrigin * 20));
        assertThat(revalidated).as("revalidations answered 304").isPositive();
        // docs/cdn.md's promise (see MAX_AGE)
        for (Map.Entry<String, AtomicLong> cache : oldest.entrySet()) {
            assertThat(cache.getValue().get()).as("the oldest JSON through %s, in ms", cache.getKey())
                    .isLessThanOrEqualTo(MAX_AGE.toMillis());
        }

        // every replica gone for two minutes: both caches answer from their copies throughout
        replicas.forEach(replica -> assertThat(replica.stop(DEADLINE)).isNotNull());
        Map<String, AtomicLong> duringOutage = new ConcurrentHashMap<>();
        List<String> outageProblems = new ArrayList<>();
        long down = System.nanoTime();
        for (int i = 0; System.nanoTime() - down < OUTAGE.toNanos(); i++) {
            for (Map.Entry<String, Integer> cache : front.entrySet()) {
                ask(cache.getKey(), cache.getValue(), VARIANTS.get(i % VARIANTS.size()), duringOutage,
                        new ConcurrentHashMap<>(), outageProblems);
            }
            TimeUnit.MILLISECONDS.sleep(250); // the pace of the clients, not a wait for a result
        }
        System.out.printf("SharedCacheIT: every replica stopped for %d s: %s answers, %d not 200%n", OUTAGE.toSeconds(),
                duringOutage, outageProblems.size());
        assertThat(outageProblems).as("answers through the caches while every replica was down").isEmpty();

        // the replicas back on their ports: fresh data through both caches again
        Instant back = Instant.now();
        List<AppProcess> again = new ArrayList<>();
        for (int port : ports) {
            again.add(fleet.start(Map.of("QUARKUS_HTTP_PORT", Integer.toString(port))));
        }
        again.forEach(replica -> replica.awaitMovies(DEADLINE));
        for (Map.Entry<String, Integer> cache : front.entrySet()) {
            await(cache.getKey()).atMost(DEADLINE).until(() -> Instant.parse(JsonPath.from(new String(
                    get(cache.getValue(), "application/json", "").body())).getString("fetchedAt")).isAfter(back));
        }
    }

    /** One request through a cache; counts it, and the age of the JSON it got. */
    private static void ask(String cache, int port, String[] variant, Map<String, AtomicLong> answers,
            Map<String, AtomicLong> oldest, List<String> problems) {
        try {
            HttpResponse<byte[]> answer = get(port, variant[0], variant[1]);
            answers.computeIfAbsent(cache, name -> new AtomicLong()).incrementAndGet();
            if (answer.statusCode() != 200) {
                problems.add(cache + " answered " + answer.statusCode() + " for " + String.join(" ", variant));
                return;
            }
            byte[] body = "gzip".equals(answer.headers().firstValue("Content-Encoding").orElse(""))
                    ? new GZIPInputStream(new ByteArrayInputStream(answer.body())).readAllBytes() : answer.body();
            if (variant[0].equals("application/json")) {
                Instant fetchedAt = Instant.parse(JsonPath.from(new String(body)).getString("fetchedAt"));
                long age = Duration.between(fetchedAt, Instant.now()).toMillis();
                oldest.computeIfAbsent(cache, name -> new AtomicLong()).accumulateAndGet(age, Math::max);
            } else if (!new String(body).contains("Castle in the Sky")) {
                problems.add(cache + " sent a page without the films");
            }
        } catch (IOException e) {
            problems.add(cache + " gave no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpResponse<byte[]> get(int port, String accept, String encoding)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/movies/"))
                .header("Accept", accept).timeout(Duration.ofSeconds(10));
        if (!encoding.isEmpty()) {
            request.header("Accept-Encoding", encoding);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Answers of /movies/ the replicas gave, in all and 304s. */
    private static Map<String, Double> originAnswers(List<AppProcess> replicas) {
        Map<String, Double> answers = new HashMap<>();
        answers.put("all", replicas.stream().mapToDouble(replica -> replica.metric("movies_answers_total")).sum());
        answers.put("304", replicas.stream().mapToDouble(replica ->
                replica.metric("movies_answers_total", "representation=\"html\",status=\"304\"")
                        + replica.metric("movies_answers_total", "representation=\"json\",status=\"304\"")).sum());
        return answers;
    }
}
