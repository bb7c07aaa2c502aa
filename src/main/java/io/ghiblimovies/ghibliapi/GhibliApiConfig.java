package io.ghiblimovies.ghibliapi;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * Where the Ghibli API is, under {@code ghibli.api.} ({@code GHIBLI_API_URL}). Its timeouts are the
 * REST client's own settings, {@code quarkus.rest-client.ghibli-api.connect-timeout} and
 * {@code read-timeout}.
 */
@ConfigMapping(prefix = "ghibli.api")
public interface GhibliApiConfig {

    /**
     * The API's base URL, {@code https://ghibliapi.vercel.app} unless set. Empty only when someone
     * set it so, which the startup check refuses.
     */
    Optional<String> url();
}
