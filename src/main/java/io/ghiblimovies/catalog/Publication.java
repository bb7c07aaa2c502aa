package io.ghiblimovies.catalog;

import java.util.Objects;

/**
 * A catalog the store accepted, and when it is to be served: the event that lets the page render
 * it ahead, on the publishing thread. In a fleet every replica serves a new catalog from one
 * instant set by the fleet's clock ({@link Fleet#share}); alone, from now.
 *
 * @param servedFromNanos from when requests get it, on {@link System#nanoTime()}'s clock; until
 *        then they get the catalog served before it
 */
public record Publication(HeldCatalog held, long servedFromNanos) {

    public Publication {
        Objects.requireNonNull(held, "held");
    }
}
