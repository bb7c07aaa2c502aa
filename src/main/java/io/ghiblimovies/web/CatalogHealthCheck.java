package io.ghiblimovies.web;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.catalog.CatalogStore;
import io.ghiblimovies.catalog.Fleet;
import io.ghiblimovies.catalog.HeldCatalog;
import io.ghiblimovies.catalog.RefreshStatus;

/**
 * Ready once a catalog is held, and still ready while a stale one is served: an instance with
 * old data is more use to a user than no answer. Also tells where the catalog came from and,
 * with a shared store, whether the store answers.
 */
@Readiness
@ApplicationScoped
class CatalogHealthCheck implements HealthCheck {

    private final CatalogStore store;
    private final CatalogRefresher refresher;
    private final Fleet fleet;

    CatalogHealthCheck(CatalogStore store, CatalogRefresher refresher, Fleet fleet) {
        this.store = store;
        this.refresher = refresher;
        this.fleet = fleet;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<HeldCatalog> held = store.current();
        RefreshStatus status = refresher.status();
        long now = System.nanoTime();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("catalog").status(held.isPresent());
        held.ifPresent(catalog -> response
                .withData("fetchedAt", catalog.catalog().fetchedAt().toString())
                .withData("ageSeconds", catalog.age(now).toSeconds())
                .withData("stale", refresher.isStale(catalog, now))
                .withData("films", catalog.catalog().movies().size())
                .withData("people", catalog.catalog().peopleCount())
                .withData("origin", catalog.origin().tag()));
        if (status.lastSuccess() != null) {
            response.withData("lastSuccess", status.lastSuccess().toString());
        }
        if (status.lastError() != null) {
            response.withData("lastError", status.lastError())
                    .withData("lastFailure", status.lastFailure().toString());
        }
        response.withData("consecutiveFailures", status.consecutiveFailures());
        // the shared store is a helper: how it answers is told here, and never makes this DOWN
        response.withData("sharedStore", fleet.sharing() ? "redis" : "none");
        if (fleet.sharing()) {
            response.withData("sharedStoreReachable", fleet.reachable())
                    .withData("sharedStoreState", fleet.state())
                    .withData("refreshesForFleet", refresher.refreshesForFleet());
        }
        return response.build();
    }
}
