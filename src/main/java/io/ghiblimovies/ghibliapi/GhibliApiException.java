package io.ghiblimovies.ghibliapi;

/**
 * The Ghibli API could not give a usable answer: it was unreachable, too slow, answered with an
 * error status, or sent a body that is not the expected JSON. The message names the endpoint
 * and the cause in one line, fit for a log.
 */
public class GhibliApiException extends RuntimeException {

    public GhibliApiException(String message) {
        super(message);
    }

    public GhibliApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
