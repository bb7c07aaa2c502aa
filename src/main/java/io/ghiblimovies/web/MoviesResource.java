package io.ghiblimovies.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.catalog.CatalogStore;
import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;

/**
 * {@code /movies/}: every film with its people, as a page for browsers and as JSON for
 * everything else. Reads only from the store; never calls the Ghibli API itself.
 */
@Path("/movies")
public class MoviesResource {

    /** Seconds a client is asked to wait before retrying while there is no catalog yet. */
    static final int RETRY_AFTER_SECONDS = 5;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance movies(Catalog catalog, boolean stale);

        static native TemplateInstance unavailable(int retryAfterSeconds);
    }

    private static final byte[] UNAVAILABLE_JSON = problem(503, "Service Unavailable",
            "The catalog has not been loaded from the Ghibli API yet. Retry in a few seconds.");
    private static final byte[] NOT_ACCEPTABLE_JSON = problem(406, "Not Acceptable",
            "/movies/ is available as text/html and as application/json.");

    private final CatalogStore store;
    private final CatalogRefresher refresher;
    private final MoviePages pages;
    private final MoviesConfig config;
    private final byte[] unavailableHtml;

    MoviesResource(CatalogStore store, CatalogRefresher refresher, MoviePages pages, MoviesConfig config) {
        this.store = store;
        this.refresher = refresher;
        this.pages = pages;
        this.config = config;
        this.unavailableHtml = Templates.unavailable(RETRY_AFTER_SECONDS).render().getBytes(StandardCharsets.UTF_8);
    }

    @GET
    public Uni<Response> movies(@HeaderParam(HttpHeaders.ACCEPT) String accept) {
        Representation wanted = Representation.forAccept(accept);
        if (wanted == null) {
            return Uni.createFrom().item(problemResponse(406, NOT_ACCEPTABLE_JSON));
        }
        Optional<Catalog> held = store.current();
        Optional<CompletableFuture<Catalog>> refresh = refresher.refreshIfTooOld(held, Instant.now());
        if (refresh.isEmpty()) {
            return Uni.createFrom().item(respond(held, wanted));
        }
        Duration patience = held.isPresent() ? config.refreshWait() : config.startupWait();
        return Uni.createFrom().completionStage(refresh.get())
                .ifNoItem().after(patience).fail()
                .onItemOrFailure().transform((catalog, failure) -> respond(store.current(), wanted));
    }

    private Response respond(Optional<Catalog> held, Representation wanted) {
        if (held.isEmpty()) {
            return unavailable(wanted);
        }
        Catalog catalog = held.get();
        Instant now = Instant.now();
        RenderedCatalog rendered = pages.of(catalog, refresher.isStale(catalog, now));
        return Response.ok(rendered.body(wanted), wanted.contentType)
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                .header("Age", catalog.age(now).toSeconds())
                .lastModified(Date.from(catalog.fetchedAt()))
                .build();
    }

    private Response unavailable(Representation wanted) {
        if (wanted == Representation.HTML) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity(unavailableHtml).type(Representation.HTML.contentType)
                    .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                    .header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                    .build();
        }
        return Response.fromResponse(problemResponse(503, UNAVAILABLE_JSON))
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .build();
    }

    private static Response problemResponse(int status, byte[] body) {
        return Response.status(status).entity(body).type("application/problem+json")
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                .build();
    }

    /** An RFC 9457 problem document; the texts are our own constants, so no escaping is needed. */
    private static byte[] problem(int status, String title, String detail) {
        return ("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
