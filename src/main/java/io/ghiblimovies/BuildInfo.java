package io.ghiblimovies;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Which build runs: {@code ghibli_movies_build_info{version, commit} 1}, the Prometheus convention,
 * so that a rollout can be followed replica by replica, and one line at startup. The commit comes
 * from {@code git.properties}, written into the jar by the build (git-commit-id-maven-plugin);
 * built without {@code .git} (in a container), it is {@code unknown}, with {@code -dirty} when the
 * build had changes not committed.
 */
@ApplicationScoped
class BuildInfo {

    static final String UNKNOWN = "unknown";

    void register(@Observes StartupEvent event, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.application.version") String version) {
        String commit = commit();
        Gauge.builder("ghibli.movies.build.info", () -> 1)
                .description("1, with the version and commit of the build that runs as labels")
                .tag("version", version)
                .tag("commit", commit)
                .strongReference(true)
                .register(registry);
        try (LogFields fields = LogFields.of("build", "version", version, "commit", commit)) {
            Log.infof("ghibli-movies %s, commit %s", version, commit);
        }
    }

    private static String commit() {
        Properties git = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/git.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            git.load(in);
        } catch (IOException | IllegalArgumentException e) {
            Log.debugf("git.properties cannot be read: %s", e.getMessage());
            return UNKNOWN;
        }
        String commit = git.getProperty("git.commit.id.abbrev", "");
        if (!commit.matches("[0-9a-f]{7,40}")) {
            return UNKNOWN;
        }
        return "true".equals(git.getProperty("git.dirty")) ? commit + "-dirty" : commit;
    }
}
