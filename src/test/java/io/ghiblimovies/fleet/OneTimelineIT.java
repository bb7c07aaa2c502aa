package io.ghiblimovies.fleet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.fixture;
import static io.ghiblimovies.testing.GhibliApiStubs.json;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.BreakerSettings;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.Nginx;
import io.ghiblimovies.testing.RedisServer;
import io.ghiblimovies.testing.Replicas;

/**
 * What one client behind a balancer sees of a fleet, at every refresh: three packaged replicas
 * sharing one real Redis behind a real nginx (round robin, no cache), the films changing every
 * second upstream, so that every refresh brings a new catalog, and a client polling the JSON through
 * nginx every 20 ms. Every replica serves a new catalog from one instant by Redis' clock
 * ({@code movies.fleet.switch-delay}, here its default), so the client never gets an older catalog
 * after a newer one. Each of the API's answers comes {@value #ANSWER_MILLIS} ms late: a read outlasts
 * a claim's life (1 s here) yet moves on, and the other replicas keep looking every 100 ms for as
 * long as it lasts, to take its catalog before the fleet serves it. Halfway, {@code /films} fails for
 * two seconds: a read fails, its replica holds the fleet back for the retry delay (2 s here), and
 * every replica looks again when that hold ends, to see the next claim and its catalog in time.
 */
class OneTimelineIT {

    /** How long the client polls, and how often. */
    private static final Duration POLLING = Duration.ofSeconds(60);
    private static final Duration POLL_EVERY = Duration.ofMillis(20);
    private static final int ANSWER_MILLIS = 400;
    /** The seconds of polling during which {@code /films} answers 503. */
    private static final List<Integer> FAILING = List.of(30, 31);
    /**
     * The promise measured here, from the first answer of a new catalog to the last answer of an
     * older one, at the median over every refresh: #25's goal. Answers are 20 ms apart, so a switch
     * at one instant measures 0.
     */
    static final Duration MEDIAN_SWITCH = Duration.ofMillis(20);
    private static final Pattern FETCHED_AT = Pattern.compile("\"fetchedAt\":\"([^\"]+)\"");
    private static final Pattern CHANGED_AT = Pattern.compile("\"changedAt\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @Test
    void aClientBehindARoundRobinBalancerNeverGetsAnOlderCatalogAfterANewerOne() {
        ScheduledExecutorService upstream = Executors.newSingleThreadScheduledExecutor();
        try (RedisServer redis = RedisServer.start();
                Replicas fleet = new Replicas("timeline", FleetIT.settings(ghibliApi, redis.url()),
                        BreakerSettings.breakerDelay(2000, Map.of()))) {
            GhibliApiStubs.slow(ghibliApi, ANSWER_MILLIS);
            List<AppProcess> replicas = fleet.start(3);
            AtomicInteger edition = new AtomicInteger();
            upstream.scheduleWithFixedDelay(() -> {
                int second = edition.incrementAndGet();
                serve(ghibliApi, FILMS, FAILING.contains(second) ? aResponse().withStatus(503).withFixedDelay(ANSWER_MILLIS)
                        : json(fixture("films.json").replace("Castle in the Sky", "Castle in the Sky (" + second + ")"))
                                .withFixedDelay(ANSWER_MILLIS));
            }, 0, 1, TimeUnit.SECONDS);
            try (Nginx nginx = Nginx.roundRobin(replicas.stream().mapToInt(AppProcess::port).toArray())) {
                edition.set(0); // the seconds of polling from here
                int readsBefore = ghibliApi.countRequestsMatching(requested(FILMS).build()).getCount();
                List<String> problems = new ArrayList<>();
                List<Replicas.Answer> byFetchedAt = new ArrayList<>();
                List<Replicas.Answer> byChangedAt = new ArrayList<>();
                poll(nginx.port(), problems, byFetchedAt, byChangedAt);
                int reads = ghibliApi.countRequestsMatching(requested(FILMS).build()).getCount() - readsBefore;

                Replicas.Switches fetched = Replicas.Switches.of(byFetchedAt);
                Replicas.Switches changed = Replicas.Switches.of(byChangedAt);
                double late = replicas.stream().mapToDouble(replica -> replica.metric("catalog_fleet_switches_late_total"))
                        .sum();
                double failed = replicas.stream()
                        .mapToDouble(replica -> replica.metric("catalog_refresh_seconds_count", "outcome=\"failure\"")).sum();
                System.out.printf("OneTimelineIT: through nginx, every %d ms for %d s: by fetchedAt, %s; by changedAt, %s;"
                        + " %d reads of the API, %.0f failed; %.0f catalogs taken after the fleet's switch%n",
                        POLL_EVERY.toMillis(), POLLING.toSeconds(), fetched, changed, reads, failed, late);

                assertThat(problems).as("answers through nginx that were not a 200 with a catalog").isEmpty();
                assertThat(failed).as("reads that failed while /films answered 503").isGreaterThanOrEqualTo(1);
                double intervals = POLLING.toMillis() / (double) FleetIT.INTERVAL.toMillis();
                assertThat(fetched.spreads()).as("new catalogs seen in %.0f refresh intervals", intervals)
                        .hasSizeGreaterThanOrEqualTo((int) (intervals / 2));
                assertThat(changed.spreads()).as("new films seen (they change every second upstream)")
                        .hasSizeGreaterThanOrEqualTo((int) (intervals / 2));
                assertThat(fetched.backInTime()).as("answers with a fetchedAt older than one before them").isZero();
                assertThat(changed.backInTime()).as("answers with a changedAt older than one before them").isZero();
                assertThat(fetched.median()).as("median time an older catalog was served after a newer one")
                        .isLessThanOrEqualTo(MEDIAN_SWITCH);
            }
        } finally {
            upstream.shutdownNow();
        }
    }

    private static Instant field(String json, Pattern field) {
        Matcher value = field.matcher(json);
        if (!value.find()) {
            throw new AssertionError("no " + field + " in " + json.substring(0, Math.min(200, json.length())));
        }
        return Instant.parse(value.group(1));
    }

    /** Polls the JSON through nginx for {@link #POLLING}, one request at a time, as one client. */
    private static void poll(int port, List<String> problems, List<Replicas.Answer> byFetchedAt,
            List<Replicas.Answer> byChangedAt) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/movies/"))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(5)).build();
        long end = System.nanoTime() + POLLING.toNanos();
        while (System.nanoTime() - end < 0) {
            long sent = System.nanoTime();
            try {
                HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                long answered = sent + (System.nanoTime() - sent) / 2;
                if (answer.statusCode() != 200) {
                    problems.add("answered " + answer.statusCode());
                } else {
                    // read with a pattern, not a JSON parser: parsing 50 KB would take longer than the 20 ms between polls
                    byFetchedAt.add(new Replicas.Answer(answered, field(answer.body(), FETCHED_AT)));
                    byChangedAt.add(new Replicas.Answer(answered, field(answer.body(), CHANGED_AT)));
                }
            } catch (IOException e) {
                problems.add("no answer: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            LockSupport.parkNanos(POLL_EVERY.toNanos());
        }
    }
}
