package io.ghiblimovies.web;

import io.ghiblimovies.catalog.Catalog;

/** One catalog, with or without the stale notice, rendered once into the bytes every request gets. */
record RenderedCatalog(Catalog catalog, boolean stale, byte[] html, byte[] json) {

    byte[] body(Representation representation) {
        return representation == Representation.HTML ? html : json;
    }
}
