package io.ghiblimovies.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * Bytes ready to send, with their strong entity tag (a SHA-256 prefix of exactly these bytes).
 * {@code buffer} holds them off-heap, written as is by every request: Vert.x sends a duplicate of it
 * each time, so one buffer serves all event loops without a copy. No copy stays on the heap.
 */
record Body(Buffer buffer, String etag, CharSequence etagHeader, CharSequence contentLength) {

    static Body of(byte[] bytes) {
        String etag = etagOf(bytes);
        ByteBuf direct = Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
        // header values made once, as bytes with their hash: Vert.x writes them as they are
        return new Body(Buffer.buffer(direct), etag, HttpHeaders.createOptimized(etag),
                HttpHeaders.createOptimized(Integer.toString(bytes.length)));
    }

    /** {@code bytes} gzip-compressed, once, at the best compression level, with its own tag. */
    static Body gzipOf(byte[] bytes) {
        return of(gzip(bytes));
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String etagOf(byte[] bytes) {
        return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest(bytes), 18)) + '"';
    }

    /** The SHA-256 of {@code bytes}. */
    static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
