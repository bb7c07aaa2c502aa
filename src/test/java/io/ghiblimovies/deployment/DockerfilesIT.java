package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ghiblimovies.testing.DebianPackages;

/**
 * The images cannot be built on the build machines (no container engine), so this checks what
 * can be checked after {@code ./mvnw verify}: every file a Dockerfile copies from the build
 * context exists (or, for the native executable, is named as the native build names it), and
 * {@code .dockerignore} lets it in.
 */
class DockerfilesIT {

    private static final Pattern COPY = Pattern.compile("^COPY\\s+(.*)$", Pattern.MULTILINE);
    private static final Path NATIVE_RUNNER = Path.of("target", System.getProperty("native.image.path",
            "target/ghibli-movies-1.0.0-SNAPSHOT-runner")).getFileName();

    @Test
    void everyFileTheJvmImageCopiesWasBuilt() throws IOException {
        List<String> sources = copySources("docker/Dockerfile.jvm");

        assertThat(sources).containsExactly("target/quarkus-app/lib/", "target/quarkus-app/*.jar",
                "target/quarkus-app/app/", "target/quarkus-app/quarkus/", "docker/jvm.options",
                "docker/aot-train.sh", "src/test/resources/ghibliapi/");
        for (String source : sources) {
            assertThat(matches(source)).as("files matching %s", source).isNotEmpty();
            assertThat(dockerignoreLetsIn(source)).as(".dockerignore lets in %s", source).isTrue();
        }
        assertThat(Path.of("target/quarkus-app/quarkus-run.jar")).isRegularFile();
        assertThat(Files.readString(Path.of("docker/Dockerfile.jvm")))
                .contains("\"-jar\", \"/deployments/quarkus-run.jar\"")
                .contains("@/deployments/jvm.options")
                // the cache is trained with the ENTRYPOINT's command, and the ENTRYPOINT uses it
                .contains("java @/deployments/jvm.options -jar /deployments/quarkus-run.jar")
                .contains("\"-XX:AOTCache=/deployments/aot/app.aot\"")
                .contains("aot-train.sh /deployments/aot/app.aot ");
    }

    /** In a container, probes and Prometheus come from outside: the management interface listens there. */
    @ParameterizedTest
    @ValueSource(strings = { "docker/Dockerfile.jvm", "docker/Dockerfile.native", "docker/Dockerfile.native-micro",
            "docker/Dockerfile.native-build" })
    void everyImageOpensItsManagementInterfaceToTheOrchestrator(String dockerfile) throws IOException {
        assertThat(Files.readString(Path.of(dockerfile))).contains("ENV QUARKUS_MANAGEMENT_HOST=0.0.0.0")
                .contains("EXPOSE 8080 9000")
                // and logs JSON lines for a log pipeline (JsonLogsIT reads them)
                .contains("ENV QUARKUS_LOG_CONSOLE_JSON_ENABLED=true");
    }

    /**
     * The compose files are valid (Debian's docker-compose checks them offline), and give a stop the
     * grace the service needs (5 s of delay, 10 s for requests in flight, and margin), as their doc says.
     */
    @ParameterizedTest
    @ValueSource(strings = { "docker/compose.yaml", "docker/compose-fleet.yaml" })
    void theComposeFilesAreValidAndGiveAStopTheGraceTheDocSays(String compose) throws Exception {
        Matcher grace = Pattern.compile("stop_grace_period: (\\d+)s").matcher(Files.readString(Path.of(compose)));
        assertThat(grace.find()).as("stop_grace_period in %s", compose).isTrue();
        int seconds = Integer.parseInt(grace.group(1));
        assertThat(seconds).isGreaterThanOrEqualTo(5 + 10 + 5);
        // Markdown reflows lines freely: the doc is read as words, not as lines.
        String doc = Files.readString(Path.of("docs", "containers.md")).replaceAll("\\s+", " ");
        assertThat(doc).contains("give a stop " + seconds + " s of grace");

        Path dockerCompose = Path.of("/usr/bin/docker-compose");
        DebianPackages.require(Files.isExecutable(dockerCompose), "Compose validation",
                "no docker-compose at " + dockerCompose + " (apt-get install docker-compose)");
        Process check = new ProcessBuilder(dockerCompose.toString(), "-f", compose, "config", "-q")
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor()).as("docker-compose config: %s", output).isZero();
    }

    /**
     * Laid over the fleet, compose-fleet-tls.yaml gives every replica what docs/fleet.md gives for
     * Redis over TLS (RedisTlsIT runs those settings against a Redis that speaks TLS only).
     */
    @Test
    void theTlsFleetGivesEveryReplicaTheSettingsOfRedisOverTls() throws Exception {
        Path dockerCompose = Path.of("/usr/bin/docker-compose");
        DebianPackages.require(Files.isExecutable(dockerCompose), "Compose validation",
                "no docker-compose at " + dockerCompose + " (apt-get install docker-compose)");
        Process config = new ProcessBuilder(dockerCompose.toString(), "-f", "docker/compose-fleet.yaml", "-f",
                "docker/compose-fleet-tls.yaml", "config").redirectErrorStream(true).start();
        String merged = new String(config.getInputStream().readAllBytes());
        assertThat(config.waitFor()).as("docker-compose config: %s", merged).isZero();

        for (String setting : List.of("QUARKUS_REDIS_HOSTS: rediss://redis:6379",
                "QUARKUS_REDIS_TLS_CONFIGURATION_NAME: redis",
                "QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS: /run/secrets/redis-ca.crt")) {
            assertThat(merged.split(Pattern.quote(setting), -1)).as(setting).hasSize(4); // three replicas
        }
        assertThat(merged).contains("--tls-port 6379").contains("--port 0");
        assertThat(Files.readString(Path.of("docs", "fleet.md")))
                .contains("QUARKUS_REDIS_TLS_CONFIGURATION_NAME=redis").contains("QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS");
    }

    @ParameterizedTest
    @ValueSource(strings = { "docker/Dockerfile.native", "docker/Dockerfile.native-micro" })
    void theNativeImagesCopyTheExecutableTheNativeBuildMakes(String dockerfile) throws IOException {
        List<String> sources = copySources(dockerfile);

        assertThat(sources).containsExactly("target/*-runner");
        PathMatcher runner = FileSystems.getDefault().getPathMatcher("glob:target/*-runner");
        assertThat(runner.matches(Path.of("target").resolve(NATIVE_RUNNER))).as("%s", NATIVE_RUNNER).isTrue();
        assertThat(dockerignoreLetsIn("target/*-runner")).isTrue();
    }

    @Test
    void theNativeBuildImageCopiesTheSourcesItBuildsFrom() throws IOException {
        List<String> sources = copySources("docker/Dockerfile.native-build");

        assertThat(sources).containsExactly("mvnw", ".mvn", "pom.xml", "src/main");
        for (String source : sources) {
            assertThat(Path.of(source)).exists();
            assertThat(dockerignoreLetsIn(source)).as(".dockerignore lets in %s", source).isTrue();
        }
        assertThat(dockerignoreLetsIn("src/test")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "docker/Dockerfile.jvm", "docker/Dockerfile.native", "docker/Dockerfile.native-build",
            "docker/Dockerfile.native-micro", "docker/compose.yaml", "docker/compose-fleet.yaml" })
    void healthIsCheckedOnTheManagementPortThePublicPortDoesNotServeIt(String file) throws IOException {
        String text = Files.readString(Path.of(file));

        assertThat(text).doesNotContain("localhost:8080/q/");
        if (file.contains("Dockerfile")) {
            assertThat(text).containsPattern("(?m)^EXPOSE 8080 9000$");
        }
        if (!file.endsWith("native-micro")) { // no shell, no curl: the orchestrator probes it
            assertThat(text).contains("http://localhost:9000/q/health/ready");
        }
    }

    /** The first argument of every COPY that reads the build context (not --from another stage). */
    private static List<String> copySources(String dockerfile) throws IOException {
        String text = Files.readString(Path.of(dockerfile)).replace("\\\n", " ");
        List<String> sources = new ArrayList<>();
        Matcher copy = COPY.matcher(text);
        while (copy.find()) {
            List<String> words = new ArrayList<>(List.of(copy.group(1).trim().split("\\s+")));
            if (words.stream().anyMatch(w -> w.startsWith("--from="))) {
                continue;
            }
            words.removeIf(w -> w.startsWith("--"));
            sources.addAll(words.subList(0, words.size() - 1));
        }
        return sources;
    }

    private static List<Path> matches(String source) throws IOException {
        String glob = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        if (!source.startsWith("target/")) {
            return Stream.of(Path.of(glob)).filter(p -> Files.exists(p)).toList();
        }
        // only below the glob's fixed folder: the rest of target/ changes while the tests run (reports)
        String fixed = glob.contains("*") ? glob.substring(0, glob.indexOf('*')) : glob;
        Path root = Path.of(fixed.substring(0, Math.max(fixed.lastIndexOf('/'), 0)));
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> matcher.matches(p) && Files.exists(p)).toList();
        }
    }

    /** Applies .dockerignore's lines in order, as Docker does: the last matching line wins. */
    private static boolean dockerignoreLetsIn(String source) throws IOException {
        String path = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        boolean included = true;
        for (String line : Files.readAllLines(Path.of(".dockerignore"))) {
            String rule = line.trim();
            if (rule.isEmpty() || rule.startsWith("#")) {
                continue;
            }
            boolean negated = rule.startsWith("!");
            String pattern = (negated ? rule.substring(1) : rule).replaceAll("/$", "");
            if (pattern.equals("*") || pattern.equals(path) || path.startsWith(pattern + "/")
                    || FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of(path))) {
                included = negated;
            }
        }
        return included;
    }
}
