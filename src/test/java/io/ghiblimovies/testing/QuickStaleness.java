package io.ghiblimovies.testing;

import static io.ghiblimovies.testing.BreakerSettings.breakerDelay;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The app with a catalog that turns stale after 3 s (refreshed every 3 s, the schedule off as in
 * every test) and a breaker that lets a trial through after 300 ms, so that a failing API shows as
 * stale, and its recovery as fresh, within seconds. Shared by the test classes that watch staleness
 * ({@code StaleCatalogTests}, {@code MoviesPageBrowserTests}), so they share one application start.
 */
public class QuickStaleness implements QuarkusTestProfile {

    public static final int MAX_AGE_SECONDS = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return breakerDelay(300, Map.of("movies.max-age", MAX_AGE_SECONDS + "s",
                "movies.refresh-interval", MAX_AGE_SECONDS + "s"));
    }
}
