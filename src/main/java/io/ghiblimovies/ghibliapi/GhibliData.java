package io.ghiblimovies.ghibliapi;

import java.util.List;

/** One complete read of the Ghibli API: every film and every person it listed. */
public record GhibliData(List<GhibliFilm> films, List<GhibliPerson> people) {

    public GhibliData {
        films = List.copyOf(films);
        people = List.copyOf(people);
    }
}
