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
        String slug = Normalizer.normalize(movie.title(), Normalizer.Form.NFKD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-+|-+$)", "");
        return slug.isEmpty() ? "film-" + movie.id() : slug;
    }

    /** What the API knows of a person, {@code Female · 13 · brown eyes · black hair}, skipping empty and "NA" values. */
    static String facts(Person person) {
        List<String> facts = new ArrayList<>(4);
        addKnown(facts, person.gender(), "");
        addKnown(facts, person.age(), "age ");
        addKnown(facts, person.eyeColor(), "eyes: ");
        addKnown(facts, person.hairColor(), "hair: ");
        return String.join(" · ", facts);
    }

    private static void addKnown(List<String> facts, String value, String label) {
        if (value != null && !value.isBlank() && !value.equalsIgnoreCase("NA") && !value.equalsIgnoreCase("N/A")) {
            facts.add(label + value);
        }
    }
}
