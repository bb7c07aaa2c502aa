package io.ghiblimovies.ghibliapi;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A person (character) exactly as {@code GET /people} sends it. {@code films} are full URLs of
 * the films the person appears in; {@code species} is one full URL (read as a list, to survive
 * an API that sends several).
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record GhibliPerson(
        String id,
        String name,
        String gender,
        String age,
        @JsonProperty("eye_color") String eyeColor,
        @JsonProperty("hair_color") String hairColor,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> films,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> species,
        String url) {

    public GhibliPerson {
        films = films == null ? List.of() : films;
        species = species == null ? List.of() : species;
    }
}
