package io.ghiblimovies.catalog;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;

/**
 * Holds the last good catalog, in the {@code catalog} cache under one key.
 * <p>
 * Only complete catalogs are put, as already completed futures, so a failed refresh can never
 * become the cached value. Should the cache ever drop the entry (an operator configuring an
 * expiry, say), the last good catalog is still held here and put back: expiry never evicts it.
 */
@ApplicationScoped
public class CatalogStore {

    private static final String KEY = "current";

    private final CaffeineCache cache;
    private final CompletableFuture<Catalog> first = new CompletableFuture<>();
    private volatile Catalog lastGood;

    CatalogStore(@CacheName("catalog") Cache cache) {
        this.cache = cache.as(CaffeineCache.class);
    }

    /** The last good catalog, if one was ever published. */
    public Optional<Catalog> current() {
        CompletableFuture<Catalog> held = cache.getIfPresent(KEY);
        if (held != null) {
            return Optional.of(held.join());
        }
        Catalog kept = lastGood;
        if (kept != null) {
            cache.put(KEY, CompletableFuture.completedFuture(kept));
        }
        return Optional.ofNullable(kept);
    }

    /** Makes {@code catalog} the one served, at once and for every request. */
    public void publish(Catalog catalog) {
        Objects.requireNonNull(catalog, "catalog");
        lastGood = catalog;
        cache.put(KEY, CompletableFuture.completedFuture(catalog));
        first.complete(catalog);
    }

    /** Completes with the first catalog ever published. */
    public CompletionStage<Catalog> first() {
        return first.minimalCompletionStage();
    }
}
