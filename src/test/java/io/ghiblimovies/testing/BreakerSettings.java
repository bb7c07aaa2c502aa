package io.ghiblimovies.testing;

import java.util.HashMap;
import java.util.Map;

/** Test settings that shorten the Ghibli API's circuit-breaker delay (20 s), so that recovery shows within a test. */
public final class BreakerSettings {

    private static final String PREFIX =
            "quarkus.fault-tolerance.\"io.ghiblimovies.ghibliapi.GhibliClient/fetch\".circuit-breaker.";

    private BreakerSettings() {
    }

    /** The breaker's delay set to {@code millis}, plus {@code others}. */
    public static Map<String, String> breakerDelay(int millis, Map<String, String> others) {
        Map<String, String> settings = new HashMap<>(others);
        settings.put(PREFIX + "delay", Integer.toString(millis));
        settings.put(PREFIX + "delay-unit", "millis");
        return settings;
    }
}
