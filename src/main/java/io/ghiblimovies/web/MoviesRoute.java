package io.ghiblimovies.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.ghiblimovies.LogFields;
import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.catalog.HeldCatalog;
import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /movies/} (and {@code /movies}): every film with its people, as a page for browsers and
 * as JSON for everything else. Reads only the catalog {@link MoviePages} published, with its bytes;
 * never calls the Ghibli API itself.
 * <p>
 * A Vert.x route on the I/O thread rather than a JAX-RS resource: the answer is bytes rendered
 * once per catalog, and the JAX-RS pipeline serving the same bytes is measurably slower (the
 * figure is in docs/performance.md, "Why a route"). The common case neither blocks nor waits; only
 * a request that finds the catalog too old (or none) waits, briefly, for a refresh.
 */
@ApplicationScoped
public class MoviesRoute {

    static final String PATH = "/movies";

    /** The longest request target answered, as nginx's default: longer is refused with 414. */
    static final int MAX_REQUEST_TARGET = 8 * 1024;

    /** Seconds a client is asked to wait before retrying while there is no catalog yet. */
    static final int RETRY_AFTER_SECONDS = 5;

    private static final CharSequence VARY = HttpHeaders.createOptimized("Accept, Accept-Encoding");
    private static final CharSequence GZIP = HttpHeaders.createOptimized("gzip");
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
    private static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized("application/problem+json");
    private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized(Integer.toString(RETRY_AFTER_SECONDS));

    private final CatalogRefresher refresher;
    private final MoviePages pages;
    private final MovieAnswers answers;
    private final MoviesConfig config;
    private final Body unavailableHtml;
    private final Body unavailableJson;
    private final Body notAcceptable;
    private final Body tooLong;
    private final long maxAgeNanos;
    private final long refreshSeconds;
    private final String cacheControlTail;
    private volatile CacheControl cacheControl = new CacheControl(-1, "");

    MoviesRoute(CatalogRefresher refresher, MoviePages pages, MovieAnswers answers, MoviesConfig config) {
        this.refresher = refresher;
        this.pages = pages;
        this.answers = answers;
        this.config = config;
        this.unavailableHtml = Body.of(pages.unavailable(RETRY_AFTER_SECONDS));
        this.unavailableJson = problem(503, "Service Unavailable",
                "The catalog has not been loaded from the Ghibli API yet. Retry in a few seconds.");
        this.notAcceptable = problem(406, "Not Acceptable", "/movies/ is available as text/html and as application/json.");
        this.tooLong = problem(414, "URI Too Long", "/movies/ takes no parameters; this request's URI is over "
                + MAX_REQUEST_TARGET + " bytes.");
        this.maxAgeNanos = config.maxAge().toNanos();
        this.refreshSeconds = config.refreshInterval().toSeconds();
        long whileRevalidating = config.maxAge().toSeconds() - refreshSeconds;
        this.cacheControlTail = (whileRevalidating > 0 ? ", stale-while-revalidate=" + whileRevalidating : "")
                + ", stale-if-error=" + config.staleIfError().toSeconds();
    }

    /** A {@code Cache-Control} value and the {@code max-age} it says. */
    private record CacheControl(long maxAge, CharSequence value) {
    }

    /**
     * {@code Cache-Control} for a catalog {@code ageSeconds} old. A browser or a cache may keep the
     * answer until this service has a newer catalog ({@code max-age}: the time left before the next
     * refresh, at least a second), then serve it while it asks for the next one
     * ({@code stale-while-revalidate}: what is left of {@code movies.max-age}), so that nothing it
     * serves is older than {@code movies.max-age} while the API is healthy; and serve it while this
     * service fails ({@code stale-if-error}). No {@code Age}: the service makes each answer, it is not a
     * cache (RFC 9111, 5.1), and a cache that ignored {@code Age} would keep a page for a whole
     * {@code max-age} on top of the age it already had; {@code max-age} carries the time left.
     */
    private CharSequence cacheControl(long ageSeconds) {
        long maxAge = Math.max(1, refreshSeconds - ageSeconds);
        CacheControl known = cacheControl;
        if (known.maxAge() != maxAge) {
            known = new CacheControl(maxAge, HttpHeaders.createOptimized("public, max-age=" + maxAge + cacheControlTail));
            cacheControl = known;
        }
        return known.value();
    }

    void register(@Observes Router router, Vertx vertx) {
        // Linux' epoll (quarkus.vertx.prefer-native-transport) carries more connections per core than Java NIO: docs/performance.md
        boolean epoll = vertx.isNativeTransportEnabled();
        try (LogFields fields = LogFields.of("http-transport", "transport", epoll ? "epoll" : "nio")) {
            Log.infof("HTTP connections are served on %s", epoll ? "epoll, Linux' native transport"
                    : "Java NIO (no native transport here, or quarkus.vertx.prefer-native-transport=false)");
        }
        router.get(PATH).handler(this::handle);
        router.head(PATH).handler(this::handle);
        router.route(PATH).handler(context -> context.response().setStatusCode(405)
                .putHeader(HttpHeaders.ALLOW, "GET, HEAD").putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE).end());
    }

    /** What a request asks for, read from its headers. */
    private record Request(Representation representation, boolean gzip, String ifNoneMatch, String ifModifiedSince,
            boolean head) {
    }

    /**
     * The common case, a catalog fresh enough, costs a few comparisons and map lookups: the
     * Accept headers' answers are remembered, the bodies and all but one header value are made
     * once per catalog, and {@code Cache-Control} once per second. Vert.x Web's own negotiation
     * ({@code Route.produces}) is not used: at equal quality it prefers the client's first type,
     * where this service prefers the page when {@code text/html} is named (RepresentationTest).
     */
    private void handle(RoutingContext context) {
        HttpServerRequest http = context.request();
        boolean head = http.method() == HttpMethod.HEAD;
        if (http.uri().length() > MAX_REQUEST_TARGET) {
            problem(context.response(), 414, tooLong, head);
            answers.count(null, 414);
            return;
        }
        Representation wanted = Representation.forAccept(http.getHeader(HttpHeaders.ACCEPT));
        if (wanted == null) {
            problem(context.response(), 406, notAcceptable, head);
            answers.count(null, 406);
            return;
        }
        Request request = new Request(wanted, Conditions.acceptsGzip(http.getHeader(HttpHeaders.ACCEPT_ENCODING)),
                http.getHeader(HttpHeaders.IF_NONE_MATCH), http.getHeader(HttpHeaders.IF_MODIFIED_SINCE), head);
        long now = System.nanoTime();
        MoviePages.Published latest = pages.latest(now);
        if (latest != null && !latest.held().olderThan(maxAgeNanos, now)) {
            respond(context.response(), latest.fresh(), now, request);
            return;
        }
        Optional<CompletableFuture<HeldCatalog>> wait = refresher.refreshIfTooOld(latest == null ? null : latest.held(), now);
        if (wait.isEmpty()) {
            respond(context.response(), latest, now, request);
            return;
        }
        Duration patience = latest != null ? config.refreshWait() : config.startupWait();
        Context eventLoop = Vertx.currentContext();
        // a copy, so that the timeout ends this request's wait and not the refresh others share
        wait.get().copy()
                .completeOnTimeout(null, patience.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((catalog, failure) -> eventLoop.runOnContext(
                        ignored -> {
                            long answered = System.nanoTime();
                            respond(context.response(), pages.latest(answered), answered, request);
                        }));
    }

    private void respond(HttpServerResponse response, MoviePages.Published published, long nowNanos, Request request) {
        if (response.closed()) {
            return;
        }
        if (published == null) {
            answers.count(request.representation(), 503);
            response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
            if (request.representation() == Representation.HTML) {
                send(response.setStatusCode(503).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                        .putHeader(HttpHeaders.VARY, VARY), Representation.HTML.contentType, unavailableHtml, request.head());
            } else {
                problem(response, 503, unavailableJson, request.head());
            }
            return;
        }
        respond(response, published.at(maxAgeNanos, nowNanos), nowNanos, request);
    }

    private void respond(HttpServerResponse response, RenderedCatalog rendered, long nowNanos, Request request) {
        Body body = rendered.body(request.representation(), request.gzip());
        MultiMap headers = response.headers();
        headers.set(HttpHeaders.ETAG, body.etagHeader())
                .set(HttpHeaders.VARY, VARY)
                .set(HttpHeaders.CACHE_CONTROL, cacheControl(rendered.ageSeconds(nowNanos)))
                .set(HttpHeaders.LAST_MODIFIED, rendered.lastModifiedHeader(request.representation()));
        if (Conditions.notModified(request.ifNoneMatch(), request.ifModifiedSince(), body.etag(),
                rendered.lastModified(request.representation()))) {
            response.setStatusCode(304).end();
            answers.count(request.representation(), 304);
            return;
        }
        if (request.gzip()) {
            headers.set(HttpHeaders.CONTENT_ENCODING, GZIP);
        }
        send(response, request.representation().contentType, body, request.head());
        answers.count(request.representation(), 200);
    }

    private static void send(HttpServerResponse response, CharSequence contentType, Body body, boolean head) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        if (head) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, body.contentLength()).end();
        } else {
            response.end(body.buffer());
        }
    }

    private static void problem(HttpServerResponse response, int status, Body body, boolean head) {
        send(response.setStatusCode(status).putHeader(HttpHeaders.VARY, VARY)
                .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE), PROBLEM_JSON, body, head);
    }

    /** An RFC 9457 problem document; the texts are our own constants, so no escaping is needed. */
    private static Body problem(int status, String title, String detail) {
        return Body.of(("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
