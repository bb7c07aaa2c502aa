package io.ghiblimovies.ghibliapi;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A film exactly as {@code GET /films} sends it: every value is a string (numbers too), and the
 * links are full URLs on the API's own host.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record GhibliFilm(
        String id,
        String title,
        @JsonProperty("original_title") String originalTitle,
        @JsonProperty("original_title_romanised") String originalTitleRomanised,
        String image,
        @JsonProperty("movie_banner") String movieBanner,
        String description,
        String director,
        String producer,
        @JsonProperty("release_date") String releaseDate,
        @JsonProperty("running_time") String runningTime,
        @JsonProperty("rt_score") String rtScore,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> people,
        String url) {

    public GhibliFilm {
        people = people == null ? List.of() : people;
    }
}
