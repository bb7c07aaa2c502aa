package io.ghiblimovies.catalog;

import java.time.Instant;

/**
 * What the refresher last saw of the Ghibli API.
 *
 * @param lastSuccess when the last good catalog was fetched, or {@code null}
 * @param lastFailure when the last refresh failed, or {@code null}
 * @param lastError why it failed, one line, or {@code null}
 * @param failingSince when the current failure streak began, {@code null} while healthy
 * @param consecutiveFailures failed refreshes since the last success
 */
public record RefreshStatus(Instant lastSuccess, Instant lastFailure, String lastError, Instant failingSince,
        int consecutiveFailures) {

    static final RefreshStatus NEVER = new RefreshStatus(null, null, null, null, 0);

    RefreshStatus succeeded(Instant at) {
        return new RefreshStatus(at, lastFailure, lastError, null, 0);
    }

    RefreshStatus failed(Instant at, String error) {
        return new RefreshStatus(lastSuccess, at, error, failingSince == null ? at : failingSince,
                consecutiveFailures + 1);
    }
}
