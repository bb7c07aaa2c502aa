package io.ghiblimovies.catalog;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.PEOPLE;
import static io.ghiblimovies.testing.GhibliApiStubs.SPECIES;
import static io.ghiblimovies.testing.GhibliApiStubs.fixture;
import static io.ghiblimovies.testing.GhibliApiStubs.json;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.emptyString;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;

import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.ghiblimovies.testing.JsonContract;
import io.ghiblimovies.testing.Management;
import io.ghiblimovies.testing.ShortUpstreamBounds;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * The refresh job against a fake Ghibli API that changes and fails. The job is called directly;
 * the schedule is off in tests (movies.schedule-enabled).
 */
@QuarkusTest
@TestProfile(ShortUpstreamBounds.class)
@WithTestResource(GhibliApiWireMock.class)
class CatalogRefresherTests {

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @Inject
    CatalogRefresher refresher;

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    @CacheName("catalog")
    Cache cache;

    @BeforeEach
    void startFromTheFixtures() {
        GhibliApiStubs.loadFixtureCatalog(ghibliApi, breakers, refresher);
        ghibliApi.resetRequests();
    }

    @Test
    void oneRefreshIsExactlyThreeRequestsEachAskingForAFullPage() {
        refresher.refreshOnSchedule();

        ghibliApi.verify(1, requested(FILMS).withQueryParam("limit", equalTo("250")));
        ghibliApi.verify(1, requested(PEOPLE).withQueryParam("limit", equalTo("250")));
        ghibliApi.verify(1, requested(SPECIES).withQueryParam("limit", equalTo("250")));
        ghibliApi.verify(3, anyRequestedFor(anyUrl()));
    }

    @Test
    void whenSpeciesFailPeopleStillShowWithoutThem() {
        serve(ghibliApi, SPECIES, aResponse().withStatus(500));

        refresher.refreshOnSchedule();

        JsonPath json = movies();
        assertThat(json.getList("movies.people.flatten().name")).hasSize(15).contains("Pazu", "Totoro", "Haku");
        assertThat(json.getList("movies.people.flatten().species")).containsOnlyNulls();
        JsonContract.assertFollows(json.prettify(), "Movies");
        assertThat(refresher.status().consecutiveFailures()).isZero();

        GhibliApiStubs.healthy(ghibliApi);
        refresher.refreshOnSchedule();

        assertThat(movies().getString("movies.find { it.title == 'My Neighbor Totoro' }.people.find { it.name == 'Totoro' }.species"))
                .isEqualTo("Totoro");
    }

    @Test
    void scheduledRefreshPicksUpAChangedUpstream() {
        JsonPath before = movies();
        serve(ghibliApi, FILMS, json(fixture("films.json").replace("Castle in the Sky", "Castle in the Sky (2026 cut)")));
        serve(ghibliApi, PEOPLE, json(fixture("people.json").replace("\"Pazu\"", "\"Pazu the Brave\"")));

        refresher.refreshOnSchedule();

        JsonPath after = movies();
        assertThat(after.getString("movies[0].title")).isEqualTo("Castle in the Sky (2026 cut)");
        assertThat(after.getList("movies[0].people.name")).contains("Pazu the Brave").doesNotContain("Pazu");
        assertThat(after.getString("fetchedAt")).isGreaterThan(before.getString("fetchedAt"));
        assertThat(page()).contains("Castle in the Sky (2026 cut)").contains("Pazu the Brave");
    }

    /**
     * A browser (or a cache) holding the page revalidates across refreshes that changed nothing and
     * gets 304s, a few hundred bytes instead of the whole page; once the films change, a full answer
     * with new validators. The JSON, which says when it was fetched, is new at each refresh, and says
     * since when its films are what they are.
     */
    @Test
    void revalidatingThePageAcrossRefreshesThatChangedNothingGets304sUntilTheFilmsChange() {
        Response first = given().accept("text/html").header("Accept-Encoding", "gzip").get("/movies/");
        String etag = first.header("ETag");
        String lastModified = first.header("Last-Modified");
        String changedAt = movies().getString("changedAt");
        for (int i = 0; i < 3; i++) {
            Response json = given().accept("application/json").get("/movies/");
            refresher.refreshOnSchedule(); // the API says the same again

            given().accept("text/html").header("Accept-Encoding", "gzip").header("If-None-Match", etag)
                    .get("/movies/").then().statusCode(304).header("ETag", etag).body(emptyString());
            given().accept("text/html").header("Accept-Encoding", "gzip").header("If-Modified-Since", lastModified)
                    .get("/movies/").then().statusCode(304);
            Response newer = given().accept("application/json").header("If-None-Match", json.header("ETag")).get("/movies/");
            assertThat(newer.statusCode()).isEqualTo(200);
            assertThat(newer.jsonPath().getString("fetchedAt")).isGreaterThan(json.jsonPath().getString("fetchedAt"));
            assertThat(newer.jsonPath().getString("changedAt")).isEqualTo(changedAt);
        }
        serve(ghibliApi, FILMS, json(fixture("films.json").replace("Castle in the Sky", "Castle in the Sky (2026 cut)")));
        refresher.refreshOnSchedule();

        Response changed = given().accept("text/html").header("Accept-Encoding", "gzip").header("If-None-Match", etag)
                .get("/movies/");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.header("ETag")).isNotEqualTo(etag);
        assertThat(changed.header("Last-Modified")).isNotEqualTo(lastModified);
        assertThat(movies().getString("changedAt")).isEqualTo(movies().getString("fetchedAt"));
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheApiAnswers500() {
        serve(ghibliApi, FILMS, aResponse().withStatus(500).withBody("oops"));

        assertKeepsTheLastGoodCatalog("GET /films answered HTTP 500");
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheApiSendsBrokenJson() {
        serve(ghibliApi, FILMS, json("[{\"id\": \"x\", \"title\": "));

        assertKeepsTheLastGoodCatalog("GET /films sent a body that is not JSON");
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheApiSendsHtml() {
        serve(ghibliApi, FILMS, aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html><body>Maintenance</body></html>"));

        assertKeepsTheLastGoodCatalog("GET /films sent a body that is not JSON");
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheApiIsSlowerThanTheReadTimeout() {
        serve(ghibliApi, PEOPLE, json(fixture("people.json")).withFixedDelay(3_000));

        assertKeepsTheLastGoodCatalog("GET /people failed");
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheConnectionIsReset() {
        serve(ghibliApi, FILMS, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        assertKeepsTheLastGoodCatalog("GET /films failed");
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheApiListsNoFilms() {
        serve(ghibliApi, FILMS, json("[]"));

        assertKeepsTheLastGoodCatalog("GET /films listed no films");
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheApiSendsSomethingOtherThanAList() {
        serve(ghibliApi, PEOPLE, json("{\"message\": \"rate limited\"}"));

        assertKeepsTheLastGoodCatalog("GET /people sent JSON that is not a list");
    }

    @Test
    void keepsTheLastGoodCatalogWhenTheBodyIsFarLargerThanAnyCatalog() {
        String huge = "[" + "\"padding\",".repeat(600_000) + "\"end\"]";
        serve(ghibliApi, FILMS, json(huge));

        assertKeepsTheLastGoodCatalog("GET /films sent more than");
    }

    @Test
    void aMalformedItemIsSkippedAndTheRestSurvive() {
        String films = fixture("films.json")
                .replace("\"title\": \"Spirited Away\"", "\"title\": {\"en\": \"Spirited Away\"}")
                .replaceFirst("\\[", "[42, {\"title\": \"No id\"},");
        serve(ghibliApi, FILMS, json(films));

        refresher.refreshOnSchedule();

        assertThat(movies().getList("movies.title")).hasSize(5).doesNotContain("Spirited Away");
        assertThat(refresher.status().consecutiveFailures()).isZero();
    }

    @Test
    void aFailingApiIsNotCalledAgainUntilTheBreakerLetsATrialThrough() {
        serve(ghibliApi, FILMS, aResponse().withStatus(503));

        for (int i = 0; i < 10; i++) {
            refresher.refreshOnSchedule();
        }

        // two failures open the breaker; the other eight refreshes never reach the API and are no failures
        ghibliApi.verify(2, requested(FILMS));
        assertThat(refresher.status().consecutiveFailures()).isEqualTo(2);
        assertThat(refresher.status().lastError()).isEqualTo("GET /films answered HTTP 503");
    }

    @Test
    void cacheExpiryNeverEvictsTheLastGoodCatalog() {
        String fetchedAt = movies().getString("fetchedAt");
        GhibliApiStubs.down(ghibliApi);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> cache.as(CaffeineCache.class).getIfPresent("current") == null);

        JsonPath after = movies();
        assertThat(after.getString("fetchedAt")).isEqualTo(fetchedAt);
        assertThat(after.getList("movies")).hasSize(6);
        ghibliApi.verify(0, anyRequestedFor(anyUrl()));
    }

    private void assertKeepsTheLastGoodCatalog(String expectedError) {
        JsonPath before = movies();

        refresher.refreshOnSchedule();

        JsonPath after = movies();
        assertThat(after.getString("fetchedAt")).isEqualTo(before.getString("fetchedAt"));
        assertThat(after.getList("movies.title")).isEqualTo(before.getList("movies.title")).hasSize(6);
        assertThat(after.getList("movies.people.name")).isEqualTo(before.getList("movies.people.name"));
        assertThat(refresher.status().lastError()).startsWith(expectedError);
        assertThat(refresher.status().consecutiveFailures()).isEqualTo(1);
        Management.given().get("/q/health/ready").then().statusCode(200);
    }

    private static JsonPath movies() {
        return given().accept("application/json").when().get("/movies/").then().statusCode(200)
                .extract().jsonPath();
    }

    private static String page() {
        return given().accept("text/html").when().get("/movies/").then().statusCode(200).extract().asString();
    }
}
