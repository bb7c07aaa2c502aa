package io.ghiblimovies.web;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.ghiblimovies.catalog.HeldCatalog;
import io.vertx.core.http.HttpHeaders;

/**
 * One catalog, with or without the stale notice, rendered once into everything a request can
 * be sent: the page and the JSON, each as is and gzip-compressed, with the header values that go
 * with them. The one value that changes per request, {@code Age}, is made once per second.
 */
final class RenderedCatalog {

    /** An {@code Age} value and the second it is for. */
    private record AgeHeader(long seconds, CharSequence value) {
    }

    private final HeldCatalog held;
    private final boolean stale;
    private final Body html;
    private final Body htmlGzip;
    private final Body json;
    private final Body jsonGzip;
    private final CharSequence lastModified;
    private final long fetchedNanos;
    private volatile AgeHeader age = new AgeHeader(-1, "");

    private RenderedCatalog(HeldCatalog held, boolean stale, byte[] html, byte[] json) {
        this.held = held;
        this.stale = stale;
        this.html = Body.of(html);
        this.htmlGzip = Body.gzipOf(html);
        this.json = Body.of(json);
        this.jsonGzip = Body.gzipOf(json);
        this.lastModified = HttpHeaders.createOptimized(
                DateTimeFormatter.RFC_1123_DATE_TIME.format(held.catalog().fetchedAt().atOffset(ZoneOffset.UTC)));
        this.fetchedNanos = held.fetchedNanos();
    }

    static RenderedCatalog of(HeldCatalog held, boolean stale, byte[] html, byte[] json) {
        return new RenderedCatalog(held, stale, html, json);
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

    /** {@code Last-Modified}: when the catalog was fetched, as an HTTP date. */
    CharSequence lastModified() {
        return lastModified;
    }

    /**
     * {@code Age} at {@code nowNanos} ({@link System#nanoTime()}): whole seconds since the catalog was
     * fetched, on the monotonic clock, never negative.
     */
    CharSequence age(long nowNanos) {
        long seconds = Math.max(0, (nowNanos - fetchedNanos) / 1_000_000_000L);
        AgeHeader known = age;
        if (known.seconds() != seconds) {
            known = new AgeHeader(seconds, HttpHeaders.createOptimized(Long.toString(seconds)));
            age = known;
        }
        return known.value();
    }
}
