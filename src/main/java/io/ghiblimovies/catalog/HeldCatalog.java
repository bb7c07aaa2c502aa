package io.ghiblimovies.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * A catalog as this replica holds it: where it came from, and when it was fetched on this process'
 * monotonic clock ({@link System#nanoTime()}). Ages and staleness are judged on that clock, never on
 * the wall clock, so that a clock stepped back or forth (a VM resumed, an NTP correction, a replica
 * whose clock is minutes off) neither keeps an old catalog fresh nor turns a new one stale; the
 * catalog's {@code fetchedAt} is what users are shown.
 */
public record HeldCatalog(Catalog catalog, Origin origin, long fetchedNanos) {

    public HeldCatalog {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(origin, "origin");
    }

    /** How old the catalog is at {@code nowNanos} ({@link System#nanoTime()}); never negative. */
    public Duration age(long nowNanos) {
        return Duration.ofNanos(Math.max(0, nowNanos - fetchedNanos));
    }

    /**
     * Whether the catalog is older than {@code maxAgeNanos} at {@code nowNanos}: the one definition
     * of stale, for the request path (no allocation) and everything else.
     */
    public boolean olderThan(long maxAgeNanos, long nowNanos) {
        return nowNanos - fetchedNanos > maxAgeNanos;
    }
}
