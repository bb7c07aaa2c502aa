package io.ghiblimovies.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.Admin;
import com.github.tomakehurst.wiremock.junit.Stubbing;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;

import io.ghiblimovies.catalog.CatalogRefresher;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * Ways the fake Ghibli API can behave, built from the fixture bodies under {@code ghibliapi/}; for
 * a {@code WireMockServer} ({@link GhibliApiWireMock}) and a {@link FakeGhibliApi} alike.
 */
public final class GhibliApiStubs {

    public static final String FILMS = "/films";
    public static final String PEOPLE = "/people";
    public static final String SPECIES = "/species";

    /** The fixture films' titles, in the order the service lists them. */
    public static final List<String> FIXTURE_TITLES_IN_ORDER = List.of("Castle in the Sky", "Grave of the Fireflies",
            "My Neighbor Totoro", "Kiki's Delivery Service", "Princess Mononoke", "Spirited Away");

    private GhibliApiStubs() {
    }

    /** Forgets every stub and request, then serves the fixtures. */
    public static <A extends Stubbing & Admin> void healthy(A server) {
        server.resetAll();
        serve(server, FILMS, json(fixture("films.json")));
        serve(server, PEOPLE, json(fixture("people.json")));
        serve(server, SPECIES, json(fixture("species.json")));
    }

    /**
     * Serves the fixtures, closes the API's circuit breaker (left open by an earlier test), and
     * waits for a refresh from them: each test starts from the fixture catalog, fresh.
     */
    public static void loadFixtureCatalog(WireMockServer server, CircuitBreakerMaintenance breakers,
            CatalogRefresher refresher) {
        healthy(server);
        refresher.refresh().exceptionally(failure -> null).join(); // one an earlier test left under way
        breakers.resetAll();
        refresher.refresh().join();
    }

    /**
     * Forgets every stub and request, then serves the fixtures, each answer {@code millis} late: a
     * slow API, each of whose answers may still come within the read timeout.
     */
    public static <A extends Stubbing & Admin> void slow(A server, int millis) {
        server.resetAll();
        serve(server, FILMS, json(fixture("films.json")).withFixedDelay(millis));
        serve(server, PEOPLE, json(fixture("people.json")).withFixedDelay(millis));
        serve(server, SPECIES, json(fixture("species.json")).withFixedDelay(millis));
    }

    /** Forgets every stub and request, then answers everything with 503. */
    public static <A extends Stubbing & Admin> void down(A server) {
        server.resetAll();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("upstream down")));
    }

    /**
     * Answers {@code GET endpoint?limit=250} with {@code response}. A request without the limit
     * matches no stub and gets WireMock's 404.
     */
    public static void serve(Stubbing server, String endpoint, ResponseDefinitionBuilder response) {
        server.stubFor(request(endpoint).willReturn(response));
    }

    public static MappingBuilder request(String endpoint) {
        return get(urlPathEqualTo(endpoint)).withQueryParam("limit", equalTo("250"));
    }

    public static RequestPatternBuilder requested(String endpoint) {
        return getRequestedFor(urlPathEqualTo(endpoint));
    }

    public static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(body);
    }

    public static String fixture(String name) {
        try (InputStream in = GhibliApiStubs.class.getResourceAsStream("/ghibliapi/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture ghibliapi/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
