package io.ghiblimovies.catalog;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A person (character) as we serve it. {@code species} is the species' name. Values the API
 * left out, or could not give, are {@code null}.
 */
@RegisterForReflection
public record Person(String id, String name, String species, String gender, String age, String eyeColor,
        String hairColor) {

    /** A person always has an id and a name. */
    public Person {
        Catalog.requireText(id, "a person's id");
        Catalog.requireText(name, "a person's name");
    }
}
