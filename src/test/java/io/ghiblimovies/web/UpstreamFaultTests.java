package io.ghiblimovies.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.PEOPLE;
import static io.ghiblimovies.testing.GhibliApiStubs.fixture;
import static io.ghiblimovies.testing.GhibliApiStubs.json;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static io.ghiblimovies.testing.BreakerSettings.breakerDelay;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Collections;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;

import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * The fault matrix, with the real schedule running (every second here, max-age two seconds):
 * whatever the Ghibli API does, users get 200s with the last good catalog, flagged stale once it
 * is too old, without waiting on the API, and fresh data again soon after the API is back.
 */
@QuarkusTest
@TestProfile(UpstreamFaultTests.Profile.class)
@WithTestResource(GhibliApiWireMock.class)
class UpstreamFaultTests {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return breakerDelay(500, Map.of("movies.schedule-enabled", "true",
                    "movies.refresh-interval", "1s",
                    "movies.max-age", "2s",
                    "quarkus.rest-client.ghibli-api.read-timeout", "500"));
        }
    }

    /** Far above the 500 ms a request may wait for a refresh, far below any upstream timeout. */
    private static final Duration SLOWEST_ANSWER = Duration.ofMillis(1500);
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @BeforeEach
    void startHealthy() {
        GhibliApiStubs.healthy(ghibliApi);
        await().atMost(DEADLINE).until(() -> !movies().getBoolean("stale"));
    }

    @AfterEach
    void restartTheFakeApiIfATestStoppedIt() {
        if (!ghibliApi.isRunning()) {
            ghibliApi.start();
        }
    }

    static Stream<Arguments> faults() {
        String huge = "[" + "\"padding\",".repeat(600_000) + "\"end\"]";
        return Stream.of(
                fault("HTTP 500", api -> serve(api, FILMS, aResponse().withStatus(500))),
                fault("HTTP 503", api -> serve(api, FILMS, aResponse().withStatus(503).withHeader("Retry-After", "120"))),
                fault("connection reset", api -> serve(api, FILMS, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))),
                fault("connection closed mid-body", api -> serve(api, PEOPLE, aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE))),
                fault("connection refused", WireMockServer::stop),
                fault("slower than the read timeout", api -> serve(api, FILMS, json(fixture("films.json")).withFixedDelay(3_000))),
                fault("200 with a body that is not JSON", api -> serve(api, FILMS, json("Internal error, try later"))),
                fault("200 with HTML", api -> serve(api, FILMS, aResponse().withStatus(200)
                        .withHeader("Content-Type", "text/html").withBody("<!DOCTYPE html><title>Down</title>"))),
                fault("200 with no films", api -> serve(api, FILMS, json("[]"))),
                fault("films fine, people failing", api -> serve(api, PEOPLE, aResponse().withStatus(502))),
                fault("a body far larger than any catalog", api -> serve(api, FILMS, json(huge))));
    }

    private static Arguments fault(String name, Consumer<WireMockServer> inject) {
        return Arguments.of(name, inject);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void servesTheLastGoodCatalogMarkedStaleAndRecovers(String name, Consumer<WireMockServer> inject) {
        List<Object> goodTitles = movies().getList("movies.title");
        inject.accept(ghibliApi);
        AtomicLong slowest = new AtomicLong();

        await(name).atMost(DEADLINE).until(() -> {
            JsonPath json = timedMovies(slowest);
            assertThat(json.getList("movies.title")).isEqualTo(goodTitles);
            return json.getBoolean("stale");
        });
        String page = given().accept("text/html").get("/movies/").then().statusCode(200).extract().asString();
        assertThat(page).contains("Stale data.").contains("Castle in the Sky").contains("Pazu");
        assertThat(Duration.ofNanos(slowest.get())).as("slowest answer while the API failed").isLessThan(SLOWEST_ANSWER);

        restartTheFakeApiIfATestStoppedIt();
        GhibliApiStubs.healthy(ghibliApi);

        long healed = System.nanoTime();
        await(name + ", recovery").atMost(Duration.ofSeconds(5)).until(() -> !timedMovies(slowest).getBoolean("stale"));
        System.out.printf("UpstreamFaultTests, %s: slowest answer %d ms, fresh again %d ms after the API healed%n", name,
                Duration.ofNanos(slowest.get()).toMillis(), Duration.ofNanos(System.nanoTime() - healed).toMillis());
        assertThat(movies().getList("movies.title")).isEqualTo(goodTitles);
    }

    @Test
    void attemptsAgainstAFailingApiAreBoundedWhateverTheTraffic() throws Exception {
        GhibliApiStubs.down(ghibliApi);
        await().atMost(DEADLINE).until(() -> movies().getBoolean("stale"));
        ghibliApi.resetRequests();

        long start = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = clients.invokeAll(Collections.nCopies(400,
                    () -> given().accept("application/json").get("/movies/").statusCode()));
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        } finally {
            clients.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        // at most one trial per breaker delay (500 ms here), plus the one under way at the start
        int attempts = ghibliApi.findAll(requested(FILMS)).size();
        assertThat(attempts).isLessThanOrEqualTo((int) Math.ceil(seconds / 0.5) + 1);
        assertThat(attempts).isLessThan(20);
    }

    private static JsonPath movies() {
        return given().accept("application/json").get("/movies/").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath timedMovies(AtomicLong slowest) {
        long start = System.nanoTime();
        Response response = given().accept("application/json").get("/movies/");
        slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.jsonPath();
    }
}
