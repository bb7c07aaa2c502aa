package io.ghiblimovies.catalog;

import java.util.Optional;

/**
 * The other replicas, as the refresher sees them: a catalog they share, and whose turn it is to
 * read the Ghibli API. Implemented in {@code fleet/} with Redis; when no shared store is
 * configured, this replica is its own fleet: nothing is shared and every turn is its own.
 */
public interface Fleet {

    /** Whether a shared store is configured at all. */
    boolean sharing();

    /** Whether the shared store answered the last time it was asked; true when there is none. */
    boolean reachable();

    /** The shared catalog, when there is a good one and the store answers. */
    Optional<Catalog> latest();

    /** Claims the next read of the API; close the claim when the read is done. */
    RefreshClaim claimRefresh();

    /** Offers a good catalog to the other replicas; an older one than the store holds is refused there. */
    void share(Catalog catalog);

    /** What a claim to read the API got. */
    enum Turn {
        /** This replica reads for the whole fleet, and shares what it reads. */
        FOR_FLEET,
        /** No shared store, or none reachable: this replica reads for itself, as alone. */
        ALONE,
        /** Another replica is reading, or just did: its catalog comes through the store. */
        TAKEN
    }

    /** A turn to read the API, held until closed. */
    interface RefreshClaim extends AutoCloseable {

        Turn turn();

        @Override
        void close();

        /** A claim that holds nothing. */
        static RefreshClaim of(Turn turn) {
            return new RefreshClaim() {
                @Override
                public Turn turn() {
                    return turn;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
