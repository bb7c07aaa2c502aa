package io.ghiblimovies.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real servers and tools the tests start come from Debian packages that {@code .ci/run}
 * installs. Outside CI a missing one skips the tests that need it, with a message saying which
 * package to install; in CI ({@code CI=true}) it fails them.
 */
public final class DebianPackages {

    private DebianPackages() {
    }

    /**
     * Goes on when {@code present}; otherwise skips the test ("{@code tests} skipped: {@code missing}"),
     * or fails it in CI.
     */
    public static void require(boolean present, String tests, String missing) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("CI=true and " + missing);
        }
        Assumptions.abort(tests + " skipped: " + missing);
    }
}
