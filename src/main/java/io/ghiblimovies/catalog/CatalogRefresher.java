package io.ghiblimovies.catalog;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.OptionalLong;
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

import io.ghiblimovies.LogFields;
import io.ghiblimovies.ghibliapi.GhibliApiException;
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
 * and, alone, on demand when a request finds the catalog older than {@code movies.max-age}.
 * <p>
 * At startup the snapshot on disk, if any, is served before the API is first called. Each good
 * catalog is published, then saved as the new snapshot. Refreshes are single flight: whoever
 * asks while one runs gets that one. A failed refresh leaves the last good catalog in place; the
 * API's circuit breaker bounds how often a failing API is tried, and while it is open no request
 * starts a refresh at all.
 * <p>
 * With a shared store ({@link Fleet}), the fleet's check runs every {@code movies.fleet.check-interval}
 * instead: it takes what the other replicas share, and this replica reads the API when it holds the
 * fleet's claim (and shares what it reads), or alone when the shared store cannot be relied on and
 * its catalog is due. Requests then start nothing: they never wait on the shared store.
 * <p>
 * Everything that happens in the background (the schedule, refreshes, the fleet's check, snapshot
 * writes) runs on one thread of this class, {@code catalog-refresh}, from a JDK scheduled executor
 * that the service owns, rather than on Quarkus' scheduler: that scheduler stops its trigger in a
 * {@code @PreDestroy} and lets invocations already handed to the worker pool run after the CDI
 * container is gone ("Error Occurred After Shutdown"). Here the first observer of
 * {@link ShutdownEvent}, while every bean still stands, interrupts a refresh still reading the API,
 * shuts the executor down and waits for its thread to end (a refresh writing its snapshot is let
 * finish): once it returns, no job body runs and none ever will, so a stop is prompt, quiet, and
 * never leaves half a snapshot.
 */
@ApplicationScoped
public class CatalogRefresher {

    /** Ages are counted up to this: older is as old, and the count cannot overflow. */
    public static final Duration OLDEST = Duration.ofDays(30);

    /** How long a stop waits for a refresh to end once it has been interrupted. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final GhibliClient client;
    private final CatalogStore store;
    private final MoviesConfig config;
    private final CircuitBreakerMaintenance breakers;
    private final CatalogSnapshot snapshot;
    private final Fleet fleet;
    private final Optional<Counter> refreshesForFleet;
    private final Timer refreshSucceeded;
    private final Timer refreshFailed;
    private final Timer refreshNotTried;
    private final AtomicReference<CompletableFuture<HeldCatalog>> inFlight = new AtomicReference<>();
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
        this.refreshesForFleet = fleet.sharing() ? Optional.of(Counter.builder("catalog.fleet.refreshes")
                .description("Refreshes this replica read from the API for the fleet")
                .register(registry)) : Optional.empty();
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
     * Alone: the snapshot, so that a restart serves at once, then the API, and the schedule. In a
     * fleet, on the refresh thread: what the other replicas share first (which also sets the fleet's
     * clock), then the snapshot if it is newer, then the fleet's check and its schedule.
     */
    void loadAtStartup(@Observes StartupEvent event) {
        if (!fleet.sharing()) {
            snapshot.load().ifPresent(this::publishSaved);
            refresh();
            if (config.scheduleEnabled()) {
                scheduleEvery(config.refreshInterval(), this::refresh);
            }
            return;
        }
        execute(() -> {
            try {
                fleet.sync(false);
                snapshot.load().ifPresent(this::publishSaved);
            } finally {
                checkWithTheFleet();
            }
        });
    }

    /** The fleet's check, then the next one when the fleet says ({@link Fleet#nextCheck()}), until the stop. */
    private void checkWithTheFleet() {
        try {
            syncWithFleet();
        } catch (RuntimeException | Error e) {
            try (LogFields fields = LogFields.of("fleet-check-failed", "trouble", e.getClass().getName())) {
                Log.warnf("The fleet's check failed; it runs again: %s", e.getClass().getName());
            }
        } finally {
            if (config.scheduleEnabled() && !stopping) {
                try {
                    runner.schedule(this::checkWithTheFleet, fleet.nextCheck().toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // the service is stopping
                }
            }
        }
    }

    /**
     * A saved catalog, aged by the fleet's clock; one dated in the future (a clock stepped back since
     * it was saved) is never trusted as fresh: it is served as stale until a refresh replaces it.
     */
    private void publishSaved(Catalog saved) {
        long ageMillis = fleet.now().toEpochMilli() - saved.fetchedAt().toEpochMilli();
        if (ageMillis < 0) {
            try (LogFields fields = LogFields.of("snapshot-from-the-future", "fetchedAt", saved.fetchedAt())) {
                Log.infof("The catalog snapshot was fetched at %s, after now (%s): a clock went back. It is served"
                        + " as stale until a refresh replaces it", saved.fetchedAt(), fleet.now());
            }
            ageMillis = config.maxAge().toMillis() + 1000;
        }
        store.publish(saved, Origin.SNAPSHOT, System.nanoTime() - Math.min(ageMillis, OLDEST.toMillis()) * 1_000_000);
    }

    /**
     * The fleet's check, on the refresh thread: takes what the fleet shares, then reads the API for
     * the fleet when this replica holds the claim, or alone when the fleet cannot be relied on and
     * the catalog is due.
     */
    void syncWithFleet() {
        HeldCatalog before = store.latest();
        boolean mayRead = breakers.currentState(GhibliClient.BREAKER) != CircuitBreakerState.OPEN;
        Fleet.Turn turn = fleet.sync(mayRead);
        HeldCatalog taken = store.latest();
        if (taken != before) {
            tookFromTheFleet(taken);
        }
        if (turn == Fleet.Turn.FOR_FLEET || turn == Fleet.Turn.ALONE && mayRead && isDue(taken, System.nanoTime())) {
            try {
                read(turn == Fleet.Turn.FOR_FLEET);
            } catch (RuntimeException | Error e) {
                // counted and logged by read()
            }
        }
    }

    /** A catalog from the fleet ends a failure streak, whoever read it, and becomes the snapshot. */
    private void tookFromTheFleet(HeldCatalog taken) {
        RefreshStatus before = status;
        if (before.failingSince() != null && !isStale(taken, System.nanoTime())) {
            status = before.succeeded(taken.catalog().fetchedAt());
            try (LogFields fields = LogFields.of("fresh-again", "fetchedAt", taken.catalog().fetchedAt(),
                    "origin", Origin.SHARED.tag(), "failures", before.consecutiveFailures(),
                    "failingSince", before.failingSince())) {
                Log.infof("The fleet's catalog is fresh again (fetched %s by another replica) after %d failed refreshes"
                        + " here since %s", taken.catalog().fetchedAt(), before.consecutiveFailures(), before.failingSince());
            }
        }
        snapshot.save(taken.catalog());
    }

    /** Whether {@code held} (or none) is {@code movies.refresh-interval} old: time to read the API again. */
    public boolean isDue(HeldCatalog held, long nowNanos) {
        return held == null || held.age(nowNanos).compareTo(config.refreshInterval()) >= 0;
    }

    /**
     * Runs {@code job} every {@code interval} (the first time one interval from now) on the refresh
     * thread, never two at once and never after the stop began. A job that throws is logged and
     * runs again at its next time.
     */
    private void scheduleEvery(Duration interval, Runnable job) {
        long millis = interval.toMillis();
        try {
            runner.scheduleWithFixedDelay(() -> {
                if (stopping) {
                    return;
                }
                try {
                    job.run();
                } catch (RuntimeException | Error e) {
                    // thrown out of here, it would cancel every later run
                    try (LogFields fields = LogFields.of("job-failed", "trouble", e.getClass().getName())) {
                        Log.warnf("A background job failed; it runs again in %s: %s", interval, e.getClass().getName());
                    }
                }
            }, millis, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the service is stopping
        }
    }

    /** Runs {@code task} once on the refresh thread, after what is already queued; nothing once the stop began. */
    private void execute(Runnable task) {
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

    /** How many refreshes this replica read for the fleet and shared. */
    public long refreshesForFleet() {
        return refreshesForFleet.map(counter -> (long) counter.count()).orElse(0L);
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
                try (LogFields fields = LogFields.of("refresh-left-behind")) {
                    Log.infof("A catalog refresh still runs %d s after the stop began; leaving it behind",
                            STOP_WAIT.toSeconds());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CompletableFuture<HeldCatalog> abandoned = inFlight.getAndSet(null);
        if (abandoned != null) {
            abandoned.completeExceptionally(new CancellationException("the service is stopping"));
        }
    }

    /** What the schedule does every interval, alone (tests call it directly), waiting for the refresh to end. */
    void refreshOnSchedule() {
        refresh().handle((catalog, failure) -> null).join();
    }

    /**
     * Starts a refresh, or joins the one under way; alone, or while a test drives the refresher.
     *
     * @return completes with the catalog served once the refresh is published, or exceptionally
     *         with why there is none
     */
    public CompletableFuture<HeldCatalog> refresh() {
        if (stopping) {
            return CompletableFuture.failedFuture(new CancellationException("the service is stopping"));
        }
        CompletableFuture<HeldCatalog> mine = new CompletableFuture<>();
        CompletableFuture<HeldCatalog> running = inFlight.compareAndExchange(null, mine);
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
     * For a request that found {@code held} (or none): what it may wait for. Alone, a refresh if the
     * catalog is older than {@code movies.max-age} (started here unless the API's circuit breaker is
     * open), and only while the API is not known to be failing. In a fleet, requests start nothing
     * (the fleet's check refreshes), and only one that finds no catalog at all waits, for the first.
     */
    public Optional<CompletableFuture<HeldCatalog>> refreshIfTooOld(HeldCatalog held, long nowNanos) {
        if (fleet.sharing()) {
            return held == null ? Optional.of(store.first().toCompletableFuture()) : Optional.empty();
        }
        if (held != null && !isStale(held, nowNanos)) {
            return Optional.empty();
        }
        CompletableFuture<HeldCatalog> refresh = inFlight.get();
        if (refresh == null) {
            if (breakers.currentState(GhibliClient.BREAKER) == CircuitBreakerState.OPEN) {
                return Optional.empty();
            }
            refresh = refresh();
        }
        return status.failingSince() == null ? Optional.of(refresh) : Optional.empty();
    }

    /** Whether {@code held} is older than {@code movies.max-age} at {@code nowNanos}. */
    public boolean isStale(HeldCatalog held, long nowNanos) {
        return held.olderThan(config.maxAge().toNanos(), nowNanos);
    }

    public RefreshStatus status() {
        return status;
    }

    private void run(CompletableFuture<HeldCatalog> result) {
        try {
            read(false);
            inFlight.compareAndSet(result, null);
            result.complete(store.latest());
        } catch (RuntimeException | Error e) {
            inFlight.compareAndSet(result, null);
            result.completeExceptionally(e);
        } finally {
            // whatever happened, the next refresh must be able to start, and no one waits forever
            inFlight.compareAndSet(result, null);
            result.completeExceptionally(new IllegalStateException("the refresh ended without a result"));
        }
    }

    /**
     * Reads the API on this (the refresh) thread, publishes what it read, shares it (for the fleet,
     * or, alone, in case the store takes it) and saves it as the snapshot. For the fleet, it is
     * shared first, and served from the instant the fleet sets for every replica ({@link Fleet#share}),
     * or not at all when the fleet already shares a newer one.
     *
     * @throws RuntimeException why there is no new catalog, already counted and logged
     */
    private void read(boolean forFleet) {
        Instant started = fleet.now().truncatedTo(ChronoUnit.MILLIS);
        long startNanos = System.nanoTime();
        try {
            Catalog catalog = CatalogJoiner.join(client.baseUrl(), started, fetch());
            HeldCatalog before = store.latest();
            if (before != null && !isStale(before, startNanos)) {
                catalog = catalog.unchangedSince(before.catalog()); // a change is a new content or the end of staleness
            }
            // shared first: for the fleet, every replica (this one too) serves it from one instant
            OptionalLong servedFrom = fleet.share(catalog, forFleet);
            if (servedFrom.isPresent() && !store.publish(catalog, Origin.API, startNanos, servedFrom.getAsLong())
                    && store.latest() == null) {
                throw new IllegalStateException("the catalog read cannot be rendered"); // logged by the store
            }
            succeeded(catalog, started);
            refreshSucceeded.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            if (forFleet) {
                refreshesForFleet.ifPresent(Counter::increment);
            }
            Optional.ofNullable(store.latest()).ifPresent(held -> snapshot.save(held.catalog()));
        } catch (RuntimeException | Error e) {
            if (stopping) {
                Log.debugf("Catalog refresh dropped: the service is stopping (%s)", e.getMessage());
            } else {
                if (forFleet) {
                    fleet.readFailed();
                }
                failed(e, started);
                (e instanceof CircuitBreakerOpenException ? refreshNotTried : refreshFailed)
                        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            }
            throw e;
        }
    }

    /** The API's data, read on this thread so that a stop can interrupt it; nothing once the stop began. */
    private GhibliData fetch() {
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
            try (LogFields fields = LogFields.of("fresh-again", "fetchedAt", catalog.fetchedAt(),
                    "origin", Origin.API.tag(), "failures", before.consecutiveFailures(),
                    "failingSince", before.failingSince())) {
                Log.infof("Ghibli API is back after %d failed refreshes since %s; serving a new catalog",
                        before.consecutiveFailures(), before.failingSince());
            }
        }
        Log.debugf("Catalog refreshed: %d films, %d people, in %d ms", catalog.movies().size(),
                catalog.peopleCount(), Duration.between(at, fleet.now()).toMillis());
    }

    /** The kind of a refresh's failure, as the metrics name it: {@code timeout}, {@code http_error}... */
    private static String trouble(Throwable e) {
        if (e instanceof GhibliApiException api) {
            return api.kind().tag();
        }
        return e instanceof TimeoutException ? "timeout" : e.getClass().getSimpleName();
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
            Optional<Instant> served = Optional.ofNullable(store.latest()).map(c -> c.catalog().fetchedAt());
            try (LogFields fields = LogFields.of("refresh-failed", "trouble", trouble(e),
                    "fetchedAt", served.orElse(null))) {
                Log.warnf("Catalog refresh failed, serving the last good catalog (%s): %s",
                        served.map(fetched -> "fetched " + fetched).orElse("none yet"), why);
            }
        } else {
            Log.debugf("Catalog refresh failed again (%d in a row): %s", before.consecutiveFailures() + 1, why);
        }
    }
}
