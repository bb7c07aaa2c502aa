package io.ghiblimovies.web;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ghiblimovies.catalog.Catalog;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Where /movies/ is rendered: the Qute page and the JSON body, once per catalog and stale flag,
 * kept as bytes (and gzip-compressed bytes). Between two refreshes every request is served the
 * same bytes.
 */
@ApplicationScoped
class MoviePages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance movies(Catalog catalog, boolean stale);

        static native TemplateInstance unavailable(int retryAfterSeconds);
    }

    private static final int FRESH = 0;
    private static final int STALE = 1;

    private final ObjectMapper mapper;
    private final AtomicReferenceArray<RenderedCatalog> latest = new AtomicReferenceArray<>(2);

    MoviePages(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    RenderedCatalog of(Catalog catalog, boolean stale) {
        int slot = stale ? STALE : FRESH;
        RenderedCatalog rendered = latest.get(slot);
        if (rendered == null || rendered.catalog() != catalog) {
            rendered = render(catalog, stale);
            latest.set(slot, rendered);
        }
        return rendered;
    }

    private RenderedCatalog render(Catalog catalog, boolean stale) {
        byte[] html = Templates.movies(catalog, stale).render().getBytes(StandardCharsets.UTF_8);
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(
                    new MoviesDocument(catalog.source(), catalog.fetchedAt(), stale, catalog.movies()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The catalog cannot be written as JSON", e);
        }
        return RenderedCatalog.of(catalog, stale, html, json);
    }
}
