package io.ghiblimovies.web;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static io.ghiblimovies.testing.GhibliApiStubs.FIXTURE_TITLES_IN_ORDER;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.ZoneOffset;
import java.util.zip.GZIPInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.ghiblimovies.testing.JsonContract;
import io.ghiblimovies.testing.Management;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * /movies/ as users see it, against the fixtures. These tests only read, so that
 * {@link MoviesRouteIT} can run them against the packaged app.
 */
@QuarkusTest
@WithTestResource(GhibliApiWireMock.class)
class MoviesRouteTests {

    static final String BROWSER_ACCEPT =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @Test
    void jsonListsEveryFilmWithItsPeopleInOrder() {
        JsonPath json = given().accept("application/json")
                .when().get("/movies/")
                .then().statusCode(200)
                .contentType("application/json")
                .body("source", equalTo(ghibliApi.baseUrl()))
                .body("stale", equalTo(false))
                .body("movies.title", contains(FIXTURE_TITLES_IN_ORDER.toArray()))
                .extract().jsonPath();

        Map<String, Object> castle = json.getMap("movies[0]");
        assertThat(castle).containsOnlyKeys("id", "title", "originalTitle", "originalTitleRomanised",
                "releaseYear", "director", "producer", "runningTimeMinutes", "rtScore", "description", "image",
                "banner", "people");
        assertThat(castle).containsEntry("id", "2baf70d1-42bb-4437-b551-e5fed5a87abe")
                .containsEntry("originalTitle", "天空の城ラピュタ")
                .containsEntry("originalTitleRomanised", "Tenkū no shiro Rapyuta")
                .containsEntry("releaseYear", 1986)
                .containsEntry("director", "Hayao Miyazaki")
                .containsEntry("producer", "Isao Takahata")
                .containsEntry("runningTimeMinutes", 124)
                .containsEntry("rtScore", 95)
                .containsEntry("image",
                        "https://image.tmdb.org/t/p/w600_and_h900_bestv2/npOnzAbLh6VOIu3naU5QaEcTepo.jpg")
                .containsEntry("banner",
                        "https://image.tmdb.org/t/p/w533_and_h300_bestv2/3cyjYtLWCBE1uvWINHFsFnE8LUK.jpg");
        assertThat(json.getList("movies[0].people.name")).containsExactly("Dola", "Lusheeta Toel Ul Laputa",
                "Pazu", "Romska Palo Ul Laputa", "Uncle Pom");
        assertThat(json.getMap("movies[0].people[2]")).isEqualTo(Map.of("id", "fe93adf2-2f3a-4ec4-9f68-5422f1b87c01",
                "name", "Pazu", "species", "Human", "gender", "Male", "age", "13", "eyeColor", "Black",
                "hairColor", "Brown"));
        assertThat(json.getString("movies[3].people[0].species")).isEqualTo("Cat");
        assertThat(json.getList("movies[1].people")).isEmpty();
        assertThat(json.getList("movies[3].people.name")).containsExactly("Jiji", "Kiki");
        assertThat(json.getList("movies[5].people.name")).containsExactly("Chihiro Ogino", "Haku");
        assertThat(Instant.parse(json.getString("fetchedAt"))).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void theJsonAndTheProblemDocumentsFollowThePublishedContract() {
        String movies = given().accept("application/json").get("/movies/").then().statusCode(200).extract().asString();
        String notAcceptable = given().accept("image/png").get("/movies/").then().statusCode(406).extract().asString();

        JsonContract.assertFollows(movies, "Movies");
        JsonContract.assertFollows(notAcceptable, "Problem");
        // and the contract is strict: a field it does not know is a violation
        assertThatThrownBy(() -> JsonContract.assertFollows(movies.replaceFirst("\\{", "{\"extra\":1,"), "Movies"))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void pageShowsEveryFilmWithItsPeople() {
        String page = given().accept(BROWSER_ACCEPT)
                .when().get("/movies/")
                .then().statusCode(200)
                .contentType(containsString("text/html"))
                .body(not(containsString("Stale data")))
                .extract().asString();

        int previous = -1;
        for (String title : FIXTURE_TITLES_IN_ORDER) {
            int at = page.indexOf("-title\">" + title.replace("'", "&#39;") + "</h2>");
            assertThat(at).as(title).isGreaterThan(previous);
            previous = at;
        }
        for (String name : List.of("Pazu", "Uncle Pom", "Satsuki Kusakabe", "Mei Kusakabe", "Totoro", "Kiki",
                "Jiji", "Ashitaka", "San", "Eboshi", "Chihiro Ogino", "Haku", "Dola")) {
            assertThat(page).contains("<span class=\"person-name\">" + name + "</span>");
        }
        String grave = page.substring(page.indexOf("id=\"grave-of-the-fireflies\""), page.indexOf("id=\"my-neighbor-totoro\""));
        assertThat(grave).contains("No people are listed for this film.");
        assertThat(page).contains("6 films · 15 people").contains("天空の城ラピュタ").contains("124 min")
                .contains("95%");
    }

    @Test
    void pageSaysWhenTheFilmsLastChanged() {
        String changedAt = given().accept("application/json").get("/movies/").jsonPath().getString("changedAt");
        given().accept("text/html")
                .when().get("/movies/")
                .then().statusCode(200)
                .body(containsString("last changed <time datetime=\"" + changedAt + "\""));
    }

    @ParameterizedTest
    @ValueSource(strings = { "text/html", BROWSER_ACCEPT, "text/html;q=0.9, application/json;q=0.5",
            "application/json, text/html" })
    void acceptNamingHtmlFirstGetsThePage(String accept) {
        given().accept(accept)
                .when().get("/movies/")
                .then().statusCode(200)
                .contentType(startsWith("text/html"))
                .header("Vary", containsString("Accept"))
                .body(startsWith("<!DOCTYPE html>"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "application/json", "*/*", "application/*", "text/html;q=0.2, application/json",
            "application/json;q=0.9, text/html;q=0.8" })
    void acceptPreferringJsonOrAnythingGetsJson(String accept) {
        given().accept(accept)
                .when().get("/movies/")
                .then().statusCode(200)
                .contentType("application/json")
                .header("Vary", containsString("Accept"))
                .body("movies", hasSize(6));
    }

    @Test
    void noAcceptHeaderGetsJson() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/movies/"))
                        .timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.request().headers().firstValue("Accept")).isEmpty();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JsonPath.from(response.body()).getList("movies")).hasSize(6);
    }

    @Test
    void aTypeThatIsNeitherHtmlNorJsonIsNotAcceptable() {
        given().accept("image/png")
                .when().get("/movies/")
                .then().statusCode(406)
                .contentType("application/problem+json")
                .body("status", equalTo(406))
                .body("detail", containsString("application/json"));
    }

    @Test
    void theCatalogIsAlsoAtMoviesWithoutASlash() {
        given().accept("application/json")
                .when().get("/movies")
                .then().statusCode(200)
                .body("movies", hasSize(6));
    }

    @Test
    void theRootLeadsToTheCatalog() {
        given().redirects().follow(false)
                .when().get("/")
                .then().statusCode(302)
                .header("Location", endsWith("/movies/"));
        given().accept("text/html")
                .when().get("/")
                .then().statusCode(200)
                .body(containsString("Studio Ghibli films"));
    }

    @Test
    void lastModifiedTellsWhenWhatEachRepresentationShowsLastChanged() {
        Response response = given().accept("application/json").when().get("/movies/");
        Instant fetchedAt = Instant.parse(response.jsonPath().getString("fetchedAt"));
        Instant changedAt = Instant.parse(response.jsonPath().getString("changedAt"));

        assertThat(changedAt).isBeforeOrEqualTo(fetchedAt);
        // the JSON tells its fetch; the page, the last change of the films
        assertThat(ZonedDateTime.parse(response.header("Last-Modified"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .isEqualTo(fetchedAt.truncatedTo(ChronoUnit.SECONDS));
        assertThat(ZonedDateTime.parse(given().accept("text/html").get("/movies/").header("Last-Modified"),
                DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).isEqualTo(changedAt.truncatedTo(ChronoUnit.SECONDS));
        // the service makes each answer: it is no cache, and says no Age (RFC 9111, 5.1)
        assertThat(response.header("Age")).isNull();
        // nothing per request in the body, so that it can be rendered once per catalog
        assertThat(response.jsonPath().getMap("")).containsOnlyKeys("source", "fetchedAt", "changedAt", "stale", "movies");
        assertThat(response.header("Vary")).isEqualTo("Accept, Accept-Encoding");
    }

    @Test
    void pageLoadsNeverCallTheGhibliApi() {
        given().accept("application/json").get("/movies/").then().statusCode(200);
        ghibliApi.resetRequests();

        for (int i = 0; i < 40; i++) {
            given().accept(i % 2 == 0 ? BROWSER_ACCEPT : "application/json")
                    .when().get(i % 3 == 0 ? "/movies" : "/movies/")
                    .then().statusCode(200);
        }

        ghibliApi.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void readinessIsUpOnceACatalogIsHeld() {
        given().accept("application/json").get("/movies/").then().statusCode(200);

        Management.given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'catalog' }.data.films", equalTo(6))
                .body("checks.find { it.name == 'catalog' }.data.stale", equalTo(false));
        Management.given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void unknownPathsAreAPlain404() {
        given().accept("text/html")
                .when().get("/movies/nope")
                .then().statusCode(404)
                .body(not(containsString("Exception")));
        given().when().get("/nope").then().statusCode(404).body(not(containsString("at io.")));
    }

    @Test
    void pagesCarrySecurityHeaders() {
        given().accept("text/html")
                .when().get("/movies/")
                .then().statusCode(200)
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("style-src 'self'"))
                .header("Content-Security-Policy", containsString("img-src 'self' https:"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "/movies/%ZZ, 400",
            "/%E0%A4%A, 400",
            "/movies/?q=<10 KB>, 414",
            // the page takes no parameters: a query it cannot read is ignored, as nginx ignores it
            "/movies/?a=%ZZ, 200",
    })
    void malformedAndOverlongRequestsAreAnsweredWithTheSecurityHeaders(String target, int status) throws Exception {
        String sent = target.replace("<10 KB>", "x".repeat(10 * 1024));

        RawAnswer answer = RawAnswer.of(RestAssured.port, "GET " + sent + " HTTP/1.1");

        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.header("Content-Security-Policy")).contains("default-src 'none'").contains("frame-ancestors 'none'");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
        if (status != 200) {
            assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(JsonPath.from(answer.body()).getInt("status")).isEqualTo(status);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/q/health", "/q/health/ready", "/q/metrics", "/q/metrics/x", "/movies/../q/metrics",
            "/q/openapi" })
    void healthAndMetricsAreNotOnThePublicPort(String path) throws Exception {
        RawAnswer answer = RawAnswer.of(RestAssured.port, "GET " + path + " HTTP/1.1");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body()).doesNotContain("catalog").doesNotContain("jvm_");
    }

    @Test
    void thePageLinksItsAssetsUnderNamesThatChangeWithTheirBytes() throws Exception {
        String page = given().accept("text/html").get("/movies/").then().statusCode(200).extract().asString();

        for (String file : List.of("movies.css", "movies.js", "favicon.svg")) {
            String stem = file.substring(0, file.lastIndexOf('.'));
            String extension = file.substring(file.lastIndexOf('.'));
            Matcher link = Pattern.compile("\"(/assets/" + Pattern.quote(stem) + "\\.([0-9a-f]{12})" + Pattern.quote(extension)
                    + ")\"").matcher(page);
            assertThat(link.find()).as("the page links a hashed %s", file).isTrue();

            Response hashed = given().get(link.group(1));
            Response plain = given().get("/assets/" + file);
            assertThat(hashed.statusCode()).isEqualTo(200);
            assertThat(hashed.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            byte[] bytes = hashed.asByteArray();
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).startsWith(link.group(2));
            // the old name still answers the same bytes, but a browser must ask again each time
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.asByteArray()).isEqualTo(bytes);
            assertThat(plain.header("Cache-Control")).isEqualTo("no-cache");
            given().header("If-None-Match", plain.header("ETag")).get("/assets/" + file).then().statusCode(304);
        }
        // another build's name for a file of ours (a rolling update): our bytes, never sent immutable
        Response otherBuild = given().get("/assets/movies.0123456789ab.css");
        assertThat(otherBuild.statusCode()).isEqualTo(200);
        assertThat(otherBuild.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(otherBuild.asByteArray()).isEqualTo(given().get("/assets/movies.css").asByteArray());
        // not a file of ours, under any name
        given().get("/assets/other.0123456789ab.css").then().statusCode(404);
        given().get("/assets/movies.0123456789ab.js.map").then().statusCode(404);
        given().get("/assets/movies.0123456789.css").then().statusCode(404);
    }

    @Test
    void errorsNeverShowAStackTrace() {
        given().accept("application/json").contentType("application/json").body("{}")
                .when().post("/movies/")
                .then().statusCode(405)
                .header("Allow", "GET, HEAD")
                .body(not(containsString("Exception")))
                .body(not(containsString("\tat ")));
        given().accept(";;;, /, q=x, text/html;q=abc")
                .when().get("/movies/")
                .then().statusCode(200)
                .contentType("application/json");
    }

    @Test
    void metricsTellTheCatalogsStateAndTheApisAnswers() {
        given().accept("application/json").get("/movies/").then().statusCode(200);

        String metrics = Management.given().when().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics).contains("catalog_films 6.0").contains("catalog_people 15.0").contains("catalog_stale 0.0")
                .containsPattern("catalog_age_seconds \\d+")
                .containsPattern("catalog_refresh_seconds_count\\{outcome=\"success\"} [1-9]")
                .containsPattern("ghibli_api_requests_seconds_count\\{endpoint=\"/films\",outcome=\"success\"} [1-9]")
                .containsPattern("ghibli_api_requests_seconds_count\\{endpoint=\"/people\",outcome=\"success\"} [1-9]")
                .containsPattern("movies_answers_total\\{representation=\"json\",status=\"200\"} [1-9]")
                // alone, no metric speaks of a fleet
                .doesNotContain("catalog_fleet");
    }

    @Test
    void gzipIsSentToClientsThatAcceptItAndIdentityToOthers() throws Exception {
        for (String accept : List.of("text/html", "application/json")) {
            HttpResponse<byte[]> none = raw(accept, null);
            HttpResponse<byte[]> identity = raw(accept, "identity");
            HttpResponse<byte[]> refused = raw(accept, "gzip;q=0, identity");
            HttpResponse<byte[]> zipped = raw(accept, "gzip, deflate, br");

            for (HttpResponse<byte[]> plain : List.of(none, identity, refused)) {
                assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
                assertThat(plain.body()).isEqualTo(none.body());
            }
            assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(zipped.headers().firstValue("Vary")).hasValue("Accept, Accept-Encoding");
            assertThat(zipped.headers().firstValue("ETag")).isNotEqualTo(none.headers().firstValue("ETag"));
            assertThat(zipped.body().length).isLessThan(none.body().length / 2);
            try (var in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
                assertThat(in.readAllBytes()).isEqualTo(none.body());
            }
        }
    }

    @Test
    void aMatchingEtagIsAnswered304WithoutABody() {
        for (String encoding : List.of("identity", "gzip")) {
            Response first = given().accept(BROWSER_ACCEPT).header("Accept-Encoding", encoding).get("/movies/");
            String etag = first.header("ETag");
            assertThat(etag).matches("\"[A-Za-z0-9_-]{20,}\"");

            given().accept(BROWSER_ACCEPT).header("Accept-Encoding", encoding)
                    .header("If-None-Match", "\"other\", " + etag)
                    .when().get("/movies/")
                    .then().statusCode(304)
                    .header("ETag", etag)
                    .header("Cache-Control", containsString("max-age="))
                    .body(equalTo(""));
            given().accept(BROWSER_ACCEPT).header("Accept-Encoding", encoding)
                    .header("If-None-Match", "W/" + etag)
                    .when().get("/movies/")
                    .then().statusCode(304);
            given().accept(BROWSER_ACCEPT).header("Accept-Encoding", encoding)
                    .header("If-None-Match", "\"something-else\"")
                    .when().get("/movies/")
                    .then().statusCode(200);
        }
        String jsonTag = given().accept("application/json").get("/movies/").header("ETag");
        String htmlTag = given().accept("text/html").get("/movies/").header("ETag");
        assertThat(jsonTag).isNotEqualTo(htmlTag);
        given().accept("text/html").header("If-None-Match", jsonTag).get("/movies/").then().statusCode(200);
    }

    @Test
    void ifModifiedSinceIsAnsweredFromLastModified() {
        String lastModified = given().accept("application/json").get("/movies/").header("Last-Modified");
        Instant fetched = ZonedDateTime.parse(lastModified, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();

        given().accept("application/json").header("If-Modified-Since", lastModified)
                .when().get("/movies/").then().statusCode(304);
        given().accept("application/json").header("If-Modified-Since",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(fetched.minusSeconds(1).atZone(ZoneOffset.UTC)))
                .when().get("/movies/").then().statusCode(200);
        given().accept("application/json").header("If-Modified-Since", "yesterday-ish")
                .when().get("/movies/").then().statusCode(200);
    }

    @Test
    void cachesMayKeepThePageUntilTheNextRefreshThenServeItWhileTheyAskAgainOrWhileTheServiceFails() {
        Response response = given().accept("text/html").get("/movies/");
        long age = Duration.between(Instant.parse(given().accept("application/json").get("/movies/").jsonPath()
                .getString("fetchedAt")), Instant.now()).toSeconds();

        // max-age: the time left before the next refresh (50 s); then 10 s more, to 60 s, while revalidating
        Matcher cacheControl = Pattern.compile("public, max-age=(\\d+), stale-while-revalidate=10, stale-if-error=86400")
                .matcher(response.header("Cache-Control"));
        assertThat(cacheControl.matches()).as(response.header("Cache-Control")).isTrue();
        assertThat(Long.parseLong(cacheControl.group(1))).isBetween(Math.max(1, 50 - age - 1), 50L);
    }

    @Test
    void headSendsTheHeadersWithoutABody() {
        Response get = given().accept("application/json").get("/movies/");
        assertThat(get.header("Content-Length")).isNotBlank();

        given().accept("application/json")
                .when().head("/movies/")
                .then().statusCode(200)
                .header("ETag", get.header("ETag"))
                .header("Content-Type", "application/json")
                .header("Content-Length", get.header("Content-Length"))
                .body(equalTo(""));
    }

    /** An answer read off a raw socket, for requests no HTTP client library would send. */
    record RawAnswer(int status, Map<String, String> headers, String body) {

        static RawAnswer of(int port, String requestLine) throws IOException {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                String[] headAndBody = answer.split("\r\n\r\n", 2);
                String[] lines = headAndBody[0].split("\r\n");
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
                }
                return new RawAnswer(Integer.parseInt(lines[0].split(" ")[1]), headers,
                        headAndBody.length > 1 ? headAndBody[1] : "");
            }
        }

        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    /** A GET with exactly these headers: RestAssured would add an Accept-Encoding of its own. */
    private static HttpResponse<byte[]> raw(String accept, String acceptEncoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/movies/")).header("Accept", accept);
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return HttpClient.newHttpClient().send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
