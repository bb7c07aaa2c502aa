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
 * Validators change only when what a reader sees changes. The page shows when the films and people
 * last changed ({@code changedAt}), not when they were last fetched, so its bytes and strong tags
 * stay the same across refreshes that changed nothing. The JSON keeps {@code fetchedAt}, so its
 * bytes change at every refresh; its tags are weak (RFC 9110, 8.8.1), taken from the JSON with the
 * fetch time left out: two documents that differ only in when the same films were fetched are
 * equivalent, and a client that holds one gets a {@code 304}. {@code Last-Modified} is when the
 * content last changed, or, for the stale variant, when it turned stale.
 */
final class RenderedCatalog {

    private final HeldCatalog held;
    private final boolean stale;
    private final Body html;
    private final Body htmlGzip;
    private final Body json;
    private final Body jsonGzip;
    private final Instant lastModified;
    private final CharSequence lastModifiedHeader;

    private RenderedCatalog(HeldCatalog held, boolean stale, Instant lastModified, byte[] html, byte[] json,
            byte[] jsonWithoutFetchTime) {
        this.held = held;
        this.stale = stale;
        this.html = Body.of(html);
        this.htmlGzip = Body.gzipOf(html);
        this.json = Body.weak(json, jsonWithoutFetchTime, "");
        this.jsonGzip = Body.weak(Body.gzip(json), jsonWithoutFetchTime, "gzip");
        this.lastModified = lastModified;
        this.lastModifiedHeader = HttpHeaders.createOptimized(
                DateTimeFormatter.RFC_1123_DATE_TIME.format(lastModified.atOffset(ZoneOffset.UTC)));
    }

    /**
     * @param lastModified when what the variant shows last changed
     * @param jsonWithoutFetchTime the JSON as it would be if fetched at another time: what its tags are made of
     */
    static RenderedCatalog of(HeldCatalog held, boolean stale, Instant lastModified, byte[] html, byte[] json,
            byte[] jsonWithoutFetchTime) {
        return new RenderedCatalog(held, stale, lastModified, html, json, jsonWithoutFetchTime);
    }

    HeldCatalog held() {
        return held;
    }

    boolean stale() {
        return stale;
    }

    Body body(Representation representation, boolean gzip) {
        if (representation == Representation.HTML) {
            return gzip ? htmlGzip : html;
        }
        return gzip ? jsonGzip : json;
    }

    /** When what this variant shows last changed, for {@code If-Modified-Since}. */
    Instant lastModified() {
        return lastModified;
    }

    /** {@code Last-Modified}, as an HTTP date. */
    CharSequence lastModifiedHeader() {
        return lastModifiedHeader;
    }

    /** Whole seconds since the catalog was fetched, on the monotonic clock, never negative. */
    long ageSeconds(long nowNanos) {
        return Math.max(0, (nowNanos - held.fetchedNanos()) / 1_000_000_000L);
    }
}
