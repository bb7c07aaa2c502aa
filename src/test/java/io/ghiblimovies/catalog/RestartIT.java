package io.ghiblimovies.catalog;

import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.BreakerSettings;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.restassured.path.json.JsonPath;

/** The packaged app stopped and started again: nothing is lost, a broken snapshot breaks nothing. */
class RestartIT {

    private static final Duration DEADLINE = AppProcess.DEADLINE;
    /** Stops at a random moment per run of {@link #aStopAtAnyMomentIsPromptAndQuiet}. */
    private static final int STOPS_AT_RANDOM = 6;
    /** Each answer of a slow API: under the 5 s read timeout, long enough for a stop to land mid-refresh. */
    private static final int SLOW_ANSWER_MILLIS = 3000;

    @TempDir
    Path folder;

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @Test
    void afterARestartWithTheApiDownTheSnapshotIsServedAtOnceMarkedStaleWithItsRealAge() throws IOException {
        Path snapshot = folder.resolve("catalog.json");
        try (AppProcess first = start("restart-first", snapshot)) {
            first.awaitMovies(DEADLINE);
            await().atMost(DEADLINE).until(() -> Files.exists(snapshot));
            first.stop(DEADLINE);
            assertThat(first.output()).contains("stopped in").doesNotContain("Exception");
            if (System.getProperty("os.name").equals("Linux")
                    && List.of("amd64", "aarch64").contains(System.getProperty("os.arch"))) {
                // the pom ships epoll for both: a packaged app on Linux never falls back to Java NIO
                assertThat(first.output()).contains("HTTP connections are served on epoll");
            }
        }
        assertThat(folder).isDirectoryNotContaining("glob:**.tmp");
        String savedAt = JsonPath.from(Files.readString(snapshot)).getString("catalog.fetchedAt");

        GhibliApiStubs.down(ghibliApi);
        try (AppProcess second = start("restart-second", snapshot)) {
            HttpResponse<String> firstAnswer = second.awaitAnswer("/movies/", DEADLINE);
            assertThat(firstAnswer.statusCode()).isEqualTo(200);
            JsonPath json = JsonPath.from(firstAnswer.body());
            assertThat(json.getString("fetchedAt")).isEqualTo(savedAt);
            assertThat(json.getList("movies.title")).containsAll(GhibliApiStubs.FIXTURE_TITLES_IN_ORDER);
            JsonPath ready = JsonPath.from(second.management("/q/health/ready").orElseThrow().body());
            assertThat(ready.getLong("checks.find { it.name == 'catalog' }.data.ageSeconds"))
                    .isGreaterThanOrEqualTo(Duration.between(Instant.parse(savedAt), Instant.now()).toSeconds() - 1);

            await().atMost(DEADLINE)
                    .until(() -> JsonPath.from(second.awaitAnswer("/movies/", DEADLINE).body()).getBoolean("stale"));
            assertThat(second.management("/q/health/ready").orElseThrow().statusCode()).isEqualTo(200);
        }
    }

    /** A snapshot dated ten minutes ahead: a clock stepped back since it was saved, or a copy from a machine ahead. */
    @Test
    void aSnapshotDatedInTheFutureIsNeverTrustedAsFresh() throws IOException {
        Path snapshot = folder.resolve("catalog.json");
        try (AppProcess first = start("future-first", snapshot)) {
            first.awaitMovies(DEADLINE);
            await().atMost(DEADLINE).until(() -> Files.exists(snapshot));
        }
        String saved = JsonPath.from(Files.readString(snapshot)).getString("catalog.fetchedAt");
        String future = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MILLIS).toString();
        Files.writeString(snapshot, Files.readString(snapshot).replace(saved, future));

        GhibliApiStubs.down(ghibliApi);
        try (AppProcess second = start("future-second", snapshot)) {
            HttpResponse<String> firstAnswer = second.awaitAnswer("/movies/", DEADLINE);
            assertThat(firstAnswer.statusCode()).isEqualTo(200);
            assertThat(JsonPath.from(firstAnswer.body()).getString("fetchedAt")).isEqualTo(future);
            assertThat(JsonPath.from(firstAnswer.body()).getBoolean("stale")).as("stale").isTrue();
            assertThat(second.output()).contains("after now");

            // the API back: replaced by a catalog read now, however much older its date looks
            GhibliApiStubs.healthy(ghibliApi);
            await().atMost(DEADLINE).until(() -> {
                JsonPath json = JsonPath.from(second.awaitAnswer("/movies/", DEADLINE).body());
                return !json.getBoolean("stale") && Instant.parse(json.getString("fetchedAt")).isBefore(Instant.now());
            });
        }
    }

    @Test
    void aStopDuringTheFirstRefreshIsPromptAndQuiet() {
        GhibliApiStubs.slow(ghibliApi, SLOW_ANSWER_MILLIS);
        try (AppProcess app = start("stop-first-refresh", folder.resolve("catalog.json"))) {
            await().atMost(DEADLINE).until(() -> !ghibliApi.findAll(requested(FILMS)).isEmpty());

            app.assertStopsPromptlyAndQuietly();
        }
        assertThat(folder).isEmptyDirectory();
    }

    @Test
    void aStopDuringAScheduledRefreshIsPromptAndQuietAndLeavesTheSnapshotWhole() throws IOException {
        Path snapshot = folder.resolve("catalog.json");
        try (AppProcess app = start("stop-scheduled-refresh", snapshot)) {
            app.awaitMovies(DEADLINE);
            await().atMost(DEADLINE).until(() -> Files.exists(snapshot));
            GhibliApiStubs.slow(ghibliApi, SLOW_ANSWER_MILLIS);
            // the next scheduled refresh (every second here) is under way, waiting on the API
            await().atMost(DEADLINE).until(() -> !ghibliApi.findAll(requested(FILMS)).isEmpty());

            app.assertStopsPromptlyAndQuietly();
        }
        assertThat(folder).isDirectoryNotContaining("glob:**.tmp");
        assertThat(JsonPath.from(Files.readString(snapshot)).getList("catalog.movies.title"))
                .isEqualTo(GhibliApiStubs.FIXTURE_TITLES_IN_ORDER);
    }

    /**
     * SIGTERM at a random moment of the first seconds: while the JVM starts, around the banner,
     * during the first refresh, during a scheduled one (every second here, each answer of the API
     * taking 300 ms, so that a refresh is under way about as often as not).
     */
    @Test
    void aStopAtAnyMomentIsPromptAndQuiet() {
        GhibliApiStubs.slow(ghibliApi, 300);
        for (int round = 0; round < STOPS_AT_RANDOM; round++) {
            Path snapshot = folder.resolve("catalog-" + round + ".json");
            try (AppProcess app = start("stop-at-random-" + round, snapshot)) {
                LockSupport.parkNanos(Duration.ofMillis(ThreadLocalRandom.current().nextLong(300, 3500)).toNanos());

                app.assertStopsPromptlyAndQuietly();
            }
            assertThat(folder).isDirectoryNotContaining("glob:**.tmp");
        }
    }

    @Test
    void aSnapshotReadFromAnotherApiIsNeverServed() throws IOException {
        Path snapshot = folder.resolve("catalog.json");
        try (AppProcess first = start("first-api", snapshot)) {
            first.awaitMovies(DEADLINE);
            await().atMost(DEADLINE).until(() -> Files.exists(snapshot));
        }

        // pointed at another API, which is down: nothing to serve yet, and certainly not the first API's catalog
        Map<String, String> otherApi = new HashMap<>(settings(snapshot));
        otherApi.put("GHIBLI_API_URL", "http://127.0.0.1:" + GhibliApiWireMock.freePort());
        try (AppProcess second = AppProcess.start("other-api", otherApi, QUICK_BREAKER)) {
            HttpResponse<String> firstAnswer = second.awaitAnswer("/movies/", DEADLINE);
            assertThat(firstAnswer.statusCode()).isEqualTo(503);
            assertThat(second.output()).contains("Ignoring the catalog snapshot")
                    .contains("it was read from " + ghibliApi.baseUrl());
        }
    }

    @Test
    void byDefaultEachPortKeepsASnapshotOfItsOwn() {
        Map<String, String> environment = new HashMap<>(settings(folder.resolve("unused.json")));
        environment.remove("MOVIES_SNAPSHOT_PATH");
        Map<String, String> home = new HashMap<>(QUICK_BREAKER);
        home.put("user.home", folder.toString());
        try (AppProcess app = AppProcess.start("default-snapshot-path", environment, home)) {
            app.awaitMovies(DEADLINE);
            Path own = folder.resolve(".cache/ghibli-movies/catalog-" + app.port() + ".json");
            await().atMost(DEADLINE).until(() -> Files.exists(own));
        }
        assertThat(folder.resolve(".cache/ghibli-movies/catalog.json")).doesNotExist();
    }

    @Test
    void aTruncatedSnapshotIsLoggedAndIgnored() throws IOException {
        Path snapshot = folder.resolve("catalog.json");
        try (AppProcess first = start("truncated-first", snapshot)) {
            first.awaitMovies(DEADLINE);
            await().atMost(DEADLINE).until(() -> Files.exists(snapshot));
            first.stop(DEADLINE);
        }
        byte[] whole = Files.readAllBytes(snapshot);
        Files.write(snapshot, Arrays.copyOf(whole, whole.length / 2));

        assertStartsWithoutTheSnapshot(snapshot, "truncated");
    }

    @Test
    void aGarbageSnapshotIsLoggedAndIgnored() throws IOException {
        Path snapshot = folder.resolve("catalog.json");
        Files.writeString(snapshot, "\u0000\u0001 not a catalog {[");

        assertStartsWithoutTheSnapshot(snapshot, "garbage");
    }

    @Test
    void aSnapshotOfAnotherShapeIsLoggedAndIgnored() throws IOException {
        Path snapshot = folder.resolve("catalog.json");
        Files.writeString(snapshot, "{\"format\": 1, \"catalog\": {\"source\": \"x\", \"fetchedAt\": \"2020-01-01T00:00:00Z\", \"movies\": []}}");

        assertStartsWithoutTheSnapshot(snapshot, "empty");
    }

    @Test
    void aSnapshotThatCannotBeWrittenIsLoggedAndTheServiceGoesOn() throws IOException {
        Path aFile = Files.writeString(folder.resolve("not-a-folder"), "x");
        Path snapshot = aFile.resolve("catalog.json"); // its parent is a file: no write can succeed

        try (AppProcess app = start("unwritable", snapshot)) {
            JsonPath json = app.awaitMovies(DEADLINE);
            assertThat(json.getList("movies.title")).isEqualTo(GhibliApiStubs.FIXTURE_TITLES_IN_ORDER);
            await().atMost(DEADLINE).until(() -> app.output().contains("Cannot write the catalog snapshot"));
            // one line for the whole streak, though the app refreshes (and fails to save) every second
            await().atMost(DEADLINE).until(() -> app.metric("catalog_refresh_seconds_count", "outcome=\"success\"") >= 3);
            assertThat(app.output().split("Cannot write the catalog snapshot", -1)).hasSize(2);
            assertThat(app.isAlive()).isTrue();
        }
    }

    /** With the API down and nothing usable on disk, the app runs and says 503, and takes the API's data once it is back. */
    private void assertStartsWithoutTheSnapshot(Path snapshot, String name) {
        GhibliApiStubs.down(ghibliApi);
        try (AppProcess app = start(name, snapshot)) {
            HttpResponse<String> firstAnswer = app.awaitAnswer("/movies/", DEADLINE);
            assertThat(firstAnswer.statusCode()).isEqualTo(503);
            assertThat(app.output()).contains("Ignoring the catalog snapshot");
            assertThat(app.isAlive()).isTrue();

            GhibliApiStubs.healthy(ghibliApi);
            JsonPath json = app.awaitMovies(DEADLINE);
            assertThat(json.getList("movies.title")).isEqualTo(GhibliApiStubs.FIXTURE_TITLES_IN_ORDER);
        }
    }

    private Map<String, String> settings(Path snapshot) {
        return Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(),
                "MOVIES_SNAPSHOT_PATH", snapshot.toString(),
                "MOVIES_REFRESH_INTERVAL", "1s",
                "MOVIES_MAX_AGE", "2s",
                "MOVIES_STARTUP_WAIT", "200ms");
    }

    /** A short circuit-breaker delay, so that recovery takes a fraction of a second here. */
    private static final Map<String, String> QUICK_BREAKER = BreakerSettings.breakerDelay(200, Map.of());

    private AppProcess start(String name, Path snapshot) {
        return AppProcess.start(name, settings(snapshot), QUICK_BREAKER);
    }
}
