package io.ghiblimovies.catalog;

import static org.assertj.core.api.Assertions.assertThat;

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
            "QUARKUS_REDIS_HOSTS, redis:6379, quarkus.redis.hosts",
            "QUARKUS_REDIS_HOSTS, not-a-url, quarkus.redis.hosts",
            "QUARKUS_REDIS_HOSTS, http://redis:6379, quarkus.redis.hosts",
            "QUARKUS_REDIS_TIMEOUT, 0s, quarkus.redis.timeout",
            "MOVIES_FLEET_LEASE_TTL, 0s, movies.fleet.lease-ttl",
            "MOVIES_FLEET_SWITCH_DELAY, -1s, movies.fleet.switch-delay",
            "MOVIES_FLEET_SWITCH_DELAY, 2m, movies.fleet.switch-delay",
            // the Redis client's older TLS settings: the CA goes to the TLS registry (docs/fleet.md)
            "QUARKUS_REDIS_TLS_TRUST_CERTIFICATE_PEM_CERTS, /etc/redis-ca.crt, quarkus.redis.tls",
            "QUARKUS_REDIS_TLS_ENABLED, true, quarkus.tls.redis.trust-store.pem.certs",
            "QUARKUS_REDIS_HOSTS, rediss://redis:6380, quarkus.redis.tls-configuration-name",
            "QUARKUS_REDIS_TLS_CONFIGURATION_NAME, my-redis, quarkus.redis.tls-configuration-name",
            "QUARKUS_REDIS_TLS_HOSTNAME_VERIFICATION_ALGORITHM, HTTPS, quarkus.tls.redis.trust-store.pem.certs",
    })
    void aBadSettingStopsStartupBeforeAnythingRunsNamingTheSetting(String variable, String value, String setting) {
        // should startup get as far as a refresh, it must not leave the machine
        Map<String, String> environment = new HashMap<>(Map.of("MOVIES_SNAPSHOT_ENABLED", "false",
                "GHIBLI_API_URL", "http://127.0.0.1:9"));
        environment.put(variable, value);
        try (AppProcess app = AppProcess.start("bad-" + setting, environment)) {
            Integer exit = app.awaitExit(AppProcess.DEADLINE);

            assertThat(exit).as("exit code; output:%n%s", app.output()).isNotNull().isNotZero();
            // the refusal is all there is: no banner, no warning, no port opened before it
            assertThat(app.output()).startsWith("Configuration validation failed").contains(setting)
                    .doesNotContain("\tat ").doesNotContain("WARN").doesNotContain("Listening on");
        }
    }

    /** A password in a Redis URL that is refused is never repeated in the refusal. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({ "redis:hunter2@6379", "http://user:hunter2@redis:6379" })
    void aRefusedRedisUrlNeverShowsItsPassword(String url) {
        Map<String, String> environment = Map.of("MOVIES_SNAPSHOT_ENABLED", "false",
                "GHIBLI_API_URL", "http://127.0.0.1:9", "QUARKUS_REDIS_HOSTS", url);
        try (AppProcess app = AppProcess.start("redis-password", environment)) {
            assertThat(app.awaitExit(AppProcess.DEADLINE)).as("exit code; output:%n%s", app.output()).isNotZero();
            assertThat(app.output()).contains("quarkus.redis.hosts").doesNotContain("hunter2");
        }
    }
}
