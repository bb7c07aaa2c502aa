package io.ghiblimovies.web;

import java.text.Normalizer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ghiblimovies.catalog.Movie;
import io.ghiblimovies.catalog.Person;
import io.quarkus.qute.TemplateExtension;

/** Values the page derives from the catalog, so that the templates hold no logic. */
@TemplateExtension
final class TemplateExtensions {

    private static final DateTimeFormatter DISPLAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private TemplateExtensions() {
    }

    /** {@code 2026-11-23 07:19:03 UTC}. */
    static String display(Instant instant) {
        return DISPLAY.format(instant);
    }

    /** A stable anchor from the title, {@code castle-in-the-sky}; from the id when the title has no latin letters. */
    static String anchor(Movie movie) {
        String slug = fold(movie.title())
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-+|-+$)", "");
        return slug.isEmpty() ? "film-" + movie.id() : slug;
    }

    /** What the API knows of a person, {@code Human · Female · age 13 · eyes: Brown · hair: Black}, skipping empty and "NA" values. */
    static String facts(Person person) {
        List<String> facts = new ArrayList<>(5);
        addKnown(facts, person.species(), "");
        addKnown(facts, person.gender(), "");
        // "age 13", but "late teens" and "Elderly" as they are
        addKnown(facts, person.age(), person.age() != null && person.age().matches("\\d+") ? "age " : "");
        addKnown(facts, person.eyeColor(), "eyes: ");
        addKnown(facts, person.hairColor(), "hair: ");
        return String.join(" · ", facts);
    }

    /** What the page's search box matches a film against: its titles, people in charge and year, folded. */
    static String searchText(Movie movie) {
        return fold(String.join(" ", nonNull(movie.title(), movie.originalTitle(), movie.originalTitleRomanised(),
                movie.director(), movie.producer(), movie.releaseYear() == null ? null : movie.releaseYear().toString())));
    }

    /** What the page's search box matches a person against: name and species, folded. */
    static String searchText(Person person) {
        return fold(String.join(" ", nonNull(person.name(), person.species())));
    }

    /** Lower case without accents, as movies.js folds what is typed: "Tenkū" matches "tenku". */
    private static String fold(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    }

    private static List<String> nonNull(String... values) {
        List<String> kept = new ArrayList<>(values.length);
        for (String value : values) {
            if (value != null) {
                kept.add(value);
            }
        }
        return kept;
    }

    private static void addKnown(List<String> facts, String value, String label) {
        if (value != null && !value.isBlank() && !value.equalsIgnoreCase("NA") && !value.equalsIgnoreCase("N/A")) {
            facts.add(label + value);
        }
    }
}
