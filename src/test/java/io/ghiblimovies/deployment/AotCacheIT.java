package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.restassured.path.json.JsonPath;

/**
 * How the JVM image starts (docker/Dockerfile.jvm): {@code docker/aot-train.sh} trains an AOT
 * cache, and the app started from it takes its own classes from the cache and serves the catalog;
 * a cache that does not fit costs the fast start, nothing else.
 * <p>
 * AOT caches need JDK 25 or later, so these run in {@code .ci/run}'s second pass
 * ({@code JAVA_HOME=<JDK 25> ./mvnw verify -Paot}) and are skipped on older JDKs.
 */
class AotCacheIT {

    private static final Duration DEADLINE = AppProcess.DEADLINE;

    @TempDir
    Path folder;

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @BeforeAll
    static void needsAJdkWithAotCaches() {
        assumeTrue(Runtime.version().feature() >= 25,
                "AOT caches need JDK 25+; run JAVA_HOME=<JDK 25> ./mvnw verify -Paot");
        assumeTrue(!Files.isExecutable(Path.of(System.getProperty("native.image.path", "target/none-runner"))),
                "a native executable was built: there is no JVM to start from a cache");
    }

    @Test
    void theTrainedCacheHoldsTheAppsOwnClassesAndTheAppServesTheCatalogFromIt() throws Exception {
        Path cache = folder.resolve("app.aot");
        Path log = folder.resolve("train.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the very command AppProcess runs, as the image trains with the command of its ENTRYPOINT
        ProcessBuilder training = new ProcessBuilder("bash", "docker/aot-train.sh", cache.toString(),
                "src/test/resources/ghibliapi", java, "@docker/jvm.options", "-jar", AppProcess.JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        training.environment().put("AOT_TRAIN_APP_PORT", Integer.toString(GhibliApiWireMock.freePort()));
        training.environment().put("AOT_TRAIN_API_PORT", Integer.toString(GhibliApiWireMock.freePort()));
        training.environment().put("AOT_TRAIN_MANAGEMENT_PORT", Integer.toString(GhibliApiWireMock.freePort()));
        Process trainer = training.start();
        assertThat(trainer.waitFor(3, TimeUnit.MINUTES)).as("training ends within 3 minutes").isTrue();
        assertThat(trainer.exitValue()).as("training's exit code; its output:%n%s", Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("aot-train: wrote " + cache);
        assertThat(cache).isNotEmptyFile();

        // AOTMode=on: the JVM refuses to start unless it can use the cache
        try (AppProcess app = start("aot-cache", List.of("@docker/jvm.options", "-XX:AOTCache=" + cache,
                "-XX:AOTMode=on", "-Xlog:class+load=info"))) {
            JsonPath movies = app.awaitMovies(DEADLINE);
            assertThat(movies.getList("movies.title")).isEqualTo(GhibliApiStubs.FIXTURE_TITLES_IN_ORDER);
            assertThat(app.output())
                    .contains("io.ghiblimovies.web.MoviesRoute source: shared objects file")
                    .contains("io.ghiblimovies.ghibliapi.GhibliClient source: shared objects file");
        }
    }

    @Test
    void aCacheThatDoesNotFitIsReportedAndTheAppStartsWithoutIt() throws IOException {
        Path cache = folder.resolve("app.aot");
        Files.writeString(cache, "not an AOT cache");

        try (AppProcess app = start("aot-cache-garbage", List.of("@docker/jvm.options", "-XX:AOTCache=" + cache))) {
            JsonPath movies = app.awaitMovies(DEADLINE);
            assertThat(movies.getList("movies.title")).isEqualTo(GhibliApiStubs.FIXTURE_TITLES_IN_ORDER);
            assertThat(app.output()).contains("An error has occurred while processing the AOT cache");
        }
    }

    private AppProcess start(String name, List<String> jvmOptions) {
        return AppProcess.start(name, Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(), "MOVIES_SNAPSHOT_ENABLED", "false"),
                Map.of(), jvmOptions);
    }
}
