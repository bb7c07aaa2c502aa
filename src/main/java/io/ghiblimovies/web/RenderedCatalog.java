package io.ghiblimovies.web;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.ghiblimovies.catalog.Catalog;

/**
 * One catalog, with or without the stale notice, rendered once into everything a request can
 * be sent: the page and the JSON, each as is and gzip-compressed.
 */
record RenderedCatalog(Catalog catalog, boolean stale, Body html, Body htmlGzip, Body json, Body jsonGzip,
        String lastModified) {

    static RenderedCatalog of(Catalog catalog, boolean stale, byte[] html, byte[] json) {
        Body page = Body.of(html);
        Body document = Body.of(json);
        return new RenderedCatalog(catalog, stale, page, page.gzipped(), document, document.gzipped(),
                DateTimeFormatter.RFC_1123_DATE_TIME.format(catalog.fetchedAt().atOffset(ZoneOffset.UTC)));
    }

    Body body(Representation representation, boolean gzip) {
        if (representation == Representation.HTML) {
            return gzip ? htmlGzip : html;
        }
        return gzip ? jsonGzip : json;
    }
}
