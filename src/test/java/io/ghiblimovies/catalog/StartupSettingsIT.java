package io.ghiblimovies.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.ghiblimovies.testing.AppProcess;

/** A setting that makes no sense stops the packaged app at startup, with one message naming it. */
class StartupSettingsIT {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "GHIBLI_API_URL, ftp://ghibli.example, ghibli.api.url",
            "GHIBLI_API_URL, not a url, ghibli.api.url",
            "GHIBLI_API_URL, '', ghibli.api.url",
            "MOVIES_REFRESH_INTERVAL, -5s, movies.refresh-interval",
            "MOVIES_REFRESH_INTERVAL, 0s, movies.refresh-interval",
            "MOVIES_MAX_AGE, 10s, movies.max-age",
            "MOVIES_MAX_AGE, soon, movies.max-age",
            "MOVIES_SNAPSHOT_ENABLED, maybe, movies.snapshot-enabled",
            "QUARKUS_REST_CLIENT_GHIBLI_API_READ_TIMEOUT, 0, quarkus.rest-client.ghibli-api.read-timeout",
            "QUARKUS_REST_CLIENT_GHIBLI_API_READ_TIMEOUT, -1, quarkus.rest-client.ghibli-api.read-timeout",
            "QUARKUS_REST_CLIENT_GHIBLI_API_CONNECT_TIMEOUT, 0, quarkus.rest-client.ghibli-api.connect-timeout",
    })
    void aBadSettingStopsStartupBeforeAnythingRunsNamingTheSetting(String variable, String value, String setting) {
        // should startup get as far as a refresh, it must not leave the machine
        Map<String, String> environment = new HashMap<>(Map.of("MOVIES_SNAPSHOT_ENABLED", "false",
                "GHIBLI_API_URL", "http://127.0.0.1:9"));
        environment.put(variable, value);
        try (AppProcess app = AppProcess.start("bad-" + setting, environment)) {
            Integer exit = app.awaitExit(Duration.ofSeconds(30));

            assertThat(exit).as("exit code; output:%n%s", app.output()).isNotNull().isNotZero();
            // the refusal is all there is: no banner, no warning, no port opened before it
            assertThat(app.output()).startsWith("Configuration validation failed").contains(setting)
                    .doesNotContain("\tat ").doesNotContain("WARN").doesNotContain("Listening on");
        }
    }
}
