package io.ghiblimovies.catalog;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.event.Event;
import jakarta.inject.Singleton;

import io.ghiblimovies.LogFields;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.logging.Log;

/**
 * Holds the last good catalog, in the {@code catalog} cache under one key.
 * <p>
 * Only complete catalogs are put, as already completed futures, so a failed refresh can never
 * become the cached value. Should the cache ever drop the entry (an operator configuring an
 * expiry, say), the last good catalog is still held here and put back: expiry never evicts it.
 * <p>
 * A singleton, not a proxied bean: requests call it directly.
 * <p>
 * Never back in time: a catalog fetched no later than the one held, on this process' monotonic
 * clock, is refused, wherever it comes from (the API, the other replicas, the disk).
 * <p>
 * Before a catalog is published, a {@link Publication} event lets the page render it on the
 * publishing thread; one that cannot be rendered is logged and not published. The store holds it
 * at once; requests get it from the instant the publication names (in a fleet, a moment ahead, the
 * same for every replica), and the one before until then.
 */
@Singleton
public class CatalogStore {

    private static final String KEY = "current";

    private final CaffeineCache cache;
    private final Event<Publication> prepared;
    private final CompletableFuture<HeldCatalog> first = new CompletableFuture<>();
    private volatile HeldCatalog lastGood;

    CatalogStore(@CacheName("catalog") Cache cache, Event<Publication> prepared) {
        this.cache = cache.as(CaffeineCache.class);
        this.prepared = prepared;
    }

    /**
     * The last good catalog, or {@code null}: a single volatile read. It is the very catalog the
     * cache holds, set at the same moment; {@link #current()} asks the cache. In a fleet it can be
     * held a moment before requests get it (the page says which catalog they get).
     */
    public HeldCatalog latest() {
        return lastGood;
    }

    /** The last good catalog, if one was ever published. */
    public Optional<HeldCatalog> current() {
        CompletableFuture<HeldCatalog> held = cache.getIfPresent(KEY);
        if (held != null) {
            return Optional.of(held.join());
        }
        HeldCatalog kept = lastGood;
        if (kept != null) {
            cache.put(KEY, CompletableFuture.completedFuture(kept));
        }
        return Optional.ofNullable(kept);
    }

    /**
     * Makes {@code catalog} the one served, at once and for every request, if it was fetched after
     * the one held.
     *
     * @param fetchedNanos when it was fetched, on {@link System#nanoTime()}'s clock
     * @return whether it is now the one held and served
     */
    public boolean publish(Catalog catalog, Origin from, long fetchedNanos) {
        return publish(catalog, from, fetchedNanos, System.nanoTime());
    }

    /**
     * Holds {@code catalog}, rendered now, and serves it from {@code servedFromNanos} on, if it was
     * fetched after the one held.
     *
     * @param fetchedNanos when it was fetched, on {@link System#nanoTime()}'s clock
     * @param servedFromNanos from when requests get it, on the same clock (the past: at once)
     * @return whether it is now the one held
     */
    public synchronized boolean publish(Catalog catalog, Origin from, long fetchedNanos, long servedFromNanos) {
        Objects.requireNonNull(catalog, "catalog");
        long now = System.nanoTime();
        if (fetchedNanos - now > 0) {
            fetchedNanos = now; // nothing was fetched later than now: such a catalog would stay fresh for ever
        }
        HeldCatalog held = lastGood;
        if (held != null && fetchedNanos - held.fetchedNanos() <= 0) {
            return false;
        }
        HeldCatalog published = new HeldCatalog(catalog, from, fetchedNanos);
        try {
            prepared.fire(new Publication(published, servedFromNanos)); // rendered now, on this thread, never by a request
        } catch (RuntimeException e) {
            try (LogFields fields = LogFields.of("catalog-not-rendered", "fetchedAt", catalog.fetchedAt(),
                    "origin", from.tag(), "trouble", e.getClass().getSimpleName())) {
                Log.warnf("The catalog fetched %s from %s cannot be rendered, and is not served: %s", catalog.fetchedAt(),
                        from.tag(), e.getClass().getSimpleName());
            }
            return false;
        }
        lastGood = published;
        cache.put(KEY, CompletableFuture.completedFuture(published));
        first.complete(published);
        return true;
    }

    /** Where the catalog served came from; empty before the first. */
    public Optional<Origin> origin() {
        return Optional.ofNullable(lastGood).map(HeldCatalog::origin);
    }

    /** Completes with the first catalog ever published. */
    public CompletionStage<HeldCatalog> first() {
        return first.minimalCompletionStage();
    }
}
