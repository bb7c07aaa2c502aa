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

    RenderedCatalog(Catalog catalog, boolean stale, byte[] html, byte[] json) {
        this(catalog, stale, Body.of(html), Body.of(json), DateTimeFormatter.RFC_1123_DATE_TIME
                .format(catalog.fetchedAt().atOffset(ZoneOffset.UTC)));
    }

    private RenderedCatalog(Catalog catalog, boolean stale, Body html, Body json, String lastModified) {
        this(catalog, stale, html, html.gzipped(), json, json.gzipped(), lastModified);
    }

    Body body(Representation representation, boolean gzip) {
        if (representation == Representation.HTML) {
            return gzip ? htmlGzip : html;
        }
        return gzip ? jsonGzip : json;
    }
}
