package io.ghiblimovies.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.HeldCatalog;
import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Where /movies/ is rendered: the Qute page and the JSON body, once per catalog and stale flag, when
 * the catalog is published, kept as bytes (and gzip-compressed bytes). Between two refreshes every
 * request is served the same bytes. A singleton, not a proxied bean: requests call it directly.
 */
@Singleton
class MoviePages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance movies(Catalog catalog, boolean stale, StaticAssets.Urls assets);

        static native TemplateInstance unavailable(int retryAfterSeconds, StaticAssets.Urls assets);
    }

    private static final int FRESH = 0;
    private static final int STALE = 1;

    private final ObjectMapper mapper;
    private final StaticAssets.Urls assets;
    private final Duration maxAge;
    private final AtomicReferenceArray<RenderedCatalog> latest = new AtomicReferenceArray<>(2);

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
     * the store does not publish it.
     */
    void prepare(@Observes HeldCatalog published) {
        RenderedCatalog fresh = render(published, false);
        RenderedCatalog stale = render(published, true);
        latest.set(FRESH, fresh);
        latest.set(STALE, stale);
    }

    /** The catalog rendered, as prepared when it was published (or now, for one that was not). */
    RenderedCatalog of(HeldCatalog held, boolean stale) {
        RenderedCatalog rendered = latest.get(stale ? STALE : FRESH);
        return rendered != null && rendered.held() == held ? rendered : render(held, stale);
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
