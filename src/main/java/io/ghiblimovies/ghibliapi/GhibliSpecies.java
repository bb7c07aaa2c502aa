package io.ghiblimovies.ghibliapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A species as {@code GET /species} sends it; only what names a person's species is kept. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record GhibliSpecies(String id, String name) {
}
