package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.BreakerSettings;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.restassured.path.json.JsonPath;

/**
 * The packaged app with JSON logs on, as the images and the Kubernetes manifest run it: every line is
 * one JSON object a log pipeline reads, and through a refresh failure and back the lines say what
 * happened as fields (event, trouble, the catalog's fetch time), the replica and the build included.
 */
class JsonLogsIT {

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @Test
    void throughARefreshFailureAndBackEveryLineIsJsonAndSaysWhatHappenedAsFields() {
        Map<String, String> settings = Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(),
                "MOVIES_REFRESH_INTERVAL", "1s",
                "MOVIES_MAX_AGE", "2s",
                "MOVIES_STARTUP_WAIT", "200ms",
                "MOVIES_SNAPSHOT_ENABLED", "false",
                "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
        try (AppProcess app = AppProcess.start("json-logs", settings, BreakerSettings.breakerDelay(200, Map.of()))) {
            String served = app.awaitMovies(AppProcess.DEADLINE).getString("fetchedAt");
            GhibliApiStubs.down(ghibliApi);
            await().atMost(AppProcess.DEADLINE).until(() -> event(app, "refresh-failed").isPresent());
            GhibliApiStubs.healthy(ghibliApi);
            await().atMost(AppProcess.DEADLINE).until(() -> event(app, "fresh-again").isPresent());

            JsonPath failed = event(app, "refresh-failed").orElseThrow();
            assertThat(failed.getString("level")).isEqualTo("WARN");
            assertThat(failed.getString("message")).startsWith("Catalog refresh failed, serving the last good catalog");
            assertThat(failed.getString("mdc.trouble")).isEqualTo("http_error");
            // the catalog it kept serving, by its fetch time: the one served before, or one taken since
            assertThat(Instant.parse(failed.getString("mdc.fetchedAt"))).isAfterOrEqualTo(Instant.parse(served));

            JsonPath back = event(app, "fresh-again").orElseThrow();
            assertThat(back.getString("level")).isEqualTo("INFO");
            assertThat(back.getString("mdc.origin")).isEqualTo("api");
            assertThat(Integer.parseInt(back.getString("mdc.failures"))).isPositive();
            assertThat(Instant.parse(back.getString("mdc.fetchedAt"))).isAfter(Instant.parse(failed.getString("mdc.fetchedAt")));
            assertThat(back.getString("mdc.failingSince")).isNotBlank();

            // the build: in its own line, in every line, and in the metric, the same
            JsonPath build = event(app, "build").orElseThrow();
            String version = build.getString("mdc.version");
            String commit = build.getString("mdc.commit");
            assertThat(version).isNotBlank();
            assertThat(commit).matches("[0-9a-f]{12}(-dirty)?|unknown");
            assertThat(app.metric("ghibli_movies_build_info", "commit=\"" + commit + "\",version=\"" + version + "\""))
                    .isEqualTo(1);
            List<JsonPath> lines = lines(app);
            assertThat(lines).allSatisfy(line -> {
                assertThat(line.getString("hostName")).as("the replica").isNotBlank();
                assertThat(line.getString("service")).isEqualTo("ghibli-movies");
                assertThat(line.getString("version")).isEqualTo(version);
            });
            assertThat(lines).anySatisfy(line -> assertThat(line.getString("message"))
                    .contains("ghibli-movies " + version).contains("started in"));
            assertThat(lines).noneSatisfy(line -> assertThat(line.getString("level")).isEqualTo("ERROR"));
        }
    }

    /** Every whole line the app wrote (not one it is writing now), each parsed as JSON: one that is not fails the test. */
    private static List<JsonPath> lines(AppProcess app) {
        List<JsonPath> lines = new ArrayList<>();
        String output = app.output();
        output.substring(0, output.lastIndexOf('\n') + 1).lines().filter(line -> !line.isBlank()).forEach(line -> {
            assertThat(line).as("a line of JSON").startsWith("{").endsWith("}");
            lines.add(JsonPath.from(line));
        });
        return lines;
    }

    private static Optional<JsonPath> event(AppProcess app, String event) {
        return lines(app).stream().filter(line -> event.equals(line.getString("mdc.event"))).findFirst();
    }
}
