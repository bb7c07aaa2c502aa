package io.ghiblimovies.catalog;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;

/**
 * Stops startup, before anything else runs, when a setting makes no sense, with a message that
 * names each offending setting. (Values of the wrong type, such as {@code movies.max-age=soon},
 * are already refused by Quarkus itself, also naming the setting.)
 */
@ApplicationScoped
class SettingsCheck {

    void check(@Observes @Priority(1) StartupEvent event, MoviesConfig config,
            @ConfigProperty(name = "ghibli.api.url") String apiUrl) {
        List<Problem> problems = new ArrayList<>();
        String urlProblem = urlProblem(apiUrl);
        if (urlProblem != null) {
            problems.add(new Problem("ghibli.api.url (GHIBLI_API_URL) is '" + apiUrl + "': " + urlProblem));
        }
        positive(problems, "movies.refresh-interval", config.refreshInterval());
        positive(problems, "movies.max-age", config.maxAge());
        notNegative(problems, "movies.startup-wait", config.startupWait());
        notNegative(problems, "movies.refresh-wait", config.refreshWait());
        if (config.maxAge().compareTo(config.refreshInterval()) < 0) {
            problems.add(new Problem("movies.max-age (" + written(config.maxAge())
                    + ") is shorter than movies.refresh-interval (" + written(config.refreshInterval())
                    + "): every catalog would turn stale before the next refresh"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(problems.toArray(Problem[]::new));
        }
    }

    private static String urlProblem(String value) {
        try {
            URI uri = new URI(value.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return "it must be an http:// or https:// URL";
            }
            if (uri.getHost() == null || uri.getHost().isBlank()) {
                return "it has no host";
            }
            return null;
        } catch (Exception e) {
            return "it is not a URL (" + e.getMessage() + ")";
        }
    }

    private static void positive(List<Problem> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(new Problem(key + " is " + written(value) + ": it must be longer than zero"));
        }
    }

    private static void notNegative(List<Problem> problems, String key, Duration value) {
        if (value.isNegative()) {
            problems.add(new Problem(key + " is " + written(value) + ": it must not be negative"));
        }
    }

    /** A duration as users write it: {@code 50s}, {@code 1m30s}, {@code 0.5s}. */
    private static String written(Duration value) {
        return value.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
