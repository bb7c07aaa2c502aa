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
 * @param changedAt since when the films and people are what they are: the fetch time of the first
 *        of the catalogs read in a row with this content (a catalog kept from before it was
 *        recorded has its own fetch time); what tells a browser or a cache whether its copy is current
 */
@RegisterForReflection
public record Catalog(String source, Instant fetchedAt, List<Movie> movies, int peopleCount, Instant changedAt) {

    public Catalog {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        movies = List.copyOf(movies);
        changedAt = changedAt == null || changedAt.isAfter(fetchedAt) ? fetchedAt : changedAt;
    }

    /** A catalog read at {@code fetchedAt}, new content as far as anyone knows. */
    public Catalog(String source, Instant fetchedAt, List<Movie> movies, int peopleCount) {
        this(source, fetchedAt, movies, peopleCount, fetchedAt);
    }

    /**
     * This catalog, told that {@code before} (read earlier, and not stale since) had the same films and
     * people: it keeps {@code before}'s {@link #changedAt}. Otherwise, this catalog as it is.
     */
    public Catalog unchangedSince(Catalog before) {
        boolean same = before.source().equals(source) && before.movies().equals(movies);
        return same ? new Catalog(source, fetchedAt, movies, peopleCount, before.changedAt()) : this;
    }

    /** Refuses a missing or blank value: what a catalog read back from outside must have, as the API's must. */
    static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
    }
}
