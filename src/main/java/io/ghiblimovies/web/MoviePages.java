package io.ghiblimovies.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.HeldCatalog;
import io.ghiblimovies.catalog.MoviesConfig;
import io.ghiblimovies.catalog.Publication;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Where /movies/ is rendered: the Qute page and the JSON body, once per catalog and stale flag, when
 * the catalog is published, kept as bytes (and gzip-compressed bytes). Between two refreshes every
 * request is served the same bytes; requests read the catalog and its bytes together, through one
 * field, and never render. A singleton, not a proxied bean: requests call it directly.
 */
@Singleton
class MoviePages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance movies(Catalog catalog, boolean stale, StaticAssets.Urls assets);

        static native TemplateInstance unavailable(int retryAfterSeconds, StaticAssets.Urls assets);
    }

    /**
     * A published catalog with everything a request can be sent, fresh and stale: what requests
     * read. Until {@code fromNanos} the catalog published before it ({@code before}) is served
     * instead: a fleet's replicas all switch at one instant.
     */
    record Published(HeldCatalog held, RenderedCatalog fresh, RenderedCatalog stale, long fromNanos, Published before) {

        /** The variant to send at {@code nowNanos}: the stale one once the catalog is older than {@code maxAgeNanos}. */
        RenderedCatalog at(long maxAgeNanos, long nowNanos) {
            return held.olderThan(maxAgeNanos, nowNanos) ? stale : fresh;
        }

        /** The one served at {@code nowNanos}: this, or one published before it whose successor is not served yet. */
        Published servedAt(long nowNanos) {
            Published served = this;
            while (served.before != null && nowNanos - served.fromNanos < 0) {
                served = served.before;
            }
            return served;
        }

        /** This, without the catalogs before it that are no longer served at {@code nowNanos}. */
        Published trimmed(long nowNanos) {
            if (before == null) {
                return this;
            }
            return nowNanos - fromNanos >= 0 ? new Published(held, fresh, stale, fromNanos, null)
                    : new Published(held, fresh, stale, fromNanos, before.trimmed(nowNanos));
        }
    }

    private final ObjectMapper mapper;
    private final StaticAssets.Urls assets;
    private final Duration maxAge;
    private volatile Published latest;

    MoviePages(ObjectMapper mapper, StaticAssets assets, MoviesConfig config) {
        this.mapper = mapper;
        this.assets = assets.urls();
        this.maxAge = config.maxAge();
    }

    /** The page for browsers while there is no catalog yet. */
    byte[] unavailable(int retryAfterSeconds) {
        return Templates.unavailable(retryAfterSeconds, assets).render().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Renders a catalog about to be published, fresh and stale, on the thread that publishes it: one
     * rendering at a time, never on the request path. A catalog that cannot be rendered throws, and
     * the store does not publish it. The catalog and its bytes become what requests read in one
     * write, served from the instant the publication names, the one before until then.
     */
    void prepare(@Observes Publication publication) {
        HeldCatalog held = publication.held();
        RenderedCatalog fresh = render(held, false);
        RenderedCatalog stale = render(held, true);
        Published before = latest;
        long now = System.nanoTime();
        // the catalog before is kept only while it is still to be served: never one rendered catalog more for nothing
        latest = new Published(held, fresh, stale, publication.servedFromNanos(),
                before == null || publication.servedFromNanos() - now <= 0 ? null : before.trimmed(now));
    }

    /**
     * The catalog served at {@code nowNanos} (the request's {@link System#nanoTime()}) with its
     * rendered bytes, or {@code null} before the first: a single volatile read.
     */
    Published latest(long nowNanos) {
        Published newest = latest;
        return newest == null ? null : newest.servedAt(nowNanos);
    }

    private RenderedCatalog render(HeldCatalog held, boolean stale) {
        Catalog catalog = held.catalog();
        byte[] html = Templates.movies(catalog, stale, assets).render().getBytes(StandardCharsets.UTF_8);
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(new MoviesDocument(catalog.source(), catalog.fetchedAt(), catalog.changedAt(),
                    stale, catalog.movies()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The catalog cannot be written as JSON", e);
        }
        return RenderedCatalog.of(held, stale, catalog.fetchedAt().plus(maxAge), html, json);
    }
}
