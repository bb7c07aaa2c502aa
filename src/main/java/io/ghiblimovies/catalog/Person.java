package io.ghiblimovies.catalog;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A person (character) as we serve it. Values the API left out are {@code null}. */
@RegisterForReflection
public record Person(String id, String name, String gender, String age, String eyeColor, String hairColor) {
}
