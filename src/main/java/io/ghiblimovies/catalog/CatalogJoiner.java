package io.ghiblimovies.catalog;

import java.text.Collator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ghiblimovies.ghibliapi.GhibliData;
import io.ghiblimovies.ghibliapi.GhibliFilm;
import io.ghiblimovies.ghibliapi.GhibliPerson;
import io.ghiblimovies.ghibliapi.GhibliSpecies;

/**
 * Joins the API's films and people into the catalog we serve.
 * <p>
 * Links are full URLs on the API's own host, which need not be the host we called, so they are
 * matched by their trailing id only. The two sides of the link disagree in the real data: a film's
 * {@code people} is often just the collection URL ({@code .../people/}), and some people name a
 * film that does not name them. A film's people are therefore the union of the people the film
 * names and the people who name the film.
 */
public final class CatalogJoiner {

    private static final Pattern LEADING_YEAR = Pattern.compile("^\\s*(\\d{4})(?!\\d)");

    /**
     * Names and titles in the order a reader expects: case and accents second to the letters, so
     * that "Ångström" sorts with the A's, not after "Zed" as by code points. A {@link Collator} is
     * not thread-safe; each join makes its own.
     */
    private static Comparator<String> readersOrder() {
        Collator collator = Collator.getInstance(Locale.ENGLISH);
        collator.setStrength(Collator.TERTIARY);
        return collator::compare;
    }

    private CatalogJoiner() {
    }

    public static Catalog join(String source, Instant fetchedAt, GhibliData data) {
        Map<String, GhibliFilm> films = new LinkedHashMap<>();
        for (GhibliFilm film : data.films()) {
            films.putIfAbsent(film.id().trim(), film);
        }
        Map<String, String> speciesNames = new HashMap<>();
        for (GhibliSpecies kind : data.species()) {
            speciesNames.putIfAbsent(kind.id().trim(), kind.name().trim());
        }
        Map<String, Person> people = new HashMap<>();
        for (GhibliPerson person : data.people()) {
            people.putIfAbsent(person.id().trim(), toPerson(person, speciesNames));
        }

        Map<String, Set<String>> cast = new HashMap<>();
        films.forEach((filmId, film) -> {
            for (String link : film.people()) {
                String personId = trailingId(link);
                if (people.containsKey(personId)) {
                    cast.computeIfAbsent(filmId, id -> new LinkedHashSet<>()).add(personId);
                }
            }
        });
        for (GhibliPerson person : data.people()) {
            String personId = person.id().trim();
            for (String link : person.films()) {
                String filmId = trailingId(link);
                if (films.containsKey(filmId)) {
                    cast.computeIfAbsent(filmId, id -> new LinkedHashSet<>()).add(personId);
                }
            }
        }

        Comparator<String> readersOrder = readersOrder();
        Comparator<Person> byName = Comparator.comparing(Person::name, readersOrder).thenComparing(Person::id);
        List<Movie> movies = new ArrayList<>(films.size());
        films.forEach((filmId, film) -> {
            List<Person> filmPeople = new ArrayList<>();
            for (String personId : cast.getOrDefault(filmId, Set.of())) {
                filmPeople.add(people.get(personId));
            }
            filmPeople.sort(byName);
            movies.add(toMovie(filmId, film, filmPeople));
        });
        movies.sort(Comparator.comparing(Movie::releaseYear, Comparator.nullsLast(Comparator.<Integer>naturalOrder()))
                .thenComparing(Movie::title, readersOrder)
                .thenComparing(Movie::id));
        int peopleCount = (int) cast.values().stream().flatMap(Set::stream).distinct().count();
        return new Catalog(source, fetchedAt, movies, peopleCount);
    }

    private static Movie toMovie(String id, GhibliFilm film, List<Person> people) {
        return new Movie(id, film.title().trim(), text(film.originalTitle()), text(film.originalTitleRomanised()),
                year(film.releaseDate()), text(film.director()), text(film.producer()),
                number(film.runningTime()), number(film.rtScore()), text(film.description()),
                httpUrl(film.image()), httpUrl(film.movieBanner()), people);
    }

    private static Person toPerson(GhibliPerson person, Map<String, String> speciesNames) {
        String species = person.species().stream().map(link -> speciesNames.get(trailingId(link)))
                .filter(name -> name != null).findFirst().orElse(null);
        return new Person(person.id().trim(), person.name().trim(), species, text(person.gender()),
                text(person.age()), text(person.eyeColor()), text(person.hairColor()));
    }

    /**
     * The last path segment of a link: {@code https://host/people/abc} gives {@code abc}; the
     * collection link {@code https://host/people/} gives {@code people}, which names nobody.
     */
    static String trailingId(String link) {
        if (link == null) {
            return "";
        }
        String path = link.trim();
        int cut = indexOfAny(path, '?', '#');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static int indexOfAny(String value, char first, char second) {
        int a = value.indexOf(first);
        int b = value.indexOf(second);
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    /** A whole number, or {@code null} when the value is not one. */
    static Integer number(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The year of a release date, which the API sends as {@code "1986"}; a full date also works. */
    static Integer year(String value) {
        if (value == null) {
            return null;
        }
        Matcher matcher = LEADING_YEAR.matcher(value);
        return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
    }

    /** Only http(s) links may reach a page; anything else ({@code javascript:}, {@code data:}) is dropped. */
    static String httpUrl(String value) {
        String url = text(value);
        if (url == null) {
            return null;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        return (lower.startsWith("https://") || lower.startsWith("http://")) && url.length() > 8 ? url : null;
    }

    private static String text(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }
}
