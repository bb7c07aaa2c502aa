package io.ghiblimovies.web;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.HeldCatalog;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Where /movies/ is rendered: the Qute page and the JSON body, once per catalog and stale flag,
 * kept as bytes (and gzip-compressed bytes). Between two refreshes every request is served the
 * same bytes. A singleton, not a proxied bean: requests call it directly.
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
    private final AtomicReferenceArray<RenderedCatalog> latest = new AtomicReferenceArray<>(2);

    MoviePages(ObjectMapper mapper, StaticAssets assets) {
        this.mapper = mapper;
        this.assets = assets.urls();
    }

    /** The page for browsers while there is no catalog yet. */
    byte[] unavailable(int retryAfterSeconds) {
        return Templates.unavailable(retryAfterSeconds, assets).render().getBytes(StandardCharsets.UTF_8);
    }

    RenderedCatalog of(HeldCatalog held, boolean stale) {
        int slot = stale ? STALE : FRESH;
        RenderedCatalog rendered = latest.get(slot);
        if (rendered == null || rendered.held() != held) {
            rendered = render(held, stale);
            latest.set(slot, rendered);
        }
        return rendered;
    }

    private RenderedCatalog render(HeldCatalog held, boolean stale) {
        Catalog catalog = held.catalog();
        byte[] html = Templates.movies(catalog, stale, assets).render().getBytes(StandardCharsets.UTF_8);
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(
                    new MoviesDocument(catalog.source(), catalog.fetchedAt(), stale, catalog.movies()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The catalog cannot be written as JSON", e);
        }
        return RenderedCatalog.of(held, stale, html, json);
    }
}
