package io.ghiblimovies.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ghiblimovies.ghibliapi.GhibliClient;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A catalog as bytes, the way it is kept outside this process (the snapshot on disk, the
 * catalog shared in Redis): {@code {"format":1,"catalog":{...}}}. What is read back is untrusted:
 * anything that is not a catalog of this format, with films, read from this service's
 * {@code ghibli.api.url}, is refused with a reason fit for a log line.
 */
@ApplicationScoped
public class CatalogFormat {

    /** The format written, and the only one read. */
    public static final int VERSION = 1;

    /** The most a kept catalog may take, as much as the API may send (the real one is about 50 KB). */
    public static final long MAX_BYTES = 4L * 1024 * 1024;

    /** No catalog was fetched before this service existed, nor can one be dated past what HTTP dates can say. */
    public static final Instant EARLIEST = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** What is kept. */
    @RegisterForReflection
    record Kept(int format, Catalog catalog) {
    }

    /** Bytes that are not a catalog this service can serve. */
    public static class Refused extends Exception {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final ObjectMapper mapper;
    private final String source;

    CatalogFormat(ObjectMapper mapper, GhibliClient client) {
        this.mapper = mapper;
        this.source = client.baseUrl();
    }

    public byte[] write(Catalog catalog) {
        try {
            return mapper.writeValueAsBytes(new Kept(VERSION, catalog));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A catalog cannot be written as JSON", e);
        }
    }

    /**
     * The catalog in {@code bytes}.
     *
     * @throws Refused when they hold no catalog of this format with films, or one read from another API
     */
    public Catalog read(byte[] bytes) throws Refused {
        if (bytes.length > MAX_BYTES) {
            throw new Refused("it is " + bytes.length + " bytes, more than the " + MAX_BYTES + " a catalog may take");
        }
        Kept kept;
        try {
            kept = mapper.readValue(bytes, Kept.class);
        } catch (JsonProcessingException e) {
            // where, not what: a message quoting the bytes would put a stranger's value in the log
            throw new Refused("it cannot be read" + (e.getLocation() == null ? ""
                    : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (IOException | RuntimeException e) {
            throw new Refused("it cannot be read");
        }
        if (kept == null || kept.format() != VERSION || kept.catalog() == null || kept.catalog().movies().isEmpty()) {
            throw new Refused("not a catalog of format " + VERSION + " with films");
        }
        if (kept.catalog().changedAt().isBefore(EARLIEST) || kept.catalog().fetchedAt().isAfter(LATEST)) {
            throw new Refused("it says it was fetched at " + kept.catalog().fetchedAt() + " (changed at "
                    + kept.catalog().changedAt() + "), which no catalog was");
        }
        if (!sameApi(kept.catalog().source(), source)) {
            throw new Refused("it was read from " + kept.catalog().source() + ", not from " + source + " (ghibli.api.url)");
        }
        return kept.catalog();
    }

    /**
     * A short tag of the API catalogs are read from: the first 8 hex digits of the SHA-256 of
     * {@code ghibli.api.url} without its trailing slashes. Fleets reading different APIs keep
     * different shared catalogs, even under one key prefix.
     */
    public String sourceTag() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(withoutTrailingSlash(source).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The same API, whether or not one of the two URLs ends with a slash. */
    static boolean sameApi(String a, String b) {
        return withoutTrailingSlash(a).equals(withoutTrailingSlash(b));
    }

    private static String withoutTrailingSlash(String url) {
        String trimmed = url.trim();
        int end = trimmed.length();
        while (end > 0 && trimmed.charAt(end - 1) == '/') {
            end--;
        }
        return trimmed.substring(0, end);
    }
}
