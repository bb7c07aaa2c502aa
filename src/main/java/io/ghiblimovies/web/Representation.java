package io.ghiblimovies.web;

import java.util.Locale;

import io.vertx.core.http.HttpHeaders;

/** The two ways /movies/ can be sent, and how a request's {@code Accept} header picks one. */
enum Representation {

    HTML("text/html;charset=UTF-8"),
    JSON("application/json");

    /** Accept values already read, and what they chose. */
    private static final HeaderAnswers<Representation> SEEN = new HeaderAnswers<>(Representation::parse);

    final CharSequence contentType;

    Representation(String contentType) {
        this.contentType = HttpHeaders.createOptimized(contentType);
    }

    /** {@link #parse(String)}, remembered for the values seen most (see {@link HeaderAnswers}). */
    static Representation forAccept(String accept) {
        return accept == null ? JSON : SEEN.answer(accept);
    }

    /**
     * Picks the representation for an {@code Accept} header: the one with the higher quality,
     * the page when {@code text/html} is named outright at the same quality as JSON, and JSON
     * for {@code *}{@code /*} or a missing header. Entries that cannot be read are skipped; a
     * header with no readable entry counts as missing.
     *
     * @return {@code null} when the client accepts neither
     */
    static Representation parse(String accept) {
        if (accept == null || accept.isBlank()) {
            return JSON;
        }
        Match html = new Match("text", "html");
        Match json = new Match("application", "json");
        boolean readable = false;
        for (String entry : accept.split(",", -1)) {
            // a limit of -1 keeps empty parts, so parts[0] exists even for ";;;"
            String[] parts = entry.split(";", -1);
            String range = parts[0].trim().toLowerCase(Locale.ROOT);
            int slash = range.indexOf('/');
            if (slash <= 0 || slash == range.length() - 1) {
                continue;
            }
            Float quality = quality(parts);
            if (quality == null) {
                continue;
            }
            readable = true;
            String type = range.substring(0, slash);
            String subtype = range.substring(slash + 1);
            html.offer(type, subtype, quality);
            json.offer(type, subtype, quality);
        }
        if (!readable) {
            return JSON; // a header with no readable entry is ignored, as if there were none
        }
        if (html.quality <= 0 && json.quality <= 0) {
            return null;
        }
        if (html.quality != json.quality) {
            return html.quality > json.quality ? HTML : JSON;
        }
        return html.specificity == 2 ? HTML : JSON;
    }

    /** The {@code q} of an entry, 1 when absent; {@code null} when it cannot be read or is out of range. */
    private static Float quality(String[] parts) {
        float q = Conditions.quality(parts);
        return q >= 0 && q <= 1 ? q : null;
    }

    /** The quality a header gives one media type: the most specific matching range decides. */
    private static final class Match {
        private final String type;
        private final String subtype;
        int specificity = -1;
        float quality;

        Match(String type, String subtype) {
            this.type = type;
            this.subtype = subtype;
        }

        void offer(String rangeType, String rangeSubtype, float q) {
            int s;
            if (rangeType.equals(type) && rangeSubtype.equals(subtype)) {
                s = 2;
            } else if (rangeType.equals(type) && rangeSubtype.equals("*")) {
                s = 1;
            } else if (rangeType.equals("*") && rangeSubtype.equals("*")) {
                s = 0;
            } else {
                return;
            }
            if (s > specificity || s == specificity && q > quality) {
                specificity = s;
                quality = q;
            }
        }
    }
}
