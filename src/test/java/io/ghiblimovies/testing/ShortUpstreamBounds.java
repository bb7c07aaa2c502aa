package io.ghiblimovies.testing;

import static io.ghiblimovies.testing.BreakerSettings.breakerDelay;
import static io.ghiblimovies.testing.BreakerSettings.readBound;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The app with bounds on reading the API short enough to show within a test: each request's read
 * timeout 1 s, a whole read 2 s (a second more than one timed-out request, so that a slow request
 * and a slow read stay apart on a busy machine), the breaker's delay 3 s; and a catalog cache entry
 * that expires after 1 s, since an operator's expiry must never cost the last good catalog. Every
 * test class that changes what the fake API answers and reads the result shares this one profile,
 * so they share one application start.
 */
public class ShortUpstreamBounds implements QuarkusTestProfile {

    public static final int READ_TIMEOUT_MILLIS = 1000;
    public static final int READ_BOUND_MILLIS = 2000;
    public static final int BREAKER_DELAY_MILLIS = 3000;

    @Override
    public Map<String, String> getConfigOverrides() {
        return breakerDelay(BREAKER_DELAY_MILLIS, readBound(READ_BOUND_MILLIS,
                Map.of("quarkus.rest-client.ghibli-api.read-timeout", Integer.toString(READ_TIMEOUT_MILLIS),
                        "quarkus.cache.caffeine.\"catalog\".expire-after-write", "1s")));
    }
}
