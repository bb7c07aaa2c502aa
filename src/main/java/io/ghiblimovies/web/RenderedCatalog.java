package io.ghiblimovies.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.ghiblimovies.catalog.HeldCatalog;
import io.vertx.core.http.HttpHeaders;

/**
 * One catalog, with or without the stale notice, rendered once into everything a request can
 * be sent: the page and the JSON, each as is and gzip-compressed, with the header values that go
 * with them.
 * <p>
 * Validators change only when what a reader sees changes, and every tag is strong, of the bytes
 * sent. The page shows when the films and people last changed ({@code changedAt}), not when they
 * were last fetched, so its bytes, tags and {@code Last-Modified} stay the same across refreshes
 * that changed nothing: a browser or a cache holding it gets a {@code 304}. The JSON says when it
 * was fetched ({@code fetchedAt}), so it is new at every refresh, and its {@code Last-Modified} is
 * that fetch: a copy kept by a cache never tells an older fetch than the catalog served. (Weak tags
 * for the JSON, as if two documents fetched at two times were equivalent, let nginx and Varnish keep
 * the first document for good, its {@code fetchedAt} 21 s old through caches promising 6: refused.)
 * A stale variant changed when the catalog turned stale.
 */
final class RenderedCatalog {

    private final HeldCatalog held;
    private final Body html;
    private final Body htmlGzip;
    private final Body json;
    private final Body jsonGzip;
    private final Instant pageModified;
    private final Instant jsonModified;
    private final CharSequence pageModifiedHeader;
    private final CharSequence jsonModifiedHeader;

    private RenderedCatalog(HeldCatalog held, boolean stale, Instant staleSince, byte[] html, byte[] json) {
        this.held = held;
        this.html = Body.of(html);
        this.htmlGzip = Body.gzipOf(html);
        this.json = Body.of(json);
        this.jsonGzip = Body.gzipOf(json);
        this.pageModified = stale ? staleSince : held.catalog().changedAt();
        this.jsonModified = stale ? staleSince : held.catalog().fetchedAt();
        this.pageModifiedHeader = httpDate(pageModified);
        this.jsonModifiedHeader = httpDate(jsonModified);
    }

    /** @param staleSince when the catalog turned stale: when the stale variant changed */
    static RenderedCatalog of(HeldCatalog held, boolean stale, Instant staleSince, byte[] html, byte[] json) {
        return new RenderedCatalog(held, stale, staleSince, html, json);
    }

    private static CharSequence httpDate(Instant instant) {
        return HttpHeaders.createOptimized(DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC)));
    }

    Body body(Representation representation, boolean gzip) {
        if (representation == Representation.HTML) {
            return gzip ? htmlGzip : html;
        }
        return gzip ? jsonGzip : json;
    }

    /** When what {@code representation} shows last changed, for {@code If-Modified-Since}. */
    Instant lastModified(Representation representation) {
        return representation == Representation.HTML ? pageModified : jsonModified;
    }

    /** {@code Last-Modified} of {@code representation}, as an HTTP date. */
    CharSequence lastModifiedHeader(Representation representation) {
        return representation == Representation.HTML ? pageModifiedHeader : jsonModifiedHeader;
    }

    /** Whole seconds since the catalog was fetched, on the monotonic clock, never negative. */
    long ageSeconds(long nowNanos) {
        return Math.max(0, (nowNanos - held.fetchedNanos()) / 1_000_000_000L);
    }
}
