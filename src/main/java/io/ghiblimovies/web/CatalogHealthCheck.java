package io.ghiblimovies.web;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.catalog.CatalogStore;
import io.ghiblimovies.catalog.RefreshStatus;

/**
 * Ready once a catalog is held, and still ready while a stale one is served: an instance with
 * old data is more use to a user than no answer.
 */
@Readiness
@ApplicationScoped
class CatalogHealthCheck implements HealthCheck {

    private final CatalogStore store;
    private final CatalogRefresher refresher;

    CatalogHealthCheck(CatalogStore store, CatalogRefresher refresher) {
        this.store = store;
        this.refresher = refresher;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Catalog> held = store.current();
        RefreshStatus status = refresher.status();
        Instant now = Instant.now();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("catalog").status(held.isPresent());
        held.ifPresent(catalog -> response
                .withData("fetchedAt", catalog.fetchedAt().toString())
                .withData("ageSeconds", catalog.age(now).toSeconds())
                .withData("stale", refresher.isStale(catalog, now))
                .withData("films", catalog.movies().size())
                .withData("people", catalog.peopleCount()));
        if (status.lastSuccess() != null) {
            response.withData("lastSuccess", status.lastSuccess().toString());
        }
        if (status.lastError() != null) {
            response.withData("lastError", status.lastError())
                    .withData("lastFailure", status.lastFailure().toString());
        }
        response.withData("consecutiveFailures", status.consecutiveFailures());
        return response.build();
    }
}
