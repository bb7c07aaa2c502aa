package io.ghiblimovies.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.HeldCatalog;
import io.ghiblimovies.catalog.Origin;

/**
 * Which catalog a request gets while the fleet switches ({@link MoviePages.Published}): the one
 * before until the instant the new one is served from, the new one from then on, whatever the
 * order in which catalogs were published.
 */
class PublishedTest {

    private static final long NOW = 1_000_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void theCatalogBeforeIsServedUntilTheInstantAndTheNewOneFromIt() {
        MoviePages.Published old = published("old", NOW - 5_000 * MS, null);
        MoviePages.Published next = published("next", NOW + 500 * MS, old);

        assertThat(next.servedAt(NOW).held()).isSameAs(old.held());
        assertThat(next.servedAt(NOW + 500 * MS - 1).held()).isSameAs(old.held());
        assertThat(next.servedAt(NOW + 500 * MS).held()).isSameAs(next.held());
        assertThat(next.servedAt(NOW + 60_000 * MS).held()).isSameAs(next.held());
    }

    @Test
    void theFirstCatalogIsServedAtOnceWhateverItsInstant() {
        MoviePages.Published first = published("first", NOW + 500 * MS, null);

        assertThat(first.servedAt(NOW).held()).isSameAs(first.held());
    }

    @Test
    void twoCatalogsWithinOneDelayAreEachServedInTurn() {
        MoviePages.Published old = published("old", NOW - 5_000 * MS, null);
        MoviePages.Published second = published("second", NOW + 300 * MS, old);
        // published at NOW + 100 ms, while the second is not served yet
        MoviePages.Published third = published("third", NOW + 800 * MS, second.trimmed(NOW + 100 * MS));

        assertThat(third.servedAt(NOW + 200 * MS).held()).isSameAs(old.held());
        assertThat(third.servedAt(NOW + 300 * MS).held()).isSameAs(second.held());
        assertThat(third.servedAt(NOW + 800 * MS).held()).isSameAs(third.held());
    }

    @Test
    void whatIsNoLongerServedIsLetGo() {
        MoviePages.Published old = published("old", NOW - 5_000 * MS, null);
        MoviePages.Published second = published("second", NOW + 300 * MS, old);

        MoviePages.Published kept = second.trimmed(NOW + 300 * MS);

        assertThat(kept.before()).isNull();
        assertThat(kept.held()).isSameAs(second.held());
        assertThat(second.trimmed(NOW).before().held()).isSameAs(old.held());
    }

    private static MoviePages.Published published(String name, long fromNanos, MoviePages.Published before) {
        Catalog catalog = new Catalog("https://ghibli.example/" + name, Instant.parse("2026-12-06T00:00:00Z"), List.of(), 0);
        HeldCatalog held = new HeldCatalog(catalog, Origin.SHARED, fromNanos);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        RenderedCatalog fresh = RenderedCatalog.of(held, false, catalog.fetchedAt(), bytes, bytes);
        RenderedCatalog stale = RenderedCatalog.of(held, true, catalog.fetchedAt(), bytes, bytes);
        return new MoviePages.Published(held, fresh, stale, fromNanos, before);
    }
}
