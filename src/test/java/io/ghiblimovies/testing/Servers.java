package io.ghiblimovies.testing;

import java.util.concurrent.TimeUnit;

/** What the helpers that start a server of Debian's as a process of their own share. */
final class Servers {

    private Servers() {
    }

    /** Stops a server: SIGTERM, then SIGKILL if it has not exited within 10 s. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
