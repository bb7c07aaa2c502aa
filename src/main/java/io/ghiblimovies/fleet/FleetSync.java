package io.ghiblimovies.fleet;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.catalog.CatalogSnapshot;
import io.ghiblimovies.catalog.CatalogStore;
import io.ghiblimovies.catalog.MoviesConfig;
import io.ghiblimovies.catalog.Origin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Keeps this replica's catalog in step with the fleet's, when a shared store is configured.
 * <p>
 * A new catalog is announced on Redis' channel and taken within moments; every
 * {@code movies.fleet.check-interval} the shared version is also compared with this replica's (a
 * notification is lost while a connection is down): a newer shared catalog is taken, an older one
 * (Redis restarted empty, or holds garbage, or missed this replica's refresh while it was away) is
 * replaced by this replica's. And whenever the catalog is {@code movies.refresh-interval} old, this
 * replica asks for a refresh: the lease lets one replica of the fleet read the API, or, while
 * Redis is away, each reads alone as a single replica does.
 * <p>
 * Nothing here runs on the request path: requests are answered from the store's bytes only.
 */
@ApplicationScoped
class FleetSync {

    private final SharedCatalog shared;
    private final FleetRedis redis;
    private final CatalogStore store;
    private final CatalogRefresher refresher;
    private final CatalogSnapshot snapshot;
    private final MoviesConfig config;
    private volatile ReactiveRedisSubscriber subscriber;
    private volatile int subscribedAt = -1;
    private volatile boolean subscribing;
    private volatile int subscriptions;
    private volatile boolean stopping;

    FleetSync(SharedCatalog shared, FleetRedis redis, CatalogStore store, CatalogRefresher refresher,
            CatalogSnapshot snapshot, MoviesConfig config) {
        this.config = config;
        this.shared = shared;
        this.redis = redis;
        this.store = store;
        this.refresher = refresher;
        this.snapshot = snapshot;
    }

    /** Without a shared store, nothing: no metric, no job. */
    void start(@Observes StartupEvent event, MeterRegistry registry) {
        if (!shared.sharing()) {
            return;
        }
        Gauge.builder("catalog.fleet.store.reachable", redis, r -> r.reachable() ? 1 : 0)
                .description("1 while the shared store (Redis) answers, 0 while this replica is cut off from it")
                .register(registry);
        if (config.scheduleEnabled()) {
            refresher.scheduleEvery(config.fleet().checkInterval(), this::check);
        }
    }

    /** Runs on the refresh thread ({@link CatalogRefresher#scheduleEvery}). */
    void check() {
        if (!shared.sharing() || stopping) {
            return;
        }
        try {
            subscribe();
            SharedCatalog.Entry entry = shared.read(false);
            Optional<Catalog> mine = store.current();
            long myVersion = mine.map(catalog -> catalog.fetchedAt().toEpochMilli()).orElse(-1L);
            boolean newer = entry.usable() && entry.version() > myVersion;
            boolean taken = newer && take();
            if (!taken && mine.isPresent() && (newer || !entry.usable() || entry.version() < myVersion)) {
                // Redis lost it, holds something unusable, or missed a catalog read while it was away
                shared.share(mine.get());
            }
        } catch (FleetRedis.Unreachable e) {
            // logged once by FleetRedis; this replica goes on alone
        }
        if (refresher.isDue(store.current(), Instant.now())) {
            refresher.refresh();
        }
    }

    /**
     * Takes the shared catalog if it is good and newer than this replica's.
     *
     * @return whether the store holds a good catalog
     */
    private boolean take() {
        Optional<Catalog> latest = shared.latest();
        if (latest.isPresent() && store.publish(latest.get(), Origin.SHARED)) {
            Log.debugf("Took the fleet's catalog fetched %s", latest.get().fetchedAt());
            snapshot.save(latest.get());
        }
        return latest.isPresent();
    }

    /**
     * (Re)subscribes to the announcements, after a start or after Redis came back. The subscription
     * is made without blocking and without counting for the store's reachability: until it is
     * confirmed, the periodic check alone keeps this replica in step.
     */
    private void subscribe() {
        int reconnections = redis.reconnections();
        if (subscribing || subscriber != null && subscribedAt == reconnections) {
            return;
        }
        ReactiveRedisSubscriber old = subscriber;
        subscriber = null;
        if (old != null) {
            old.unsubscribe().subscribe().with(done -> { }, failure -> { });
        }
        subscribing = true;
        int generation = ++subscriptions;
        redis.reactive().pubsub(String.class)
                .subscribe(shared.channel(), version -> onAnnounced(), () -> lost(generation), failure -> lost(generation))
                .subscribe().with(confirmed -> {
                    subscriber = confirmed;
                    subscribedAt = reconnections;
                    subscribing = false;
                }, failure -> {
                    subscribing = false;
                    Log.debugf("Cannot subscribe to %s yet: %s", shared.channel(), failure.getMessage());
                });
    }

    private void lost(int generation) {
        if (generation == subscriptions) {
            subscriber = null;
        }
    }

    /** Called on a Redis connection's thread: the work is handed to the refresh thread. */
    private void onAnnounced() {
        refresher.execute(() -> {
            try {
                take();
            } catch (FleetRedis.Unreachable e) {
                // the next check catches up
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        ReactiveRedisSubscriber current = subscriber;
        if (current != null) {
            current.unsubscribe().subscribe().with(done -> { }, failure -> { });
        }
    }
}
