package io.ghiblimovies.catalog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * The service's own settings, under {@code movies.}. Each can be set as an environment variable
 * too: {@code movies.max-age} is {@code MOVIES_MAX_AGE}. {@link SettingsCheck} refuses values that
 * make no sense before the service starts.
 */
@ConfigMapping(prefix = "movies")
public interface MoviesConfig {

    /** How often the catalog is read again from the Ghibli API in the background. */
    @WithDefault("50s")
    Duration refreshInterval();

    /**
     * The oldest a catalog may be and still count as fresh. A request that finds an older one
     * starts a refresh (one for all such requests) and the catalog is marked stale until a
     * refresh succeeds.
     */
    @WithDefault("60s")
    Duration maxAge();

    /**
     * How long a cache in front (a CDN, nginx, Varnish) may go on serving its copy while this service
     * fails or cannot be reached ({@code stale-if-error} in {@code Cache-Control}). The service itself
     * serves its last good catalog for as long as the Ghibli API fails; a cache in front may do the same
     * for this long.
     */
    @WithDefault("1d")
    Duration staleIfError();

    /** How long a request waits for the very first catalog before it is answered 503. */
    @WithDefault("3s")
    Duration startupWait();

    /**
     * How long a request that found the catalog too old waits for the refresh it started, while
     * the API is believed healthy. While it is failing, no request waits.
     */
    @WithDefault("500ms")
    Duration refreshWait();

    /** Whether each good catalog is also written to disk, and read back at startup. */
    @WithDefault("true")
    @WithConverter(StrictBoolean.class)
    boolean snapshotEnabled();

    /**
     * Where the catalog snapshot is kept. Written atomically (a temporary file, then a rename),
     * read before the first call to the API at startup, so that a restart while the API is down
     * still serves the last good catalog. By default one file per HTTP port, so that two
     * instances on one machine keep a snapshot each; a snapshot of another API is never served.
     */
    @WithDefault("${user.home}/.cache/ghibli-movies/catalog-${quarkus.http.port}.json")
    Path snapshotPath();

    /**
     * Whether the background schedule runs: the refresh every {@code movies.refresh-interval} and,
     * with a shared store, the fleet's check. Off only in tests that run the jobs themselves.
     */
    @WithDefault("true")
    @WithConverter(StrictBoolean.class)
    boolean scheduleEnabled();

    /** Sharing one catalog among replicas, when {@code quarkus.redis.hosts} is set. */
    Sharing fleet();

    /** {@code movies.fleet.*}: only read when a shared store (Redis) is configured. */
    interface Sharing {

        /**
         * The start of every key this service uses in Redis: {@code {<prefix>}:v2:<tag>:catalog}, the
         * tag a hash of {@code ghibli.api.url} (and {@code ...:catalog:next} for a moment while it is
         * written). The braces make it a hash tag, so that a Redis Cluster keeps a fleet's keys in one
         * slot. Fleets of one API that must not share one catalog take different prefixes.
         */
        @WithDefault("ghibli-movies")
        String keyPrefix();

        /**
         * How often each replica looks at the shared catalog (one small read), takes a newer one,
         * and claims the next read of the API once the shared one is {@code movies.refresh-interval}
         * old by Redis' clock.
         */
        @WithDefault("1s")
        Duration checkInterval();

        /**
         * How long a claim to read the API lasts unless its holder renews it; it does, every third
         * of this, while its read moves on (a request of the read unanswered this long is stuck, and
         * the claim lapses), but never past the read's own time bound (10 s) plus two Redis timeouts
         * (the fetch and the write) plus this. A replica that dies or hangs mid-read holds up the
         * others this long at most.
         */
        @WithDefault("3s")
        Duration leaseTtl();

        /**
         * How long after a replica read the API the fleet starts serving what it read, every
         * replica at the same instant by Redis' clock: the time for the others to take it (a check
         * every 100 ms while a read is under way, the transfer, the rendering). While Redis answers, a
         * client whose requests a balancer spreads over the replicas gets no older catalog after a
         * newer one. A replica that has not taken it by then serves it as soon as it has (counted in
         * {@code catalog.fleet.switches.late}). At most 5 s: a replica with nothing served
         * yet waits for it, and so may a stop.
         */
        @WithDefault("1s")
        Duration switchDelay();

        /**
         * Redis' ACL user, if not the default one; its password is {@code quarkus.redis.password}
         * ({@code QUARKUS_REDIS_PASSWORD}), best given from a secret. Neither belongs in
         * {@code quarkus.redis.hosts}.
         */
        Optional<String> redisUser();
    }
}
