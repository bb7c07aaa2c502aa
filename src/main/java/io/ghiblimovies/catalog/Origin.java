package io.ghiblimovies.catalog;

import java.util.Locale;

/** Where the catalog being served came from. */
public enum Origin {
    /** Read from the Ghibli API by this replica. */
    API,
    /** Taken from the catalog the replicas share (Redis). */
    SHARED,
    /** Loaded from the snapshot on disk at startup. */
    SNAPSHOT;

    /** As readiness and metrics show it: {@code api}, {@code shared}, {@code snapshot}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
