package io.ghiblimovies.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * The other replicas, as the refresher sees them: a catalog they share, whose turn it is to read
 * the Ghibli API, and the clock they agree on. Implemented in {@code fleet/} with Redis; when no
 * shared store is configured, this replica is its own fleet: nothing is shared, every turn is its
 * own, and the clock is its own.
 * <p>
 * {@link #sync}, {@link #nextCheck}, {@link #share} and {@link #readFailed} are
 * called on the refresh thread only, one at a time; {@link #sharing}, {@link #now}, {@link #reachable}
 * and {@link #state} from any thread (readiness, metrics), and never wait. No method is called by a
 * request.
 */
public interface Fleet {

    /** Whether a shared store is configured at all. */
    boolean sharing();

    /**
     * Brings this replica in step with the fleet: publishes a newer good shared catalog to the
     * store, and says what this replica should do next.
     *
     * @param mayRead whether this replica may read the API now (its circuit breaker is not open)
     */
    Turn sync(boolean mayRead);

    /**
     * When to {@link #sync} again: every {@code movies.fleet.check-interval}, sooner when the shared
     * catalog turns due or a failed read's hold ends before that, and every 100 ms while another
     * replica reads, so that every replica takes a new catalog before the fleet serves it.
     */
    Duration nextCheck();

    /**
     * Offers a good catalog this replica read to the other replicas, and says from when to serve it.
     *
     * @param forFleet whether it was read for the fleet ({@link Turn#FOR_FLEET}): then every replica
     *        serves it from one instant, {@code movies.fleet.switch-delay} after it is shared by the
     *        fleet's clock; otherwise the others serve it as soon as they take it
     * @return from when this replica serves it, on {@link System#nanoTime()}'s clock: that instant,
     *         or now when it could not be shared (no fleet, or the shared store in trouble); empty
     *         when the fleet already shares a newer catalog, which this replica takes instead
     */
    OptionalLong share(Catalog catalog, boolean forFleet);

    /** The read this replica claimed ({@link Turn#FOR_FLEET}) failed: the fleet waits before it tries again. */
    void readFailed();

    /** Now, by the fleet's clock (the shared store's), as best known; this replica's own clock alone. */
    Instant now();

    /** Whether the shared store answers at all (it may still refuse writes); true when there is none. */
    boolean reachable();

    /** How the shared store answers, for readiness: {@code none} without one, else a word or a short sentence. */
    String state();

    /** What a replica should do after {@link #sync}. */
    enum Turn {
        /** This replica claimed the next read: read the API and {@link #share} it, or report {@link #readFailed}. */
        FOR_FLEET,
        /** The fleet cannot be relied on now (no store, or one that fails): read alone when the catalog is due. */
        ALONE,
        /** Nothing to do: the shared catalog is fresh, or another replica reads it. */
        WAIT
    }
}
