package io.ghiblimovies.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ghiblimovies.ghibliapi.GhibliData;
import io.ghiblimovies.ghibliapi.GhibliFilm;
import io.ghiblimovies.ghibliapi.GhibliPerson;
import io.ghiblimovies.ghibliapi.GhibliSpecies;
import io.ghiblimovies.testing.GhibliApiStubs;

class CatalogJoinerTest {

    private static final String API = "https://ghibliapi.vercel.app";
    private static final Instant FETCHED = Instant.parse("2026-11-23T07:00:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final GhibliData fixtures = new GhibliData(
            read("films.json", new TypeReference<List<GhibliFilm>>() {
            }),
            read("people.json", new TypeReference<List<GhibliPerson>>() {
            }),
            read("species.json", new TypeReference<List<GhibliSpecies>>() {
            }));

    @Test
    void filmsAreSortedByReleaseYearThenTitle() {
        Catalog catalog = CatalogJoiner.join(API, FETCHED, fixtures);

        assertThat(catalog.movies()).extracting(Movie::title).containsExactly(
                "Castle in the Sky", "Grave of the Fireflies", "My Neighbor Totoro",
                "Kiki's Delivery Service", "Princess Mononoke", "Spirited Away");
        assertThat(catalog.source()).isEqualTo(API);
        assertThat(catalog.fetchedAt()).isEqualTo(FETCHED);
    }

    @Test
    void aFilmsPeopleAreTheUnionOfBothSidesOfTheLinkSortedByName() {
        Catalog catalog = CatalogJoiner.join(API, FETCHED, fixtures);

        // Uncle Pom names Castle in the Sky; the film does not name him
        assertThat(names(catalog, "Castle in the Sky"))
                .containsExactly("Dola", "Lusheeta Toel Ul Laputa", "Pazu", "Romska Palo Ul Laputa", "Uncle Pom");
        assertThat(names(catalog, "Princess Mononoke")).containsExactly("Ashitaka", "Eboshi", "San");
    }

    @Test
    void namesAndTitlesSortAsAReaderExpectsAccentsAndCaseIncluded() {
        String film = "https://ghibliapi.vercel.app/films/f1";
        GhibliData data = new GhibliData(
                List.of(film("f1", "Émile", "2001", List.of()), film("f2", "zephyr", "2001", List.of()),
                        film("f3", "Eve", "2001", List.of()), film("f4", "Zed", "2001", List.of())),
                List.of(person("p1", "Zed", List.of(film)), person("p2", "Ångström", List.of(film)),
                        person("p3", "alice", List.of(film)), person("p4", "Bob", List.of(film))),
                List.of());

        Catalog catalog = CatalogJoiner.join(API, FETCHED, data);

        assertThat(names(catalog, "Émile")).containsExactly("alice", "Ångström", "Bob", "Zed");
        assertThat(catalog.movies()).extracting(Movie::title).containsExactly("Émile", "Eve", "Zed", "zephyr");
    }

    @Test
    void aPlaceholderPeopleLinkNamesNobody() {
        Catalog catalog = CatalogJoiner.join(API, FETCHED, fixtures);

        assertThat(names(catalog, "Grave of the Fireflies")).isEmpty();
        // Kiki's film lists only the placeholder, but Kiki and Jiji name the film
        assertThat(names(catalog, "Kiki's Delivery Service")).containsExactly("Jiji", "Kiki");
    }

    @Test
    void linksToUnknownPeopleAreIgnored() {
        Catalog catalog = CatalogJoiner.join(API, FETCHED, fixtures);

        assertThat(names(catalog, "Spirited Away")).containsExactly("Chihiro Ogino", "Haku");
        assertThat(catalog.peopleCount()).isEqualTo(15);
    }

    @Test
    void linksAreMatchedByTrailingIdWhateverTheirHost() {
        GhibliFilm film = film("f1", "A Film", "1990", List.of("http://other.example:9999/people/p1/?x=1"));
        GhibliPerson person = person("p1", "Someone", List.of());
        GhibliPerson fan = person("p2", "Fan", List.of("https://elsewhere.test/api/films/f1#top"));

        Catalog catalog = CatalogJoiner.join(API, FETCHED, new GhibliData(List.of(film), List.of(person, fan), List.of()));

        assertThat(catalog.movies().get(0).people()).extracting(Person::name).containsExactly("Fan", "Someone");
    }

    @Test
    void numericStringsBecomeNumbersAndUnparseableOnesBecomeNull() {
        Catalog catalog = CatalogJoiner.join(API, FETCHED, fixtures);
        Movie castle = movie(catalog, "Castle in the Sky");
        assertThat(castle.releaseYear()).isEqualTo(1986);
        assertThat(castle.runningTimeMinutes()).isEqualTo(124);
        assertThat(castle.rtScore()).isEqualTo(95);

        GhibliFilm odd = new GhibliFilm("f1", "Odd", null, null, null, null, null, null, null,
                "1986-08-02", "about two hours", "", List.of(), null);
        Movie movie = CatalogJoiner.join(API, FETCHED, new GhibliData(List.of(odd), List.of(), List.of())).movies().get(0);
        assertThat(movie.releaseYear()).isEqualTo(1986);
        assertThat(movie.runningTimeMinutes()).isNull();
        assertThat(movie.rtScore()).isNull();
    }

    @Test
    void filmsWithoutAYearComeLast() {
        GhibliFilm undated = film("f1", "Aaa", "soon", List.of());
        GhibliFilm dated = film("f2", "Zzz", "2001", List.of());

        Catalog catalog = CatalogJoiner.join(API, FETCHED, new GhibliData(List.of(undated, dated), List.of(), List.of()));

        assertThat(catalog.movies()).extracting(Movie::title).containsExactly("Zzz", "Aaa");
    }

    @Test
    void onlyHttpImageLinksAreKept() {
        GhibliFilm film = new GhibliFilm("f1", "Images", null, null, "javascript:alert(1)",
                "https://image.example/banner.jpg", null, null, null, "2000", null, null, List.of(), null);

        Movie movie = CatalogJoiner.join(API, FETCHED, new GhibliData(List.of(film), List.of(), List.of())).movies().get(0);

        assertThat(movie.image()).isNull();
        assertThat(movie.banner()).isEqualTo("https://image.example/banner.jpg");
    }

    @Test
    void aRepeatedFilmOrPersonIsListedOnce() {
        GhibliFilm film = film("f1", "Once", "2000", List.of("https://x/people/p1"));
        GhibliPerson person = person("p1", "Solo", List.of("https://x/films/f1"));

        Catalog catalog = CatalogJoiner.join(API, FETCHED,
                new GhibliData(List.of(film, film), List.of(person, person), List.of()));

        assertThat(catalog.movies()).hasSize(1);
        assertThat(catalog.movies().get(0).people()).extracting(Person::name).containsExactly("Solo");
    }

    @Test
    void peopleAreNamedWithTheirSpecies() {
        Catalog catalog = CatalogJoiner.join(API, FETCHED, fixtures);

        assertThat(movie(catalog, "Kiki's Delivery Service").people()).extracting(Person::species)
                .containsExactly("Cat", "Human");
        assertThat(movie(catalog, "Spirited Away").people()).extracting(Person::species)
                .containsExactly("Human", "Spirit");
    }

    @Test
    void aPersonOfAnUnknownSpeciesHasNone() {
        GhibliFilm film = film("f1", "A Film", "1990", List.of("https://x/people/p1"));
        GhibliPerson person = new GhibliPerson("p1", "Someone", null, null, null, null, List.of(),
                List.of("https://x/species/unknown"), null);

        Catalog catalog = CatalogJoiner.join(API, FETCHED, new GhibliData(List.of(film), List.of(person),
                List.of(new GhibliSpecies("human", "Human"))));

        assertThat(catalog.movies().get(0).people().get(0).species()).isNull();
    }

    @Test
    void trailingIdIgnoresSlashesQueriesAndFragments() {
        assertThat(CatalogJoiner.trailingId("https://ghibliapi.vercel.app/people/abc")).isEqualTo("abc");
        assertThat(CatalogJoiner.trailingId("https://ghibliapi.vercel.app/people/abc/")).isEqualTo("abc");
        assertThat(CatalogJoiner.trailingId("https://ghibliapi.vercel.app/people/")).isEqualTo("people");
        assertThat(CatalogJoiner.trailingId("abc?limit=1#x")).isEqualTo("abc");
        assertThat(CatalogJoiner.trailingId(null)).isEmpty();
    }

    private static List<String> names(Catalog catalog, String title) {
        return movie(catalog, title).people().stream().map(Person::name).toList();
    }

    private static Movie movie(Catalog catalog, String title) {
        return catalog.movies().stream().filter(m -> m.title().equals(title)).findFirst().orElseThrow();
    }

    private static GhibliFilm film(String id, String title, String year, List<String> people) {
        return new GhibliFilm(id, title, null, null, null, null, null, null, null, year, null, null, people, null);
    }

    private static GhibliPerson person(String id, String name, List<String> films) {
        return new GhibliPerson(id, name, null, null, null, null, films, List.of(), null);
    }

    private static <T> T read(String fixture, TypeReference<T> type) {
        try {
            return MAPPER.readValue(GhibliApiStubs.fixture(fixture), type);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
