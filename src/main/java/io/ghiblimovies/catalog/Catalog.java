package io.ghiblimovies.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Every film with its people, as read from {@code source} at {@code fetchedAt} (by the fleet's
 * clock: see {@link Fleet#now()}). Immutable: a newer read makes a new catalog. How old it is, is
 * judged where it is held ({@link HeldCatalog}).
 *
 * @param peopleCount how many different people appear in at least one film
 */
@RegisterForReflection
public record Catalog(String source, Instant fetchedAt, List<Movie> movies, int peopleCount) {

    public Catalog {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        movies = List.copyOf(movies);
    }

    /** Refuses a missing or blank value: what a catalog read back from outside must have, as the API's must. */
    static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
    }
}
