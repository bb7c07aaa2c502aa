package io.ghiblimovies.ghibliapi;

import java.util.List;

/**
 * One read of the Ghibli API: every film and every person it listed, and the species it could
 * list (none when that request failed: people are still shown, without their species).
 */
public record GhibliData(List<GhibliFilm> films, List<GhibliPerson> people, List<GhibliSpecies> species) {

    public GhibliData {
        films = List.copyOf(films);
        people = List.copyOf(people);
        species = List.copyOf(species);
    }
}
