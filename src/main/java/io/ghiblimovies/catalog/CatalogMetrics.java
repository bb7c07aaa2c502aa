package io.ghiblimovies.catalog;

import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/** Gauges of the catalog being served, read at each scrape of {@code /q/metrics}. */
@ApplicationScoped
class CatalogMetrics {

    void register(@Observes StartupEvent event, MeterRegistry registry, CatalogStore store, CatalogRefresher refresher,
            MoviesConfig config) {
        gauge(registry, "catalog.age.seconds", "Seconds since the served catalog was fetched (-1: none yet)", store,
                s -> s.current().map(c -> (double) c.age(System.nanoTime()).toSeconds()).orElse(-1d));
        gauge(registry, "catalog.max.age.seconds", "movies.max-age: a catalog older than this is served marked stale",
                config, c -> c.maxAge().toMillis() / 1000d);
        gauge(registry, "catalog.stale", "1 while the served catalog is older than movies.max-age", store,
                s -> s.current().map(c -> refresher.isStale(c, System.nanoTime()) ? 1d : 0d).orElse(0d));
        gauge(registry, "catalog.films", "Films in the served catalog", store,
                s -> s.current().map(c -> (double) c.catalog().movies().size()).orElse(0d));
        gauge(registry, "catalog.people", "People in at least one film of the served catalog", store,
                s -> s.current().map(c -> (double) c.catalog().peopleCount()).orElse(0d));
        gauge(registry, "catalog.refresh.consecutive.failures", "Failed refreshes since the last good one", refresher,
                r -> r.status().consecutiveFailures());
        for (Origin origin : Origin.values()) {
            Gauge.builder("catalog.origin", store, s -> s.origin().filter(origin::equals).isPresent() ? 1 : 0)
                    .description("1 for where the served catalog came from: api, shared (the fleet's store) or snapshot")
                    .tag("origin", origin.tag())
                    .register(registry);
        }
    }

    private static <T> void gauge(MeterRegistry registry, String name, String description, T source,
            ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }
}
