package io.ghiblimovies.web;

import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.PEOPLE;
import static io.ghiblimovies.testing.GhibliApiStubs.fixture;
import static io.ghiblimovies.testing.GhibliApiStubs.json;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.ghiblimovies.testing.ShortUpstreamBounds;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * Whatever text the API sends, the page shows it as text: escaped by Qute, and links that are not
 * http(s) dropped. The JSON keeps the text as it came. (Shares its application with the other tests
 * that change the fake API's answers.)
 */
@QuarkusTest
@TestProfile(ShortUpstreamBounds.class)
@WithTestResource(GhibliApiWireMock.class)
class PageEscapingTests {

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @Inject
    CatalogRefresher refresher;

    @Inject
    CircuitBreakerMaintenance breakers;

    @AfterEach
    void backToTheFixtures() {
        GhibliApiStubs.loadFixtureCatalog(ghibliApi, breakers, refresher);
    }

    @Test
    void upstreamTextIsEscapedInThePage() {
        serve(ghibliApi, FILMS, json(fixture("films.json")
                .replace("\"Castle in the Sky\"", "\"<script>alert(1)</script>\"")
                .replace("\"Isao Takahata\"", "\"Isao \\\"Quote\\\" Takahata & 'co'\"")
                .replace("https://image.tmdb.org/t/p/w600_and_h900_bestv2/qG3RYlIVpTYclR9TYIsy8p7m7AT.jpg",
                        "javascript:alert(2)")));
        serve(ghibliApi, PEOPLE, json(fixture("people.json").replace("\"Pazu\"", "\"Pazu\\\" onmouseover=\\\"x\"")));

        refresher.refresh().join();

        String page = page();
        assertThat(page).doesNotContain("<script>alert(1)</script>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("alt=\"Poster of &lt;script&gt;alert(1)&lt;/script&gt;\"")
                .contains("Isao &quot;Quote&quot; Takahata &amp; &#39;co&#39;")
                .contains("Pazu&quot; onmouseover=&quot;x")
                .doesNotContain("javascript:");
        assertThat(movies().getString("movies[0].title")).isEqualTo("<script>alert(1)</script>");
    }

    private static JsonPath movies() {
        return given().accept("application/json").when().get("/movies/").then().statusCode(200)
                .extract().jsonPath();
    }

    private static String page() {
        return given().accept("text/html").when().get("/movies/").then().statusCode(200).extract().asString();
    }
}
