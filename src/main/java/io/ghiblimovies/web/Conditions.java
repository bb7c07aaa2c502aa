package io.ghiblimovies.web;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** What a request's headers ask of the representation: compression, and whether it changed (RFC 9110). */
final class Conditions {

    /** Accept-Encoding values already read. */
    private static final HeaderAnswers<Boolean> SEEN = new HeaderAnswers<>(Conditions::parseAcceptsGzip);

    private Conditions() {
    }

    /** Whether {@code Accept-Encoding} accepts gzip, remembered ({@link HeaderAnswers}). */
    static boolean acceptsGzip(String acceptEncoding) {
        return acceptEncoding != null && SEEN.answer(acceptEncoding);
    }

    /** Whether {@code Accept-Encoding} accepts gzip (named or {@code *}, with a quality above zero). */
    static boolean parseAcceptsGzip(String acceptEncoding) {
        boolean gzip = false;
        boolean named = false;
        for (String entry : acceptEncoding.split(",", -1)) {
            String[] parts = entry.split(";", -1);
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean wanted = quality(parts) > 0;
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = wanted;
                named = true;
            } else if (coding.equals("*") && !named) {
                gzip = wanted;
            }
        }
        return gzip;
    }

    /**
     * Whether the client already holds this representation: {@code If-None-Match} names its tag
     * (weak comparison, {@code *} matches), or, without {@code If-None-Match}, nothing changed
     * since {@code If-Modified-Since}. A date that cannot be read is ignored.
     * <p>
     * Not Vert.x's {@code RoutingContext.isFresh()} (a port of jshttp's {@code fresh}): it answers
     * 200 to every request carrying {@code Cache-Control: no-cache} (a directive for caches, not
     * for the origin), requires {@code If-Modified-Since} to match as well when {@code If-None-Match}
     * is present (RFC 9110 13.1.3: ignore it), reads the tag back from the response's headers, and
     * runs a regular expression on each request.
     */
    static boolean notModified(String ifNoneMatch, String ifModifiedSince, String etag, Instant lastModified) {
        if (ifNoneMatch != null) {
            if (ifNoneMatch.equals(etag)) {
                return true; // what a browser sends back: the one tag it was given
            }
            String opaque = opaque(etag);
            for (String tag : ifNoneMatch.split(",", -1)) {
                String candidate = opaque(tag.trim());
                if (candidate.equals("*") || candidate.equals(opaque)) {
                    return true;
                }
            }
            return false;
        }
        if (ifModifiedSince != null) {
            try {
                Instant since = ZonedDateTime.parse(ifModifiedSince.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return lastModified.getEpochSecond() <= since.getEpochSecond();
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return false;
    }

    /** A tag without its weakness: {@code If-None-Match} compares tags weakly (RFC 9110, 13.1.2). */
    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /** The {@code q} parameter of a header entry split at {@code ;}: 1 when absent, -1 when unreadable. */
    static float quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.length() > 2 && (parameter.charAt(0) == 'q' || parameter.charAt(0) == 'Q')
                    && parameter.charAt(1) == '=') {
                try {
                    return Float.parseFloat(parameter.substring(2).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return 1;
    }
}
