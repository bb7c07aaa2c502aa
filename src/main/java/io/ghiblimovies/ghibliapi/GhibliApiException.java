package io.ghiblimovies.ghibliapi;

import java.util.Locale;

/**
 * The Ghibli API could not give a usable answer. The message names the endpoint and the cause
 * in one line, fit for a log; the kind is what metrics count it under.
 */
public class GhibliApiException extends RuntimeException {

    /** What went wrong, from the caller's point of view. */
    public enum Kind {
        /** An HTTP error status. */
        HTTP_ERROR,
        /** No answer within the connect or read timeout. */
        TIMEOUT,
        /**
         * The request was cut off because the whole read ran out of time (or the service stops);
         * counted as a timeout.
         */
        CUT_OFF,
        /** The connection failed: refused, reset, closed. */
        IO_ERROR,
        /** A body that is not JSON, not a list, or lists no films. */
        BAD_BODY,
        /** A body larger than any real catalog. */
        TOO_LARGE;

        /** The metrics tag, {@code http_error}; a request cut off by the read's time bound is a {@code timeout}. */
        public String tag() {
            return this == CUT_OFF ? "timeout" : name().toLowerCase(Locale.ROOT);
        }
    }

    private final Kind kind;

    public GhibliApiException(Kind kind, String message) {
        this(kind, message, null);
    }

    public GhibliApiException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
