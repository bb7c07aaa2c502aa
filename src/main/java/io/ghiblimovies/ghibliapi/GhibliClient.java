package io.ghiblimovies.ghibliapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ghiblimovies.LogFields;
import io.ghiblimovies.ghibliapi.GhibliApiException.Kind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.CircuitBreakerName;

/**
 * The one place that calls the Ghibli API.
 * <p>
 * A read is exactly three requests, {@code GET /films?limit=250}, {@code GET /people?limit=250}
 * and {@code GET /species?limit=250} (the API pages at 50 by default, and there are more than 50
 * people). Species only name people's kind: when that request fails, the read goes on without
 * them. Whatever else goes wrong
 * (unreachable, slow, an error status, a body that is not a JSON array, a body larger than any
 * real catalog, no films at all) comes out as one {@link GhibliApiException}. A single item
 * that cannot be read is skipped, so that the rest of the list survives it.
 * <p>
 * Fault tolerance lives here: the whole read is bounded in time ({@value #READ_BOUND_SECONDS} s:
 * each request has its own read timeout, but three slow answers must not add up to a minute),
 * and a circuit breaker keeps a failing API from being called more than once per
 * {@value #BREAKER_DELAY_SECONDS} s, whatever the traffic. Every way a read can fail counts for
 * the breaker: an error answer, a bad body, and a read cut off by its time bound alike.
 */
@ApplicationScoped
public class GhibliClient {

    /** The REST client interface's name, under which Quarkus files the client's settings. */
    public static final String API_INTERFACE = GhibliApi.class.getName();

    /** The circuit breaker's name, for {@code CircuitBreakerMaintenance}. */
    public static final String BREAKER = "ghibli-api";

    /** Page size asked for; a list this long may have been cut off by the API. */
    static final int PAGE_LIMIT = 250;

    /** The real catalog is about 100 KB; anything past this is not a catalog. */
    static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

    static final long BREAKER_DELAY_SECONDS = 20;

    static final long READ_BOUND_SECONDS = 10;

    private final GhibliApi api;
    private final ObjectMapper reader;
    private final String baseUrl;
    private final MeterRegistry registry;
    private volatile boolean speciesFailing;
    /** When a read last moved on, on {@link System#nanoTime()}'s clock: it started, or one of its requests ended. */
    private volatile long movedNanos = System.nanoTime();

    GhibliClient(@RestClient GhibliApi api, ObjectMapper mapper, GhibliApiConfig config, MeterRegistry registry) {
        this.api = api;
        this.registry = registry;
        this.reader = mapper.copy();
        this.reader.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxDocumentLength(MAX_BODY_BYTES).build());
        this.baseUrl = config.url().orElseThrow().trim();
    }

    /**
     * The longest a whole read may take: the {@code @Timeout} of {@link #fetch()}, as configured
     * ({@code quarkus.fault-tolerance."<this class>/fetch".timeout.value} and {@code .unit}).
     */
    public Duration readBound() {
        return faultToleranceSetting("timeout.value", "timeout.unit", Duration.ofSeconds(READ_BOUND_SECONDS));
    }

    /**
     * How long the API is left alone after failed reads open the circuit breaker: its delay, as
     * configured ({@code quarkus.fault-tolerance."<this class>/fetch".circuit-breaker.delay} and
     * {@code .delay-unit}).
     */
    public Duration retryDelay() {
        return faultToleranceSetting("circuit-breaker.delay", "circuit-breaker.delay-unit",
                Duration.ofSeconds(BREAKER_DELAY_SECONDS));
    }

    private static Duration faultToleranceSetting(String valueKey, String unitKey, Duration annotated) {
        Config config = ConfigProvider.getConfig();
        String prefix = "quarkus.fault-tolerance.\"" + GhibliClient.class.getName() + "/fetch\".";
        Optional<Long> value = config.getOptionalValue(prefix + valueKey, Long.class);
        if (value.isEmpty()) {
            return annotated;
        }
        ChronoUnit unit = config.getOptionalValue(prefix + unitKey, String.class)
                .map(name -> ChronoUnit.valueOf(name.trim().toUpperCase(Locale.ROOT)))
                .orElse(ChronoUnit.SECONDS); // the unit both annotations use
        return Duration.of(value.get(), unit);
    }

    /**
     * When a read last moved on ({@link System#nanoTime()}): it started, or one of its three requests
     * ended. A read whose request has had no answer for a while is stuck, however long its bounds.
     */
    public long movedNanos() {
        return movedNanos;
    }

    /** Where the data comes from, as configured ({@code ghibli.api.url}, checked at startup). */
    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Reads every film and every person.
     *
     * @throws GhibliApiException when the API gives no usable answer
     */
    @Timeout(value = READ_BOUND_SECONDS, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0, delay = BREAKER_DELAY_SECONDS,
            delayUnit = ChronoUnit.SECONDS, failOn = { GhibliApiException.class, TimeoutException.class })
    @CircuitBreakerName(BREAKER)
    public GhibliData fetch() {
        movedNanos = System.nanoTime();
        List<GhibliFilm> films = read("/films", () -> api.films(PAGE_LIMIT), GhibliFilm.class,
                film -> notBlank(film.id()) && notBlank(film.title()), true);
        List<GhibliPerson> people = read("/people", () -> api.people(PAGE_LIMIT), GhibliPerson.class,
                person -> notBlank(person.id()) && notBlank(person.name()), false);
        return new GhibliData(films, people, species());
    }

    /** Every species, or none when they cannot be read: one log line when that starts, one when it ends. */
    private List<GhibliSpecies> species() {
        try {
            List<GhibliSpecies> species = read("/species", () -> api.species(PAGE_LIMIT), GhibliSpecies.class,
                    kind -> notBlank(kind.id()) && notBlank(kind.name()), false);
            if (speciesFailing) {
                try (LogFields fields = LogFields.of("species-back")) {
                    Log.info("GET /species answers again; people show their species");
                }
                speciesFailing = false;
            }
            return species;
        } catch (GhibliApiException e) {
            if (e.kind() == Kind.CUT_OFF) {
                throw e; // the whole read is over, not just species
            }
            if (!speciesFailing) {
                try (LogFields fields = LogFields.of("species-missing", "trouble", e.kind().tag())) {
                    Log.warnf("Showing people without their species: %s", e.getMessage());
                }
                speciesFailing = true;
            }
            return List.of();
        }
    }

    /**
     * One request, timed under its outcome.
     *
     * @param required whether a list with no usable item is a failure (no films: not a catalog)
     */
    private <T> List<T> read(String endpoint, Supplier<InputStream> call, Class<T> type, Predicate<T> usable,
            boolean required) {
        long start = System.nanoTime();
        String outcome = "success";
        try {
            JsonNode body = readBody(endpoint, call);
            if (body == null || !body.isArray()) {
                throw new GhibliApiException(Kind.BAD_BODY, "GET " + endpoint + " sent JSON that is not a list");
            }
            List<T> items = items(endpoint, body, type, usable);
            if (required && items.isEmpty()) {
                throw new GhibliApiException(Kind.BAD_BODY, "GET " + endpoint + " listed no "
                        + endpoint.substring(1) + (body.isEmpty() ? "" : " that could be read"));
            }
            return items;
        } catch (GhibliApiException e) {
            outcome = e.kind().tag();
            throw e;
        } finally {
            movedNanos = System.nanoTime();
            Timer.builder("ghibli.api.requests")
                    .description("Requests to the Ghibli API by endpoint and outcome")
                    .tag("endpoint", endpoint)
                    .tag("outcome", outcome)
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private JsonNode readBody(String endpoint, Supplier<InputStream> call) {
        String request = "GET " + endpoint;
        try (InputStream in = call.get()) {
            return reader.readTree(in);
        } catch (WebApplicationException e) {
            throw new GhibliApiException(Kind.HTTP_ERROR, request + " answered HTTP " + e.getResponse().getStatus(), e);
        } catch (StreamConstraintsException e) {
            throw new GhibliApiException(Kind.TOO_LARGE, request + " sent more than " + MAX_BODY_BYTES + " bytes", e);
        } catch (JsonProcessingException e) {
            throw new GhibliApiException(Kind.BAD_BODY,
                    request + " sent a body that is not JSON: " + e.getOriginalMessage(), e);
        } catch (ProcessingException | IOException e) {
            if (interrupted(e)) {
                throw new GhibliApiException(Kind.CUT_OFF, request + " was cut off: the whole read took longer than"
                        + " its time bound, or the service is stopping", e);
            }
            String cause = rootMessage(e);
            throw new GhibliApiException(cause.contains("Timeout") ? Kind.TIMEOUT : Kind.IO_ERROR,
                    request + " failed: " + cause, e);
        }
    }

    private <T> List<T> items(String endpoint, JsonNode body, Class<T> type, Predicate<T> usable) {
        if (body.size() >= PAGE_LIMIT) {
            try (LogFields fields = LogFields.of("list-truncated", "endpoint", endpoint)) {
                Log.warnf("GET %s returned %d items, the page limit: the list may be truncated", endpoint, body.size());
            }
        }
        List<T> items = new ArrayList<>(body.size());
        int skipped = 0;
        for (JsonNode node : body) {
            T item = convert(node, type);
            if (item != null && usable.test(item)) {
                items.add(item);
            } else {
                skipped++;
            }
        }
        if (skipped > 0) {
            Log.debugf("GET %s: skipped %d of %d items that lack an id or name or have wrongly typed fields",
                    endpoint, skipped, body.size());
        }
        return items;
    }

    private <T> T convert(JsonNode node, Class<T> type) {
        if (!node.isObject()) {
            return null;
        }
        try {
            return reader.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean notBlank(String value) {
        return value != null && !value.isBlank();
    }

    /** Whether the thread was interrupted: by the whole read's time bound, or by a stop. */
    private static boolean interrupted(Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof InterruptedException || cause instanceof InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
