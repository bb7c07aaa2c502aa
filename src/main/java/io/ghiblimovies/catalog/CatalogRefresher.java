package io.ghiblimovies.catalog;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.ghiblimovies.ghibliapi.GhibliClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Keeps the store's catalog fresh: once at startup, then every {@code movies.refresh-interval},
 * and on demand when a request finds the catalog older than {@code movies.max-age}.
 * <p>
 * At startup the snapshot on disk, if any, is served before the API is first called. Each good
 * catalog is published, then saved as the new snapshot. Refreshes are single flight: whoever
 * asks while one runs gets that one. A failed refresh leaves the last good catalog in place; the
 * API's circuit breaker bounds how often a failing API is tried, and while it is open no request
 * starts a refresh at all.
 */
@ApplicationScoped
public class CatalogRefresher {

    private final GhibliClient client;
    private final CatalogStore store;
    private final MoviesConfig config;
    private final CircuitBreakerMaintenance breakers;
    private final CatalogSnapshot snapshot;
    private final Timer refreshSucceeded;
    private final Timer refreshFailed;
    private final Timer refreshNotTried;
    private final AtomicReference<CompletableFuture<Catalog>> inFlight = new AtomicReference<>();
    private volatile RefreshStatus status = RefreshStatus.NEVER;

    CatalogRefresher(GhibliClient client, CatalogStore store, MoviesConfig config,
            CircuitBreakerMaintenance breakers, CatalogSnapshot snapshot, MeterRegistry registry) {
        this.client = client;
        this.store = store;
        this.config = config;
        this.breakers = breakers;
        this.snapshot = snapshot;
        this.refreshSucceeded = refreshTimer(registry, "success");
        this.refreshFailed = refreshTimer(registry, "failure");
        this.refreshNotTried = refreshTimer(registry, "not_tried");
    }

    private static Timer refreshTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("catalog.refresh")
                .description("Catalog refreshes by outcome (not_tried: the API's circuit breaker was open)")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** The snapshot first, so that a restart serves the last good catalog at once; then the API. */
    void loadAtStartup(@Observes StartupEvent event) {
        snapshot.load().ifPresent(store::publish);
        refresh();
    }

    @Scheduled(identity = "catalog-refresh", every = "${movies.refresh-interval}",
            delayed = "${movies.refresh-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshOnSchedule() {
        refresh().handle((catalog, failure) -> null).join();
    }

    /**
     * Starts a refresh, or joins the one under way.
     *
     * @return completes with the new catalog once it is published, or exceptionally with why
     *         there is none
     */
    public CompletableFuture<Catalog> refresh() {
        CompletableFuture<Catalog> mine = new CompletableFuture<>();
        CompletableFuture<Catalog> running = inFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        try {
            Infrastructure.getDefaultWorkerPool().execute(() -> run(mine));
        } catch (RejectedExecutionException e) {
            inFlight.set(null);
            mine.completeExceptionally(e);
        }
        return mine;
    }

    /**
     * For a request that found {@code catalog} (or none): starts a refresh if the catalog is
     * older than {@code movies.max-age}, unless the API's circuit breaker is open.
     *
     * @return the refresh, when it is worth a brief wait: while the API is known to be failing,
     *         a request does not wait on it and is answered from the stale catalog at once
     */
    public Optional<CompletableFuture<Catalog>> refreshIfTooOld(Optional<Catalog> catalog, Instant now) {
        if (catalog.isPresent() && !isStale(catalog.get(), now)) {
            return Optional.empty();
        }
        CompletableFuture<Catalog> refresh = inFlight.get();
        if (refresh == null) {
            if (breakers.currentState(GhibliClient.BREAKER) == CircuitBreakerState.OPEN) {
                return Optional.empty();
            }
            refresh = refresh();
        }
        return status.failingSince() == null ? Optional.of(refresh) : Optional.empty();
    }

    /** Whether {@code catalog} is older than {@code movies.max-age} at {@code now}. */
    public boolean isStale(Catalog catalog, Instant now) {
        return catalog.age(now).compareTo(config.maxAge()) > 0;
    }

    public RefreshStatus status() {
        return status;
    }

    private void run(CompletableFuture<Catalog> result) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long startNanos = System.nanoTime();
        Catalog catalog;
        try {
            catalog = CatalogJoiner.join(client.baseUrl(), started, client.fetch());
            store.publish(catalog);
            succeeded(catalog, started);
            refreshSucceeded.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException | Error e) {
            failed(e, started);
            (e instanceof CircuitBreakerOpenException ? refreshNotTried : refreshFailed)
                    .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            // whatever it was, the next refresh must be able to start
            inFlight.set(null);
            result.completeExceptionally(e);
            return;
        }
        inFlight.set(null);
        result.complete(catalog);
        snapshot.save(catalog);
    }

    private void succeeded(Catalog catalog, Instant at) {
        RefreshStatus before = status;
        status = before.succeeded(at);
        if (before.failingSince() != null) {
            Log.infof("Ghibli API is back after %d failed refreshes since %s; serving a new catalog",
                    before.consecutiveFailures(), before.failingSince());
        }
        Log.debugf("Catalog refreshed: %d films, %d people, in %d ms", catalog.movies().size(),
                catalog.peopleCount(), Duration.between(at, Instant.now()).toMillis());
    }

    private void failed(Throwable e, Instant at) {
        RefreshStatus before = status;
        boolean notTried = e instanceof CircuitBreakerOpenException;
        String why = notTried
                ? "not tried: the Ghibli API failed recently (circuit breaker open)"
                : String.valueOf(e.getMessage());
        // a breaker that is open says nothing new: keep the error that opened it
        status = before.failed(at, notTried && before.lastError() != null ? before.lastError() : why);
        if (before.failingSince() == null) {
            Log.warnf("Catalog refresh failed, serving the last good catalog (%s): %s",
                    store.current().map(c -> "fetched " + c.fetchedAt()).orElse("none yet"), why);
        } else {
            Log.debugf("Catalog refresh failed again (%d in a row): %s", before.consecutiveFailures() + 1, why);
        }
    }
}
