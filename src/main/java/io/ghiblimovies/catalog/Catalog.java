package io.ghiblimovies.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Every film with its people, as read from {@code source} at {@code fetchedAt}. Immutable: a
 * newer read makes a new catalog.
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

    /** How old this catalog is at {@code now}; never negative. */
    public Duration age(Instant now) {
        Duration age = Duration.between(fetchedAt, now);
        return age.isNegative() ? Duration.ZERO : age;
    }

    /**
     * Whether this catalog is older than {@code maxAgeMillis} at {@code nowMillis} (epoch millis):
     * the one definition of stale, for the request path (no allocation) and everything else.
     */
    public boolean olderThan(long maxAgeMillis, long nowMillis) {
        return nowMillis - fetchedAt.toEpochMilli() > maxAgeMillis;
    }
}
