package io.ghiblimovies.web;

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
            "MOVIES_REFRESH_INTERVAL, -5s, movies.refresh-interval",
            "MOVIES_MAX_AGE, 10s, movies.max-age",
            "MOVIES_MAX_AGE, soon, movies.max-age",
    })
    void aBadSettingStopsStartupNamingTheSetting(String variable, String value, String setting) {
        Map<String, String> environment = new HashMap<>(Map.of(variable, value, "MOVIES_SNAPSHOT_ENABLED", "false"));
        // should startup get as far as a refresh, it must not leave the machine
        environment.putIfAbsent("GHIBLI_API_URL", "http://127.0.0.1:9");
        try (AppProcess app = AppProcess.start("bad-" + setting, environment)) {
            Integer exit = app.awaitExit(Duration.ofSeconds(30));

            assertThat(exit).as("exit code; output:%n%s", app.output()).isNotNull().isNotZero();
            assertThat(app.output()).contains("Configuration validation failed").contains(setting)
                    .doesNotContain("\tat ");
        }
    }
}
