package io.ghiblimovies.web;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.ghiblimovies.catalog.Movie;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The JSON body of /movies/. It holds nothing that changes per request, so it is made once per
 * catalog. {@code changedAt}: since when the films and people are what they are.
 */
@RegisterForReflection
@JsonPropertyOrder({ "source", "fetchedAt", "changedAt", "stale", "movies" })
record MoviesDocument(String source, Instant fetchedAt, Instant changedAt, boolean stale, List<Movie> movies) {
}
