package io.ghiblimovies.web;

import static io.ghiblimovies.testing.BreakerSettings.breakerDelay;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.ghiblimovies.testing.JsonContract;
import io.ghiblimovies.testing.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The service starts while the Ghibli API is down, so there is no catalog at all yet. */
@QuarkusTest
@TestProfile(ColdStartTests.Profile.class)
class ColdStartTests {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return breakerDelay(300, Map.of("movies.startup-wait", "500ms"));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(GhibliApiWireMock.class,
                    Map.of(GhibliApiWireMock.UPSTREAM, GhibliApiWireMock.DOWN)));
        }
    }

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @Test
    void answers503WithRetryAfterUntilTheFirstCatalogArrives() {
        given().accept("application/json")
                .when().get("/movies/")
                .then().statusCode(503)
                .header("Retry-After", "5")
                .contentType("application/problem+json")
                .body("status", equalTo(503))
                .body("title", equalTo("Service Unavailable"))
                .body(not(containsString("Exception")));
        JsonContract.assertFollows(given().accept("application/json").get("/movies/").asString(), "Problem");
        given().accept("text/html")
                .when().get("/movies/")
                .then().statusCode(503)
                .header("Retry-After", "5")
                .contentType(containsString("text/html"))
                .body(containsString("Not ready yet"));
        Management.given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));

        GhibliApiStubs.healthy(ghibliApi);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().accept("application/json")
                .when().get("/movies/")
                .then().statusCode(200)
                .body("movies.size()", equalTo(6))
                .body("stale", equalTo(false)));
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
