package io.ghiblimovies.ghibliapi;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.PEOPLE;
import static io.ghiblimovies.testing.GhibliApiStubs.SPECIES;
import static io.ghiblimovies.testing.GhibliApiStubs.json;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static io.ghiblimovies.testing.ShortUpstreamBounds.BREAKER_DELAY_MILLIS;
import static io.ghiblimovies.testing.ShortUpstreamBounds.READ_BOUND_MILLIS;
import static io.ghiblimovies.testing.ShortUpstreamBounds.READ_TIMEOUT_MILLIS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.ghibliapi.GhibliApiException.Kind;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.ghiblimovies.testing.Management;
import io.ghiblimovies.testing.ShortUpstreamBounds;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * The client on its own, the one place that calls the API: what it asks for, how each way a
 * request can fail is told apart and counted, and its bounds. Against a fake API that is slow, each
 * answer comes within the read timeout (1 s here), but three of them overrun the bound of a whole
 * read (2 s here): such a read is a failure like any other, for the breaker, the refresher's
 * status and the metrics.
 */
@QuarkusTest
@TestProfile(ShortUpstreamBounds.class)
@WithTestResource(GhibliApiWireMock.class)
class GhibliClientTests {

    /** Under the read timeout, but three of them over the read's bound. */
    static final int SLOW_ANSWER_MILLIS = 700;

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @Inject
    GhibliClient client;

    @Inject
    CatalogRefresher refresher;

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void startFromAHealthyApi() {
        GhibliApiStubs.loadFixtureCatalog(ghibliApi, breakers, refresher);
        ghibliApi.resetRequests();
    }

    @AfterEach
    void letAnyRefreshUnderWayEnd() {
        refresher.refresh().exceptionally(failure -> null).join();
    }

    @Test
    void aReadIsExactlyThreeRequestsEachAskingForAFullPage() {
        GhibliData data = client.fetch();

        assertThat(data.films()).hasSize(6);
        ghibliApi.verify(1, requested(FILMS).withQueryParam("limit", equalTo("250")));
        ghibliApi.verify(1, requested(PEOPLE).withQueryParam("limit", equalTo("250")));
        ghibliApi.verify(1, requested(SPECIES).withQueryParam("limit", equalTo("250")));
        ghibliApi.verify(3, anyRequestedFor(anyUrl()));
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(FILMS, aResponse().withStatus(500).withBody("oops"), Kind.HTTP_ERROR,
                        "GET /films answered HTTP 500"),
                Arguments.of(FILMS, json("[{\"id\": \"x\", \"title\": "), Kind.BAD_BODY,
                        "GET /films sent a body that is not JSON"),
                Arguments.of(PEOPLE, json("{\"message\": \"rate limited\"}"), Kind.BAD_BODY,
                        "GET /people sent JSON that is not a list"),
                Arguments.of(FILMS, json("[" + "\"padding\",".repeat(600_000) + "\"end\"]"), Kind.TOO_LARGE,
                        "GET /films sent more than"),
                Arguments.of(FILMS, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), Kind.IO_ERROR,
                        "GET /films failed"),
                // the first request, so that its read timeout (1 s) comes well before the read's bound (2 s)
                Arguments.of(FILMS, json("[]").withFixedDelay(READ_TIMEOUT_MILLIS + 500), Kind.TIMEOUT,
                        "GET /films failed"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void eachWayARequestFailsIsOneExceptionOfItsKindCountedUnderItsOutcome(String endpoint,
            ResponseDefinitionBuilder answer, Kind kind, String message) {
        serve(ghibliApi, endpoint, answer);
        String outcome = "endpoint=\"" + endpoint + "\",outcome=\"" + kind.tag() + "\"";
        double before = metric("ghibli_api_requests_seconds_count", outcome);

        assertThatThrownBy(client::fetch).isInstanceOf(GhibliApiException.class)
                .hasMessageStartingWith(message)
                .extracting(e -> ((GhibliApiException) e).kind()).isEqualTo(kind);

        assertThat(metric("ghibli_api_requests_seconds_count", outcome)).isEqualTo(before + 1);
        assertThat(breakers.currentState(GhibliClient.BREAKER)).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aReadWhoseAnswersEachComeInTimeButTogetherOverrunItsBoundFailsAsATimeout() {
        GhibliApiStubs.slow(ghibliApi, SLOW_ANSWER_MILLIS);
        double timeoutsBefore = requestsCutOff();
        double ioErrorsBefore = metric("ghibli_api_requests_seconds_count", "endpoint=\"/species\",outcome=\"io_error\"");

        assertThatThrownBy(client::fetch).isInstanceOf(TimeoutException.class);

        assertThat(requestsCutOff()).isEqualTo(timeoutsBefore + 1);
        assertThat(metric("ghibli_api_requests_seconds_count", "endpoint=\"/species\",outcome=\"io_error\""))
                .isEqualTo(ioErrorsBefore);
    }

    @Test
    void twoReadsCutOffByTheirBoundOpenTheBreaker() {
        GhibliApiStubs.slow(ghibliApi, SLOW_ANSWER_MILLIS);

        assertThatThrownBy(client::fetch).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(client::fetch).isInstanceOf(TimeoutException.class);

        assertThat(breakers.currentState(GhibliClient.BREAKER)).isEqualTo(CircuitBreakerState.OPEN);
        ghibliApi.resetRequests();
        assertThatThrownBy(client::fetch).isInstanceOf(CircuitBreakerOpenException.class);
        ghibliApi.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void underSteadyTrafficASlowApiIsReadAboutOncePerBreakerDelayAndOnlyRealAttemptsCount() {
        GhibliApiStubs.slow(ghibliApi, SLOW_ANSWER_MILLIS);
        double notTriedBefore = metric("catalog_refresh_seconds_count", "outcome=\"not_tried\"");
        double failuresBefore = metric("catalog_refresh_seconds_count", "outcome=\"failure\"");
        double cutOffBefore = requestsCutOff();

        // a refresh asked for every 20 ms for 9 s, far more often than any schedule or stale page asks
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(9);
        while (System.nanoTime() < end) {
            refresher.refresh();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        refresher.refresh().exceptionally(failure -> null).join();

        int attempts = ghibliApi.findAll(requested(FILMS)).size();
        // two reads cut off at 2 s open the breaker; then one trial per breaker delay and read:
        // 3 in these 9 s, where an unbounded client makes 6
        assertThat(attempts).isBetween(3, 2 + (int) Math.ceil(seconds * 1000 / (BREAKER_DELAY_MILLIS + READ_BOUND_MILLIS)));
        assertThat(requestsCutOff() - cutOffBefore).isEqualTo(attempts);
        assertThat(metric("catalog_refresh_seconds_count", "outcome=\"failure\"") - failuresBefore).isEqualTo(attempts);
        assertThat(metric("catalog_refresh_seconds_count", "outcome=\"not_tried\"")).isGreaterThan(notTriedBefore);
        // refreshes skipped while the breaker is open are not failures: only real attempts count
        assertThat(refresher.status().consecutiveFailures()).isEqualTo(attempts);
        assertThat(metric("catalog_refresh_consecutive_failures", "")).isEqualTo(attempts);
        assertThat(refresher.status().lastError()).contains("time bound");
    }

    @Test
    void anEmptyFilmListIsABadBodyNotASuccess() {
        serve(ghibliApi, FILMS, json("[]"));
        double successBefore = metric("ghibli_api_requests_seconds_count", "endpoint=\"/films\",outcome=\"success\"");
        double badBefore = metric("ghibli_api_requests_seconds_count", "endpoint=\"/films\",outcome=\"bad_body\"");

        assertThatThrownBy(client::fetch).isInstanceOf(GhibliApiException.class)
                .hasMessage("GET /films listed no films")
                .extracting(e -> ((GhibliApiException) e).kind()).isEqualTo(GhibliApiException.Kind.BAD_BODY);

        assertThat(metric("ghibli_api_requests_seconds_count", "endpoint=\"/films\",outcome=\"success\""))
                .isEqualTo(successBefore);
        assertThat(metric("ghibli_api_requests_seconds_count", "endpoint=\"/films\",outcome=\"bad_body\""))
                .isEqualTo(badBefore + 1);
    }

    /** Requests to any endpoint counted as {@code timeout}. */
    private static double requestsCutOff() {
        return metric("ghibli_api_requests_seconds_count", "endpoint=\"/films\",outcome=\"timeout\"")
                + metric("ghibli_api_requests_seconds_count", "endpoint=\"/people\",outcome=\"timeout\"")
                + metric("ghibli_api_requests_seconds_count", "endpoint=\"/species\",outcome=\"timeout\"");
    }

    /** One sample of /q/metrics, 0 when it is not there (yet). */
    private static double metric(String name, String tags) {
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        String labels = tags.isEmpty() ? "" : "\\{" + Pattern.quote(tags) + ",?}";
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(name) + labels + " (\\S+)$").matcher(metrics);
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }
}
