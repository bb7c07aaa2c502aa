package io.ghiblimovies.testing;

import java.util.HashMap;
import java.util.Map;

import io.ghiblimovies.ghibliapi.GhibliClient;

/**
 * Test settings for the fault tolerance of {@link GhibliClient#fetch()}: a shorter circuit-breaker
 * delay (20 s), so that recovery shows within a test, and a shorter bound on a whole read (10 s).
 * The keys are built from the class, so that a rename cannot silently leave them behind.
 */
public final class BreakerSettings {

    private static final String PREFIX = "quarkus.fault-tolerance.\"" + GhibliClient.class.getName() + "/fetch\".";

    private BreakerSettings() {
    }

    /** The breaker's delay set to {@code millis}, plus {@code others}. */
    public static Map<String, String> breakerDelay(int millis, Map<String, String> others) {
        Map<String, String> settings = new HashMap<>(others);
        settings.put(PREFIX + "circuit-breaker.delay", Integer.toString(millis));
        settings.put(PREFIX + "circuit-breaker.delay-unit", "millis");
        return settings;
    }

    /** The time bound of a whole read set to {@code millis}, plus {@code others}. */
    public static Map<String, String> readBound(int millis, Map<String, String> others) {
        Map<String, String> settings = new HashMap<>(others);
        settings.put(PREFIX + "timeout.value", Integer.toString(millis));
        settings.put(PREFIX + "timeout.unit", "millis");
        return settings;
    }
}
