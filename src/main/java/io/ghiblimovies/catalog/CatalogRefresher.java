package io.ghiblimovies.catalog;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import io.ghiblimovies.ghibliapi.GhibliClient;
import io.ghiblimovies.ghibliapi.GhibliData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Keeps the store's catalog fresh: once at startup, then every {@code movies.refresh-interval},
 * and on demand when a request finds the catalog older than {@code movies.max-age}.
 * <p>
 * At startup the snapshot on disk, if any, is served before the API is first called. Each good
 * catalog is published, then saved as the new snapshot. Refreshes are single flight: whoever
 * asks while one runs gets that one. A failed refresh leaves the last good catalog in place; the
 * API's circuit breaker bounds how often a failing API is tried, and while it is open no request
 * starts a refresh at all.
 * <p>
 * With a shared store ({@link Fleet}), the catalog the other replicas share is taken at startup
 * before the snapshot and the API, and a replica reads the API only when it holds the fleet's
 * turn; what it reads it shares. The fleet's own schedule then drives refreshes ({@code fleet/}),
 * and this one's stays idle.
 * <p>
 * Everything that happens in the background (the schedule, refreshes, the fleet's check) runs on
 * one thread of this class, {@code catalog-refresh}, from a JDK scheduled executor that the service
 * owns, rather than on Quarkus' scheduler: that scheduler stops its trigger in a {@code @PreDestroy}
 * and lets invocations already handed to the worker pool run after the CDI container is gone
 * ("Error Occurred After Shutdown"). Here the first observer of {@link ShutdownEvent}, while every
 * bean still stands, interrupts a refresh still reading the API, shuts the executor down and waits
 * for its thread to end (a refresh writing its snapshot is let finish): once it returns, no job body
 * runs and none ever will, so a stop is prompt, quiet, and never leaves half a snapshot.
 */
@ApplicationScoped
public class CatalogRefresher {

    /** How long a stop waits for a refresh to end once it has been interrupted. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final GhibliClient client;
    private final CatalogStore store;
    private final MoviesConfig config;
    private final CircuitBreakerMaintenance breakers;
    private final CatalogSnapshot snapshot;
    private final Fleet fleet;
    private final Counter refreshesForFleet;
    private final Timer refreshSucceeded;
    private final Timer refreshFailed;
    private final Timer refreshNotTried;
    private final AtomicReference<CompletableFuture<Catalog>> inFlight = new AtomicReference<>();
    private final ScheduledThreadPoolExecutor runner = refreshThread();
    private volatile RefreshStatus status = RefreshStatus.NEVER;
    private volatile boolean stopping;
    /** The thread reading the API right now, interrupted by a stop; guarded by {@code this}. */
    private Thread reading;

    CatalogRefresher(GhibliClient client, CatalogStore store, MoviesConfig config,
            CircuitBreakerMaintenance breakers, CatalogSnapshot snapshot, Fleet fleet, MeterRegistry registry) {
        this.client = client;
        this.store = store;
        this.config = config;
        this.breakers = breakers;
        this.snapshot = snapshot;
        this.fleet = fleet;
        this.refreshesForFleet = Counter.builder("catalog.fleet.refreshes")
                .description("Refreshes this replica read from the API and shared with the fleet")
                .register(registry);
        this.refreshSucceeded = refreshTimer(registry, "success");
        this.refreshFailed = refreshTimer(registry, "failure");
        this.refreshNotTried = refreshTimer(registry, "not_tried");
    }

    /**
     * One thread; on shutdown, what is queued or scheduled is dropped, and only what runs goes on
     * (to its end, or until its read is interrupted).
     */
    private static ScheduledThreadPoolExecutor refreshThread() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "catalog-refresh");
            thread.setDaemon(true);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private static Timer refreshTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("catalog.refresh")
                .description("Catalog refreshes by outcome (not_tried: the API's circuit breaker was open)")
                .tag("outcome", outcome)
                .register(registry);
    }

    /**
     * What the other replicas share first, then the snapshot if it is newer, so that a new replica
     * or a restart serves at once; then the API, unless the shared catalog is recent enough.
     */
    void loadAtStartup(@Observes StartupEvent event) {
        fleet.latest().ifPresent(shared -> store.publish(shared, Origin.SHARED));
        snapshot.load().ifPresent(saved -> store.publish(saved, Origin.SNAPSHOT));
        if (!fleet.sharing() || isDue(store.current(), Instant.now())) {
            refresh();
        }
        if (config.scheduleEnabled() && !fleet.sharing()) {
            // the fleet schedules its own check instead (scheduleEvery), which refreshes when due
            scheduleEvery(config.refreshInterval(), this::refresh);
        }
    }

    /**
     * Runs {@code job} every {@code interval} (the first time one interval from now) on the refresh
     * thread, never two at once and never after the stop began. A job that throws is logged and
     * runs again at its next time.
     */
    public void scheduleEvery(Duration interval, Runnable job) {
        long millis = interval.toMillis();
        try {
            runner.scheduleWithFixedDelay(() -> {
                if (stopping) {
                    return;
                }
                try {
                    job.run();
                } catch (RuntimeException e) {
                    Log.warnf("A background job failed; it runs again in %s: %s", interval, e);
                }
            }, millis, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the service is stopping
        }
    }

    /** Runs {@code task} once on the refresh thread, after what is already queued; nothing once the stop began. */
    public void execute(Runnable task) {
        try {
            runner.execute(() -> {
                if (!stopping) {
                    task.run();
                }
            });
        } catch (RejectedExecutionException e) {
            // the service is stopping
        }
    }

    /** Whether {@code catalog} (or none) is {@code movies.refresh-interval} old: time to read the API again. */
    public boolean isDue(Optional<Catalog> catalog, Instant now) {
        return catalog.isEmpty() || catalog.get().age(now).compareTo(config.refreshInterval()) >= 0;
    }

    /** How many refreshes this replica read for the fleet and shared. */
    public long refreshesForFleet() {
        return (long) refreshesForFleet.count();
    }

    /**
     * Runs first when the service stops, while every bean is still there: interrupts a refresh that
     * is reading the API, cancels the schedule, waits (at most {@link #STOP_WAIT}) for the refresh
     * thread to end, so that nothing it does outlives the beans it uses, and releases whoever waits
     * on a refresh.
     */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        synchronized (this) {
            stopping = true;
            if (reading != null) {
                reading.interrupt();
            }
        }
        runner.shutdown(); // what is queued or scheduled is dropped; what runs is let end
        try {
            if (!runner.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                Log.infof("A catalog refresh still runs %d s after the stop began; leaving it behind",
                        STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CompletableFuture<Catalog> abandoned = inFlight.getAndSet(null);
        if (abandoned != null) {
            abandoned.completeExceptionally(new CancellationException("the service is stopping"));
        }
    }

    /** What the schedule does every interval (tests call it directly), waiting for the refresh to end. */
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
        if (stopping) {
            return CompletableFuture.failedFuture(new CancellationException("the service is stopping"));
        }
        CompletableFuture<Catalog> mine = new CompletableFuture<>();
        CompletableFuture<Catalog> running = inFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        try {
            runner.execute(() -> run(mine));
        } catch (RejectedExecutionException e) {
            inFlight.compareAndSet(mine, null);
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
        return catalog.olderThan(config.maxAge().toMillis(), now.toEpochMilli());
    }

    public RefreshStatus status() {
        return status;
    }

    private void run(CompletableFuture<Catalog> result) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long startNanos = System.nanoTime();
        try (Fleet.RefreshClaim claim = fleet.claimRefresh()) {
            if (claim.turn() == Fleet.Turn.TAKEN) {
                // another replica reads the API: take what it shared, if that is newer
                fleet.latest().ifPresent(shared -> store.publish(shared, Origin.SHARED));
                Log.debugf("Catalog refresh left to another replica");
                inFlight.compareAndSet(result, null);
                store.current().ifPresentOrElse(result::complete,
                        () -> result.completeExceptionally(new IllegalStateException("another replica refreshes")));
                return;
            }
            Catalog catalog = CatalogJoiner.join(client.baseUrl(), started, read());
            store.publish(catalog, Origin.API);
            succeeded(catalog, started);
            refreshSucceeded.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            if (claim.turn() == Fleet.Turn.FOR_FLEET) {
                fleet.share(catalog);
                refreshesForFleet.increment();
            }
            Catalog served = store.current().orElse(catalog);
            inFlight.compareAndSet(result, null);
            result.complete(served);
            snapshot.save(served);
        } catch (RuntimeException | Error e) {
            if (stopping) {
                Log.debugf("Catalog refresh dropped: the service is stopping (%s)", e.getMessage());
            } else {
                failed(e, started);
                (e instanceof CircuitBreakerOpenException ? refreshNotTried : refreshFailed)
                        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            }
            inFlight.compareAndSet(result, null);
            result.completeExceptionally(e);
        } finally {
            // whatever happened, the next refresh must be able to start, and no one waits forever
            inFlight.compareAndSet(result, null);
            result.completeExceptionally(new IllegalStateException("the refresh ended without a result"));
        }
    }

    /** The API's data, read on this thread so that a stop can interrupt it; nothing once the stop began. */
    private GhibliData read() {
        synchronized (this) {
            if (stopping) {
                throw new CancellationException("the service is stopping");
            }
            reading = Thread.currentThread();
        }
        try {
            GhibliData data = client.fetch();
            if (stopping) {
                throw new CancellationException("the service is stopping");
            }
            return data;
        } finally {
            synchronized (this) {
                reading = null;
                Thread.interrupted(); // a stop's interrupt is for the read only, never for the snapshot's write
            }
        }
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
        if (e instanceof CircuitBreakerOpenException) {
            // not an attempt: the API was not called, and the error that opened the breaker still stands
            Log.debugf("Catalog refresh not tried: the Ghibli API failed recently (circuit breaker open)");
            return;
        }
        String why = e instanceof TimeoutException
                ? "the Ghibli API did not send films, people and species within the time bound of a whole read"
                : String.valueOf(e.getMessage());
        status = before.failed(at, why);
        if (before.failingSince() == null) {
            Log.warnf("Catalog refresh failed, serving the last good catalog (%s): %s",
                    store.current().map(c -> "fetched " + c.fetchedAt()).orElse("none yet"), why);
        } else {
            Log.debugf("Catalog refresh failed again (%d in a row): %s", before.consecutiveFailures() + 1, why);
        }
    }
}
