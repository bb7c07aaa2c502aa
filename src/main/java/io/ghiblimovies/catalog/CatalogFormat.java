package io.ghiblimovies.catalog;

import java.io.IOException;

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
        } catch (IOException | RuntimeException e) {
            throw new Refused("it cannot be read (" + firstLine(e.getMessage()) + ")");
        }
        if (kept == null || kept.format() != VERSION || kept.catalog() == null || kept.catalog().movies().isEmpty()) {
            throw new Refused("not a catalog of format " + VERSION + " with films");
        }
        if (!sameApi(kept.catalog().source(), source)) {
            throw new Refused("it was read from " + kept.catalog().source() + ", not from " + source + " (ghibli.api.url)");
        }
        return kept.catalog();
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

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
