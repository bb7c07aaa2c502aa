package io.ghiblimovies.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.fixture;
import static io.ghiblimovies.testing.GhibliApiStubs.json;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Collections;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.ghiblimovies.testing.JsonContract;
import io.ghiblimovies.testing.Management;
import io.ghiblimovies.testing.QuickStaleness;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/** What users see once the catalog is older than {@code movies.max-age} (3 s here). */
@QuarkusTest
@TestProfile(QuickStaleness.class)
@WithTestResource(GhibliApiWireMock.class)
class StaleCatalogTests {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @Inject
    CatalogRefresher refresher;

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void startFromAFreshCatalog() {
        GhibliApiStubs.loadFixtureCatalog(ghibliApi, breakers, refresher);
    }

    @Test
    void keepsServingTheLastCatalogMarkedStaleWhileTheApiFailsAndCatchesUpWhenItIsBack() {
        String fetchedAt = given().accept("application/json").get("/movies/").then()
                .body("stale", equalTo(false)).extract().path("fetchedAt");
        serve(ghibliApi, FILMS, aResponse().withStatus(500));

        await().atMost(DEADLINE).untilAsserted(() -> given().accept("application/json")
                .when().get("/movies/")
                .then().statusCode(200)
                .body("stale", equalTo(true))
                .body("fetchedAt", equalTo(fetchedAt))
                .body("movies.size()", equalTo(6)));
        JsonContract.assertFollows(given().accept("application/json").get("/movies/").asString(), "Movies");
        given().accept("text/html")
                .when().get("/movies/")
                .then().statusCode(200)
                .body(containsString("Stale data."))
                .body(containsString("Castle in the Sky"));
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'catalog' }.data.stale", equalTo(true))
                .body("checks.find { it.name == 'catalog' }.data.lastError", equalTo("GET /films answered HTTP 500"));

        serve(ghibliApi, FILMS, json(fixture("films.json")));

        await().atMost(DEADLINE).untilAsserted(() -> given().accept("application/json")
                .when().get("/movies/")
                .then().statusCode(200)
                .body("stale", equalTo(false)));
        String recovered = given().accept("application/json").get("/movies/").path("fetchedAt");
        assertThat(Instant.parse(recovered)).isAfter(Instant.parse(fetchedAt));
    }

    @Test
    void manyRequestsFindingTheCatalogTooOldShareOneRefresh() throws Exception {
        serve(ghibliApi, FILMS, json(fixture("films.json")).withFixedDelay(400));
        await().atMost(DEADLINE).until(() -> Management.given().get("/q/health/ready")
                .path("checks.find { it.name == 'catalog' }.data.stale"));
        ghibliApi.resetRequests();

        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            Callable<Integer> load = () -> given().accept("application/json").get("/movies/").statusCode();
            List<Future<Integer>> results = pool.invokeAll(Collections.nCopies(32, load));
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        ghibliApi.verify(1, requested(FILMS));
    }
}
