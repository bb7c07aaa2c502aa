package io.ghiblimovies.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;


/**
 * A wall clock off by some seconds for a process the test starts, with Debian's {@code faketime}
 * package: {@code libfaketime} preloaded, the monotonic clock left alone (as a real clock that is
 * wrong, not a process that is slowed). Without it the test is skipped, except in CI
 * ({@code CI=true}), where that is a failure.
 */
public final class FakeClock {

    private static final Path LIBRARY = Path.of(System.getProperty("faketime.library",
            "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"));

    private FakeClock() {
    }

    /** The environment of a process whose wall clock is {@code seconds} ahead (negative: behind). */
    public static Map<String, String> offBy(int seconds) {
        DebianPackages.require(Files.isReadable(LIBRARY), "Clock tests",
                "no libfaketime at " + LIBRARY + " (apt-get install faketime)");
        // without FORCE_MONOTONIC_FIX=0, libfaketime shifts the JVM's waits on the monotonic clock by the
        // offset too: behind, its periodic threads spin at full speed; ahead, they sleep minutes
        return Map.of("LD_PRELOAD", LIBRARY.toString(), "FAKETIME", (seconds >= 0 ? "+" : "") + seconds + "s",
                "FAKETIME_DONT_FAKE_MONOTONIC", "1", "FAKETIME_FORCE_MONOTONIC_FIX", "0");
    }
}
