package io.ghiblimovies.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The page's stylesheet, script and icon under {@code /assets/}, each also under a name that
 * carries a hash of its bytes ({@code movies.3f2a9c01d4e7.css}): the page links the hashed names,
 * which are sent {@code immutable} for a year, since other bytes get another name. After an
 * upgrade a browser fetches the new files at once instead of running yesterday's script for a
 * day. The plain names still answer, for old links, but are revalidated on every use.
 * <p>
 * The files are read once, from the jar, when the app starts, so the names follow the bytes of
 * the build exactly as a build step would make them; a replica of the same build gives the same
 * names. Each is kept with a gzip copy and a strong entity tag, as the page is.
 * <p>
 * During a rolling update two builds sit behind one balancer, and a page of one asks replicas of
 * both for its hashed names. A hashed name of one of these files that this build did not make (a
 * build before or after it) is answered with this build's file, {@code no-cache} with its own
 * entity tag, never {@code immutable}: the page is styled and its search works whichever replica
 * answers, a name sent {@code immutable} only ever carries the bytes it names, and a browser or a
 * cache that kept the other build's file asks again, and gets the right one once a replica of
 * that build answers.
 */
@ApplicationScoped
class StaticAssets {

    static final String PATH = "/assets/";

    /** The names a page links to. */
    record Urls(String stylesheet, String script, String icon) {
    }

    private record Asset(CharSequence contentType, Body plain, Body gzip) {
    }

    private static final CharSequence IMMUTABLE = HttpHeaders.createOptimized("public, max-age=31536000, immutable");
    private static final CharSequence REVALIDATE = HttpHeaders.createOptimized("no-cache");
    private static final CharSequence VARY = HttpHeaders.createOptimized("Accept-Encoding");
    private static final CharSequence GZIP = HttpHeaders.createOptimized("gzip");

    /** A hashed name as {@link #add} makes them, of any build: stem, 12 hex digits, extension. */
    private static final Pattern HASHED = Pattern.compile("([a-z]+)\\.[0-9a-f]{12}\\.([a-z]+)");

    private final Map<String, Asset> byPlainName = new HashMap<>();
    private final Map<String, Asset> byHashedName = new HashMap<>();
    private final Urls urls;

    StaticAssets() {
        this.urls = new Urls(add("movies.css", "text/css;charset=UTF-8"), add("movies.js", "text/javascript;charset=UTF-8"),
                add("favicon.svg", "image/svg+xml"));
    }

    Urls urls() {
        return urls;
    }

    void register(@Observes Router router) {
        router.get(PATH + ":file").handler(this::handle);
        router.head(PATH + ":file").handler(this::handle);
    }

    private void handle(RoutingContext context) {
        String file = context.pathParam("file");
        Asset hashed = byHashedName.get(file);
        Asset asset = hashed != null ? hashed : byPlainName.get(file);
        if (asset == null) {
            asset = ofAnotherBuild(file);
        }
        if (asset == null) {
            context.next(); // not ours: the plain 404
            return;
        }
        boolean gzip = Conditions.acceptsGzip(context.request().getHeader(HttpHeaders.ACCEPT_ENCODING));
        Body body = gzip ? asset.gzip() : asset.plain();
        HttpServerResponse response = context.response();
        MultiMap headers = response.headers();
        headers.set(HttpHeaders.ETAG, body.etag())
                .set(HttpHeaders.CACHE_CONTROL, hashed != null ? IMMUTABLE : REVALIDATE)
                .set(HttpHeaders.VARY, VARY)
                .set(HttpHeaders.CONTENT_TYPE, asset.contentType());
        if (Conditions.notModified(context.request().getHeader(HttpHeaders.IF_NONE_MATCH), null, body.etag(), null)) {
            response.setStatusCode(304).end();
            return;
        }
        if (gzip) {
            headers.set(HttpHeaders.CONTENT_ENCODING, GZIP);
        }
        if (context.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, body.contentLength()).end();
        } else {
            response.end(body.buffer());
        }
    }

    /** For a hashed name another build made of one of these files, this build's file; else {@code null}. */
    private Asset ofAnotherBuild(String file) {
        Matcher name = HASHED.matcher(file);
        return name.matches() ? byPlainName.get(name.group(1) + "." + name.group(2)) : null;
    }

    /** Reads {@code web/assets/name} and files it under its plain and its hashed name; returns the hashed URL. */
    private String add(String name, String contentType) {
        byte[] bytes = read("web/assets/" + name);
        Asset asset = new Asset(HttpHeaders.createOptimized(contentType), Body.of(bytes), Body.gzipOf(bytes));
        int dot = name.lastIndexOf('.');
        String hashed = name.substring(0, dot) + "." + HexFormat.of().formatHex(Body.digest(bytes), 0, 6)
                + name.substring(dot);
        byPlainName.put(name, asset);
        byHashedName.put(hashed, asset);
        return PATH + hashed;
    }

    private static byte[] read(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The build lacks " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
