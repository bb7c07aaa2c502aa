package io.ghiblimovies.catalog;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A film as we serve it, with every person who appears in it, sorted by name. Numbers the API
 * sends as strings are numbers here, {@code null} where the API's value is not a number. Image
 * links are kept only when they are http(s).
 */
@RegisterForReflection
public record Movie(
        String id,
        String title,
        String originalTitle,
        String originalTitleRomanised,
        Integer releaseYear,
        String director,
        String producer,
        Integer runningTimeMinutes,
        Integer rtScore,
        String description,
        String image,
        String banner,
        List<Person> people) {

    /** A film always has an id and a title: the page's anchors and headings are made of them. */
    public Movie {
        Catalog.requireText(id, "a film's id");
        Catalog.requireText(title, "a film's title");
        people = List.copyOf(people);
    }
}
